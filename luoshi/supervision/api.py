"""The supervision app's JSON API (mounted by luoshi.api.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["supervision"])
