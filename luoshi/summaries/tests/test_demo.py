"""The summaries demo: last year's round with every summary accepted (within the limits), this
year's round open with drafts generated from this year's plan; built once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from luoshi.core.calendar import ensure_seeded
from luoshi.core.models import AuditEntry
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.demo import build_demo as build_org_demo
from luoshi.orgs.models import OrgUnit
from luoshi.plans.demo import build_demo_plan
from luoshi.summaries import selectors
from luoshi.summaries.demo import build_demo
from luoshi.summaries.models import SummaryRound, UnitSummary

pytestmark = pytest.mark.django_db


def test_demo(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    with time_machine.travel(dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC), tick=False):
        ensure_seeded()
        build_org_demo()
        build_demo_plan()
        out = build_demo()
        assert "accepted" in out and "drafts" in out, out
        agency = OrgUnit.objects.get(code=AGENCY_CODE)
        accepted = selectors.accepted_summaries(agency, 2025)
        assert accepted and len(accepted) == SummaryRound.objects.get(year=2025).summaries.count()
        for summary in accepted:
            heading, text = summary.text_sections()[0]
            assert heading == "主要工作和成效" and len(text) >= 600
        # where the demo has the accounts, a summary went through the review
        steps = list(
            AuditEntry.objects.filter(action__startswith="summaries.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert "summaries.accept" in steps and "summaries.return" in steps, steps
        walked = steps.index("summaries.return")
        assert steps[walked:].count("summaries.approve") >= 2
        current = SummaryRound.objects.get(agency=agency, year=2026)
        assert current.status == SummaryRound.Status.OPEN
        drafts = current.summaries.filter(status=UnitSummary.Status.DRAFT)
        assert drafts.count() == current.summaries.count()
        assert any(s.citations.filter(source_model="plans.task").exists() for s in drafts)
        assert build_demo() == "summary rounds exist"
        assert SummaryRound.objects.count() == 2
