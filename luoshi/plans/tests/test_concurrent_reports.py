"""Concurrent progress reports on one task without a client version: no 409, nothing lost
(docs/security.md, "Concurrent writes")."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections

from luoshi.core.errors import Conflict
from luoshi.core.models import AuditEntry
from luoshi.plans.models import Task, TaskEvent
from luoshi.plans.services.reports import ReportIn, report_submit

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_without_version_all_land(org: Any, plan: Any) -> None:
    task = Task.objects.get(plan=plan, code="2026-1-1-1")
    start_version = task.version
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            mine = Task.objects.get(pk=task.pk)  # read before the write, as a request does
            barrier.wait(timeout=30)
            report_submit(
                actor=org.users["supervisor"],
                task=mine,
                unit=mine.lead_unit,
                data=ReportIn(text=f"进展{i}", percent=10 + i, drop_reason="并发测试"),
                today=dt.date(2026, 3, 10),
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not [e for e in errors if isinstance(e, Conflict)], errors
    assert not errors, errors
    task.refresh_from_db()
    reported = TaskEvent.objects.filter(task=task, kind=TaskEvent.Kind.REPORTED)
    assert {e.note for e in reported} == {f"进展{i}" for i in range(THREADS)}  # nothing lost
    entries = AuditEntry.objects.filter(action__in=["task.report", "task.report_correct"])
    assert entries.count() == THREADS
    # the task's progress is the last writer's
    last = reported.order_by("-id").first()
    assert last is not None and last.after is not None
    assert task.progress == last.after["percent"]
    assert task.version > start_version
