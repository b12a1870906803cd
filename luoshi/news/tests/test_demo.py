"""The news demo: last year's work-meeting news published with its photos (a collage among
them), this year's draft waiting for the second review; built once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.core.calendar import ensure_seeded
from luoshi.news.demo import build_demo
from luoshi.news.models import NewsItem
from luoshi.orgs.demo import build_demo as build_org_demo

pytestmark = pytest.mark.django_db


def test_demo(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    ensure_seeded()
    build_org_demo()
    assert "published" in build_demo()
    assert build_demo() == "already there"
    published = NewsItem.objects.get(status=NewsItem.Status.PUBLISHED)
    assert published.photos.count() == 4 and published.approval_form_sha256
    assert any(b["type"] == "photos" and len(b["photos"]) == 3 for b in published.blocks)
    waiting = NewsItem.objects.get(status=NewsItem.Status.SECOND_REVIEW)
    assert waiting.reviews.count() == 1
    page = Client().get(f"/news/{published.slug}/")
    assert page.status_code == 200 and "会议" in page.content.decode()
