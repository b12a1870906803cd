"""The plans app's pages, one module per concept (urls.py maps each URL to one of them)."""
