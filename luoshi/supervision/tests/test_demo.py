"""The demo supervision items: built once, with one red and one closed item."""

from __future__ import annotations

import pytest

from luoshi.orgs.demo import build_demo
from luoshi.supervision.demo import build_demo_items
from luoshi.supervision.models import SupervisionItem, UrgingStep

pytestmark = pytest.mark.django_db


def test_demo_items(settings) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    build_demo()
    summary = build_demo_items()
    assert "items" in summary
    assert SupervisionItem.objects.filter(light="red").count() == 1
    assert SupervisionItem.objects.filter(status="closed", closed_on_time=True).count() == 1
    assert SupervisionItem.objects.filter(status="registered").count() == 1
    assert UrgingStep.objects.filter(step="urging").count() == 1
    assert build_demo_items() == "already present; nothing changed"
