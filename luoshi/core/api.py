"""API for the audit log (audit administrator only)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["audit"])
