"""The demo's closed evaluation: built through the services, once, with results to show."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.evaluation import selectors
from luoshi.evaluation.demo import build_demo_campaign
from luoshi.evaluation.models import Campaign
from luoshi.orgs.demo import build_demo

pytestmark = pytest.mark.django_db


def test_demo_campaign(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    build_demo()
    summary = build_demo_campaign()
    assert "closed" in summary, summary
    campaign = Campaign.objects.get()
    assert campaign.is_closed
    results = selectors.campaign_results(campaign)
    assert results and any(r.valid for r in results.values())
    assert build_demo_campaign() == "already present; nothing changed"
