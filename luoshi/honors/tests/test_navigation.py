"""The commendation entries of the navigation follow what the user has to do there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.core import navigation
from luoshi.honors import services as honors

pytestmark = pytest.mark.django_db


def nav_of(user: Any) -> dict[str, list[str]]:
    return {
        str(section.label): [item.url_name for item in section.items]
        for section in navigation.sections_for(user)
    }


def fresh(org: Any, key: str) -> Any:
    """The persona's account as a new request would load it (no per-request caches)."""
    return type(org.users[key]).objects.get(pk=org.users[key].pk)


def test_commendation_is_offered_once_it_has_something_for_the_user(org: Any) -> None:
    """Staff see no commendation entry until a program of their agency opens, and "My honours"
    only with an honour of their own."""
    assert "Commendation" not in nav_of(fresh(org, "staff"))
    hr = org.users["hr"]
    program = honors.program_create(
        actor=hr, agency=org.agency, year=2026, title="机关先进工作者", scope="internal"
    )
    assert "Commendation" not in nav_of(fresh(org, "staff"))  # a draft
    honors.quota_set(actor=hr, program=program, kind="commendation", family="civil_servant")
    honors.program_open(actor=hr, program=program)
    assert nav_of(fresh(org, "staff"))["Commendation"] == ["honors:programs"]
    honors.external_record(
        actor=hr,
        agency=org.agency,
        unit=org.econ,
        person=org.people["staff"],
        kind="advanced_individual",
        title="先进个人",
        approving_body="省侨联",
        document_number="d",
        awarded_on=dt.date(2026, 1, 5),
    )
    assert nav_of(fresh(org, "staff"))["Commendation"] == [
        "honors:programs",
        "honors:mine",
    ]
    assert "Commendation" not in nav_of(fresh(org, "outsider"))
