"""The commendation demo: last year's program final with numbered certificates and one revoked,
the 嘉奖 of last year's Excellent with certificates, an honour from a higher body, this year's
program open with two nominations waiting for vetting; built once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from luoshi.appraisal.demo import build_demo as build_appraisal_demo
from luoshi.core.calendar import ensure_seeded
from luoshi.evaluation.demo import build_demo_campaign
from luoshi.honors import services
from luoshi.honors.demo import build_demo
from luoshi.honors.models import Certificate, Honour, Nomination, Program
from luoshi.orgs.demo import build_demo as build_org_demo

pytestmark = pytest.mark.django_db


def test_demo(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    with time_machine.travel(dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC), tick=False):
        ensure_seeded()
        build_org_demo()
        build_demo_campaign()
        build_appraisal_demo()
        summary = build_demo()
        assert "one revoked" in summary, summary
        last = Program.objects.get(year=2025)
        assert last.status == Program.Status.FINAL and last.decision_document_number
        program_honours = Honour.objects.filter(program=last)
        assert program_honours.count() == 4
        assert program_honours.filter(revoked=True).count() == 1
        assert Certificate.objects.filter(honour__program=last).count() == 4
        revoked = Certificate.objects.get(honour__program=last, honour__revoked=True)
        assert services.verify(revoked.number)["valid"] is False
        appraisal = Honour.objects.filter(source=Honour.Source.APPRAISAL, year=2025)
        assert appraisal.exists()
        assert Certificate.objects.filter(honour__in=appraisal).count() == appraisal.count()
        assert Honour.objects.filter(
            source=Honour.Source.EXTERNAL, unit__name="经济科技部"
        ).exists()
        current = Program.objects.get(year=2026)
        assert current.status == Program.Status.NOMINATION
        waiting = current.nominations.filter(status=Nomination.Status.SUBMITTED)
        assert waiting.count() == 2 and not waiting.filter(opinions__isnull=False).exists()
        assert build_demo() == "already present; nothing changed"
