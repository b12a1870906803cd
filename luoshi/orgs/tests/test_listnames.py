"""The editable lists (ranks, staff categories, posts, political statuses) are data stored in
Simplified Chinese; pages show them in the viewer's language and script (issue 15 finding 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from luoshi.orgs import services
from luoshi.orgs.listnames import ENGLISH
from luoshi.orgs.models import PoliticalStatus, Post, Rank, StaffCategory

pytestmark = pytest.mark.django_db


def test_fixed_lists_are_shown_in_the_viewers_script_and_language(
    org: Any, client_for: Any
) -> None:
    """issue 15 finding 8: ranks and staff categories stayed Simplified on zh-Hant and English
    pages."""
    person = services.person_create(
        actor=None,
        name="测试人员",
        gender="F",
        unit=org.office,
        rank=Rank.objects.get(name="一级调研员"),
        staff_category=StaffCategory.objects.get(name="参照公务员法管理"),
        post=Post.objects.get(name="副处长"),
    )
    client = client_for("hr")
    url = f"/people/{person.pk}/"
    hant = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "一級調研員" in hant and "參照公務員法管理" in hant and "副處長" in hant
    assert "一级调研员" not in hant and "参照公务员法管理" not in hant
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Researcher, first grade" in en and "Managed under the Civil Servant Law" in en
    assert "Deputy division director" in en and "一级调研员" not in en
    hans = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "一级调研员" in hans and "参照公务员法管理" in hans
    person.refresh_from_db()
    assert person.rank is not None and person.rank.name == "一级调研员"  # the data stays


def test_every_default_entry_has_an_english_name(org: Any) -> None:
    for model in (Post, Rank, StaffCategory, PoliticalStatus):
        for item in model.objects.all():
            with translation.override("en"):
                assert str(item) == ENGLISH[item.name]
            with translation.override("zh-hant"):
                assert "级" not in str(item) and "员" not in str(item)
