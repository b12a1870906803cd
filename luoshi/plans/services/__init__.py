"""Every write of the plans app, one module per concept (see docs/architecture.md)."""
