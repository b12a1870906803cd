"""Scoped reads of the plans app, one module per concept: each takes the acting user and
returns only what they may see."""
