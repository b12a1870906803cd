"""The demo: earlier years imported, last year's cycle final with consequences, this year's in
progress; built once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from luoshi.appraisal import selectors
from luoshi.appraisal.demo import build_demo
from luoshi.appraisal.models import AnnualCycle
from luoshi.core.calendar import ensure_seeded
from luoshi.evaluation.demo import build_demo_campaign
from luoshi.orgs.demo import build_demo as build_org_demo

pytestmark = pytest.mark.django_db


def test_demo(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    with time_machine.travel(dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC), tick=False):
        ensure_seeded()
        build_org_demo()
        build_demo_campaign()
        summary = build_demo()
        assert "final results" in summary, summary
        last = AnnualCycle.objects.get(year=2025)
        assert last.status == AnnualCycle.Status.FINAL
        assert last.evaluation_campaign is not None
        assert selectors.evaluation_results(last)
        groups = selectors.consequences(last)
        assert groups["commendation"] and groups["merit_candidate"]
        assert groups["incompetent_flag"] and groups["pay_step"]
        assert AnnualCycle.objects.get(year=2026).status == AnnualCycle.Status.OPEN
        assert build_demo() == "already present; nothing changed"
