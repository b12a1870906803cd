"""Models of the notify app."""
