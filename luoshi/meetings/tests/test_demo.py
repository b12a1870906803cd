"""The meeting demo: last year's work meeting complete, built once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from luoshi.appraisal.demo import build_demo as build_appraisal_demo
from luoshi.core.calendar import ensure_seeded
from luoshi.evaluation.demo import build_demo_campaign
from luoshi.honors.demo import build_demo as build_honors_demo
from luoshi.meetings import selectors
from luoshi.meetings.demo import build_demo
from luoshi.meetings.models import AwardingEntry, Meeting, Seat
from luoshi.orgs.demo import build_demo as build_org_demo
from luoshi.plans.demo import build_demo_plan as build_plan_demo
from luoshi.summaries.demo import build_demo as build_summaries_demo

pytestmark = pytest.mark.django_db


def test_demo(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    with time_machine.travel(dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC), tick=False):
        ensure_seeded()
        build_org_demo()
        build_plan_demo()
        build_demo_campaign()
        build_appraisal_demo()
        build_honors_demo()
        build_summaries_demo()
        summary = build_demo()
        assert "requirements" in summary, summary
        meeting = Meeting.objects.get()
        assert meeting.state == Meeting.State.MINUTES_PUBLISHED and meeting.minutes_number
        assert meeting.year == 2025 and meeting.date == dt.date(2026, 1, 16)
        assert meeting.agenda.count() >= 6
        reports = meeting.agenda.filter(kind="report")
        assert reports.count() == 3  # from the units whose summary of 2025 is accepted
        assert Seat.objects.filter(meeting=meeting, area="presidium").exists()
        assert AwardingEntry.objects.filter(round__meeting=meeting).exists()
        data = selectors.attendance(meeting)
        assert data["late"] and data["absent"] and data["leave"]
        reqs = selectors.requirements(meeting)
        assert len(reqs) == 8
        assert all(r["key_point"] or r["supervision_item"] for r in reqs)
        assert build_demo() == "already present; nothing changed"
