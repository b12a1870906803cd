"""Democratic evaluation (民主测评):
anonymous one-time ballots, turnout, tallies and weighted scores.
"""
