from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.mark.django_db
def test_tick_removes_stale_uploads_and_is_idempotent() -> None:
    uploads = settings.VAR_DIR / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stale = uploads / "tick-test-stale.xlsx"
    fresh = uploads / "tick-test-fresh.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    out = StringIO()
    call_command("tick", stdout=out)
    call_command("tick", stdout=out)  # a second run finds nothing more to do
    assert not stale.exists()
    assert fresh.exists()
    fresh.unlink()
    assert "stale uploads removed" in out.getvalue()
