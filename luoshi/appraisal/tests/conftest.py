from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle, Participant
from luoshi.plans.tests.conftest import plan  # noqa: F401  (the plans fixture)


@pytest.fixture
def cycle(org: Any) -> AnnualCycle:
    """The test agency's 2025 annual appraisal, opened by the personnel officer."""
    return services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )


def part(cycle: AnnualCycle, org: Any, key: str) -> Participant:
    return Participant.objects.select_related("cycle", "unit", "person", "cycle__agency").get(
        cycle=cycle, person=org.people[key]
    )
