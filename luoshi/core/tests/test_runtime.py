"""Server-process tuning: long-lived objects leave the garbage collector's walks."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from django.core.signals import request_finished

from luoshi.core import runtime


@pytest.fixture
def unfrozen() -> Any:
    gc.unfreeze()
    yield
    request_finished.disconnect(dispatch_uid=runtime._UID)
    gc.unfreeze()


def test_a_worker_freezes_once_loaded_and_again_after_its_first_request(unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    runtime.tune_worker()
    loaded = gc.get_freeze_count()
    assert loaded > 0
    warmed_up = [[i] for i in range(1000)]  # what a first request leaves behind (caches)
    request_finished.send(sender=None)
    assert gc.get_freeze_count() >= loaded + len(warmed_up)
    after_first = gc.get_freeze_count()
    kept = [[i] for i in range(1000)]
    request_finished.send(sender=None)  # later requests: no more freezing
    # (The count may drop: a frozen object that is freed leaves the permanent generation.)
    assert gc.get_freeze_count() <= after_first
    assert len(kept) == 1000


def test_it_can_be_turned_off(unfrozen: None, settings: Any) -> None:
    settings.LUOSHI_GC_FREEZE = False
    runtime.tune_worker()
    request_finished.send(sender=None)
    assert gc.get_freeze_count() == 0


@pytest.mark.django_db
def test_postgresql_jit_is_off_for_the_application() -> None:
    """The JIT compiler spent 1.3 s of a 1.5 s report-overview query
    (`EXPLAIN ANALYZE` at national scale: "JIT … Total 1318 ms" of 1,461 ms): the application's
    connections run without it unless LUOSHI_DB_JIT=1."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
