"""Supervision and follow-up (督查督办):
items, assignment sheets, urging, feedback, extensions, bulletins.
"""
