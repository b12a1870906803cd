"""The plans app's HTML forms, one module per concept (they parse; services decide)."""
