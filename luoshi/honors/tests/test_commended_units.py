"""嘉奖 up to 25 % of the staff of a public-institution unit itself commended [law]: the unit's
cap, rounded down, over many headcounts; the units' shares may add up to the quota plus what the
commended units' higher caps add."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from luoshi.core.errors import InvalidInput
from luoshi.honors import rules, services
from luoshi.orgs import services as org_services
from luoshi.orgs.models import Person, StaffCategory

POL = rules.Policy()
PI, CS = rules.PUBLIC_INSTITUTION, rules.CIVIL_SERVANT


@pytest.mark.parametrize("headcount", [*range(0, 121), 199, 200, 201, 399, 1001])
def test_a_commended_units_cap_is_a_quarter_rounded_down(headcount: int) -> None:
    share = headcount // 5  # floor(20 %) — also what a unit gets by headcount at most
    cap = rules.unit_cap(headcount, rules.COMMENDATION, PI, POL, unit_commended=True, share=share)
    assert cap == headcount * 25 // 100 == int(Decimal(headcount) * Decimal("0.25"))
    assert (
        rules.unit_cap(headcount, rules.COMMENDATION, PI, POL, unit_commended=False, share=share)
        is None
    )
    # no higher share for 参公 嘉奖 nor for 记功: only the quota binds
    assert (
        rules.unit_cap(headcount, rules.COMMENDATION, CS, POL, unit_commended=True, share=0) is None
    )
    assert rules.unit_cap(headcount, rules.MERIT, PI, POL, unit_commended=True, share=0) is None


def test_a_share_above_a_quarter_is_kept() -> None:
    assert rules.unit_cap(3, rules.COMMENDATION, PI, POL, unit_commended=True, share=1) == 1


@pytest.mark.parametrize(
    ("units", "quota", "ceiling"),
    [
        ([(10, True, 2), (10, False, 2)], 4, 4),  # floor(2.5) = 2: nothing more
        ([(12, True, 2), (10, False, 2)], 4, 5),  # floor(3) = 3: one more
        ([(40, True, 8), (40, True, 8)], 16, 20),
        ([(7, False, 1), (8, False, 2)], 3, 3),
    ],
)
def test_the_ceiling_of_the_units_shares(
    units: list[tuple[int, bool, int]], quota: int, ceiling: int
) -> None:
    assert rules.allocation_ceiling(quota, units, rules.COMMENDATION, PI, POL) == ceiling


@pytest.mark.django_db
def test_a_commended_institution_may_be_given_a_quarter(org: Any) -> None:
    hr = org.users["hr"]
    category = StaffCategory.objects.get(name="事业单位")
    Person.objects.filter(unit=org.center).update(staff_category=category)
    for i in range(10):  # 13 public-institution staff in the centre
        org_services.person_create(
            actor=None,
            name=f"中心职工{i}",
            gender=Person.Gender.FEMALE,
            unit=org.center,
            birth_month=dt.date(1990, 1, 1),
            staff_category=category,
        )
    program = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="事业单位嘉奖", scope="internal"
    )
    quota = services.quota_set(actor=hr, program=program, kind="commendation", family=PI)
    assert (quota.staff_count, quota.places) == (13, 2)  # floor(13 × 20 %)
    allocation = quota.allocations.get(unit=org.center)
    with pytest.raises(InvalidInput, match=r"more than the quota of 2"):
        services.allocation_set(actor=hr, allocation=allocation, places=3, reason="本单位受表彰")
    services.external_record(
        actor=hr,
        agency=org.agency,
        unit=org.center,
        kind="advanced_collective",
        title="先进集体",
        approving_body="省直机关工委",
        document_number="工委〔2026〕1号",
        awarded_on=dt.date(2026, 1, 5),
    )
    services.allocation_set(actor=hr, allocation=allocation, places=3, reason="本单位受表彰")
    with pytest.raises(InvalidInput, match=r"at most 3 place.*25%.*13"):
        services.allocation_set(actor=hr, allocation=allocation, places=4, reason="本单位受表彰")
    quota.refresh_from_db()
    assert services.quota_ceiling(quota) == 3
