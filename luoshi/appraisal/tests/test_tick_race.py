"""Two `luoshi tick` runs at once (cron every minute, a slow run overlapping the next) finalize
an annual cycle whose publicity has ended exactly once. PostgreSQL only: SQLite serialises
writers, so the race cannot happen there."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from luoshi.appraisal.models import AnnualCycle, GradeChange, Participant, YearResult
from luoshi.core.models import AuditEntry
from luoshi.core.periodic import steps

from .test_services import _to_publicity


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_finalize_a_cycle_once(org: Any, cycle: AnnualCycle) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks taken by concurrent transactions are what this test is about")
    cycle = _to_publicity(org, cycle, dt.date(2025, 12, 1))
    assert cycle.publicity_end == dt.date(2025, 12, 5)
    step = next(s for s in steps() if s.name == "appraisal.finalize")
    today = dt.date(2025, 12, 6)
    n = 2
    barrier = threading.Barrier(n)
    summaries: list[str] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            summaries.append(step.run(today))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    for _round in range(3):  # a later tick finds nothing more to do
        threads = [threading.Thread(target=tick) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert len(summaries) == 3 * n
    done = [s for s in summaries if s.startswith("1 annual appraisal(s) finalized, 0 held")]
    assert len(done) == 1, summaries
    summaries.remove(done[0])
    # the other runs found it done: not finalized again, and not "held by open objections"
    assert all(s.startswith("0 annual appraisal(s) finalized, 0 held") for s in summaries)

    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.FINAL
    assert AuditEntry.objects.filter(action="appraisal.finalize").count() == 1
    graded = Participant.objects.filter(cycle=cycle, is_final=True)
    assert graded.count() == 13
    # one "final after publicity" change per participant, one result per person and year
    assert GradeChange.objects.filter(participant__cycle=cycle).count() == graded.count()
    assert YearResult.objects.filter(year=cycle.year).count() == graded.count()
