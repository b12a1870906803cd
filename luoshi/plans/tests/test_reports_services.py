"""A progress report against the task's facts (issue 15 finding 3): an indicator's actual value
within its declared kind, and a drop in the reported progress that gives its reason."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator

import pytest
from django.utils import translation

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.plans.models import Indicator, IndicatorValue, ProgressReport, Task
from luoshi.plans.services.reports import ReportIn, report_submit

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_negative_actual_is_refused_naming_the_indicator(org, plan) -> None:
    """issue 15 finding 3: a report set an indicator's actual to −5 (a count of sessions)."""
    task = scene(org, plan)
    indicator = task.indicators.get()
    reports = ProgressReport.objects.count()
    for unit, actor in ((org.office, "head"), (org.econ, "staff")):  # lead and cooperating
        with pytest.raises(InvalidInput) as info:
            report_submit(
                actor=org.users[actor],
                task=task,
                unit=unit,
                today=D(2026, 4, 20),
                data=ReportIn(
                    text="开展集体学习",
                    percent=60,
                    indicator_values={indicator.pk: decimal.Decimal(-5)},
                ),
            )
        message = "The actual value of indicator “集体学习” cannot be negative (-5 was entered)."
        assert info.value.details == [{"field": f"indicator_{indicator.pk}", "message": message}]
        assert str(info.value.message) == message
    indicator.refresh_from_db()
    assert indicator.actual == 3 and ProgressReport.objects.count() == reports
    assert not IndicatorValue.objects.filter(value__lt=0).exists()
    assert Task.objects.get(pk=task.pk).progress == 55


def test_an_indicator_declared_as_possibly_negative_takes_a_negative_actual(org, plan) -> None:
    task = scene(org, plan)
    balance = Indicator.objects.create(
        task=task, name="经费结余", target=decimal.Decimal(0), unit="万元", allows_negative=True
    )
    report_submit(
        actor=org.users["head"],
        task=task,
        unit=org.office,
        today=D(2026, 4, 20),
        data=ReportIn(
            text="经费超支", percent=60, indicator_values={balance.pk: decimal.Decimal("-1.5")}
        ),
    )
    balance.refresh_from_db()
    assert balance.actual == decimal.Decimal("-1.5")


def test_a_drop_in_progress_without_a_reason_is_refused(org, plan) -> None:
    """issue 15 finding 3: progress fell from 55 % to 40 % with no warning."""
    task = scene(org, plan)
    with pytest.raises(InvalidInput) as info:
        report_submit(
            actor=org.users["head"],
            task=task,
            unit=org.office,
            today=D(2026, 4, 20),
            data=ReportIn(text="学习计划需重新起草", percent=40, drop_reason="  "),
        )
    message = "The progress falls from 55% (last reported) to 40%: give the reason for the drop."
    assert str(info.value.message) == message
    assert info.value.details == [{"field": "drop_reason", "message": message}]
    task.refresh_from_db()
    assert task.progress == 55 and task.reports.count() == 1


def test_a_drop_in_progress_with_a_reason_is_kept_in_the_report_history_and_audit(
    org, plan
) -> None:
    """issue 15 finding 3: the reason for a lower progress is stored and audited."""
    task = scene(org, plan)
    report = report_submit(
        actor=org.users["head"],
        task=task,
        unit=org.office,
        today=D(2026, 4, 20),
        data=ReportIn(
            text="学习计划需重新起草", percent=40, drop_reason="上级要求调整学习内容，计划重新起草"
        ),
    )
    task.refresh_from_db()
    assert task.progress == 40
    assert report.progress_drop_reason == "上级要求调整学习内容，计划重新起草"
    event = task.events.filter(kind="reported").latest("id")
    history = event.after or {}
    assert history["previous_percent"] == 55 and history["percent"] == 40
    assert history["drop_reason"] == "上级要求调整学习内容，计划重新起草"
    entry = AuditEntry.objects.filter(action="task.report", object_id=str(report.pk)).get()
    audited = entry.after or {}
    assert audited["previous_percent"] == 55
    assert audited["drop_reason"] == "上级要求调整学习内容，计划重新起草"
    # a rise needs no reason, and a cooperating unit's share moves no progress
    report_submit(
        actor=org.users["head"],
        task=Task.objects.get(pk=task.pk),
        unit=org.office,
        today=D(2026, 5, 20),
        data=ReportIn(text="重新印发", percent=50),
    )
    report_submit(
        actor=org.users["staff"],
        task=Task.objects.get(pk=task.pk),
        unit=org.econ,
        today=D(2026, 5, 21),
        data=ReportIn(text="配合", percent=10),
    )
    assert Task.objects.get(pk=task.pk).progress == 50
