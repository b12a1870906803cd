"""Concurrent feedback without a client version queues on a row lock: no 409, nothing lost; a
stale client version is still refused (docs/security.md, "Concurrent writes")."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections

from luoshi.core.errors import Conflict
from luoshi.supervision import services
from luoshi.supervision.models import Feedback, SupervisionItem

from .conftest import D, register

THREADS = 6


def _accepted(org: Any) -> SupervisionItem:
    item = register(org)
    services.item_assign(actor=org.users["supervisor"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 28))
    item.refresh_from_db()
    return item


def _run(target: Any, n: int) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            target(i, barrier)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_feedback_without_version_is_never_refused(org) -> None:
    item = _accepted(org)
    start_version = item.version

    def work(i: int, barrier: threading.Barrier) -> None:
        # each client read the item before it wrote, as a page or an API call does
        mine = SupervisionItem.objects.get(pk=item.pk)
        barrier.wait(timeout=30)
        services.feedback_submit(
            actor=org.users["staff"],
            item=mine,
            kind=Feedback.Kind.PERIODIC,
            text=f"第{i}次反馈",
            percent=10 + i,
            today=D(2025, 9, 29),
        )

    errors = _run(work, THREADS)
    assert not [e for e in errors if isinstance(e, Conflict)], errors
    assert not errors, errors
    item.refresh_from_db()
    texts = set(Feedback.objects.filter(item=item).values_list("text", flat=True))
    assert texts == {f"第{i}次反馈" for i in range(THREADS)}  # nothing lost
    assert item.version == start_version + THREADS


@pytest.mark.django_db(transaction=True)
def test_a_stale_client_version_is_still_a_conflict(org) -> None:
    item = _accepted(org)
    seen = item.version
    services.feedback_submit(
        actor=org.users["staff"],
        item=SupervisionItem.objects.get(pk=item.pk),
        kind=Feedback.Kind.PERIODIC,
        text="先到的反馈",
        percent=20,
        version=seen,
        today=D(2025, 9, 29),
    )
    with pytest.raises(Conflict):
        services.feedback_submit(
            actor=org.users["staff"],
            item=item,  # still the version this client read
            kind=Feedback.Kind.PERIODIC,
            text="后到的反馈",
            percent=30,
            version=seen,
            today=D(2025, 9, 29),
        )
    assert not Feedback.objects.filter(text="后到的反馈").exists()
