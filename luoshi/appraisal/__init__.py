"""Appraisal (考核):
routine and annual appraisal of staff, quotas, committee, publicity, appeals, unit scores.
"""
