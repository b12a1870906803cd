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


def test_leader_view_names_the_leader_it_shows_and_their_instructions(settings) -> None:
    """issue 15 finding 10: the supervisor (吕娟波, no leadership post) opened the leader's view
    headed with her own name while the selector showed 郑静, and "items bearing their
    instructions" was empty although 督办〔2026〕1号 bears 郑静's instruction. The view shows
    one leader — the one selected — in the heading, the selector and both lists."""
    import re

    from django.test import Client

    from luoshi.orgs.models import User

    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    build_demo()
    build_demo_items()
    instructed = SupervisionItem.objects.get(source="instruction", instruction_by__isnull=False)
    instructor = instructed.instruction_by
    assert instructor is not None
    client = Client()
    client.force_login(User.objects.get(username="demo_supervisor"))
    for query in ({}, {"leader": instructor.pk}, {"leader": "x"}):
        html = client.get("/supervision/leader/", query).content.decode()
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        assert heading is not None and instructor.name in heading.group(1), query
        selected = re.findall(r'<option value="(\d+)" selected>', html)
        assert selected == [str(instructor.pk)], query
        bearing = html.split("有其批示的督办事项", 1)[1].split("<h2", 1)[0]
        assert instructed.number in bearing, query
