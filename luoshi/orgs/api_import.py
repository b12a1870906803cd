"""API for importing units and people from xlsx."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["imports"])
