from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from luoshi.honors import services
from luoshi.honors.models import Program
from luoshi.orgs import services as org_services
from luoshi.orgs.roles import Role


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """The services' messages in the source language, so that tests match them by meaning
    (pages still answer in the language each request asks for)."""
    with translation.override("en"):
        yield


@pytest.fixture
def inspector(org: Any) -> Any:
    """The agency's discipline inspector (纪检), who signs the discipline body's opinions."""
    user = org_services.user_create(
        actor=None, username="inspector", password="Luoshi-test-1", person=None
    )
    org_services.role_assign(
        actor=None, user=user, role=Role.DISCIPLINE_INSPECTOR, anchor=org.agency
    )
    return user


@pytest.fixture
def program(org: Any) -> Program:
    """This year's internal program with a 嘉奖 quota, open for nomination."""
    hr = org.users["hr"]
    p = services.program_create(
        actor=hr,
        agency=org.agency,
        year=timezone.localdate().year,
        title="机关优秀工作者评选",
        scope="internal",
        nomination_deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    services.quota_set(actor=hr, program=p, kind="commendation", family="civil_servant")
    return services.program_open(actor=hr, program=p)
