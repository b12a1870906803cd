"""Each persona sees exactly its scope; the outsider sees nothing of the agency."""

from __future__ import annotations

import re

import pytest

from luoshi.core.errors import NotFound
from luoshi.orgs import permissions as perms
from luoshi.orgs import selectors

pytestmark = pytest.mark.django_db


def names(qs) -> set[str]:
    return {p.name for p in qs}


def test_leader_sees_whole_agency(org) -> None:
    assert names(selectors.people_visible(org.users["leader"])) == {
        p.name for p in org.people.values()
    }


def test_vice_sees_units_in_charge_and_own_unit(org) -> None:
    visible = names(selectors.people_visible(org.users["vice"]))
    assert "庚科员" in visible  # 组织联络部, in charge
    assert "甲主席" in visible  # own unit (agency leadership)
    assert "戊科员" not in visible  # 经济科技部: not in charge


def test_head_sees_own_unit_only(org) -> None:
    visible = names(selectors.people_visible(org.users["head"]))
    assert visible == {"丙主任", "丁科员", "辛督查", "壬人事"}


def test_staff_sees_own_unit(org) -> None:
    assert names(selectors.people_visible(org.users["staff"])) == {"戊科员", "己科员"}


def test_outsider_sees_only_the_city(org) -> None:
    user = org.users["outsider"]
    assert names(selectors.people_visible(user)) == {"寅市侨联"}
    assert {u.name for u in selectors.units_visible(user)} == {"测试市归国华侨联合会"}
    with pytest.raises(NotFound):
        perms.access_person(user, org.people["leader"].pk)
    with pytest.raises(NotFound):
        perms.access_unit(user, org.agency.pk)


@pytest.mark.parametrize("persona", ["security", "auditor"])
def test_security_and_audit_admins_see_no_business_records(org, persona) -> None:
    user = org.users[persona]
    assert not selectors.people_visible(user).exists()
    assert not selectors.units_visible(user).exists()


def test_only_the_auditor_reads_the_audit_log(org) -> None:
    readers = {key for key, user in org.users.items() if perms.can_read_audit(user)}
    assert readers == {"auditor"}


def test_leader_in_charge_follows_the_matrix_dates(org) -> None:
    import datetime as dt

    from luoshi.orgs import services

    row = org.people["vice"].charge_assignments.get()
    services.leader_assignment_end(actor=None, assignment=row, end_date=dt.date(2021, 1, 1))
    user = org.users["vice"]
    perms.forget_cached_access(user)
    assert "庚科员" not in names(selectors.people_visible(user))


def test_missing_and_forbidden_look_the_same(client_for, org) -> None:
    client = client_for("staff")
    forbidden = client.get(f"/people/{org.people['leader'].pk}/")
    missing = client.get("/people/999999/")
    assert forbidden.status_code == missing.status_code == 404

    def body(response):
        html = re.sub(rb'"[A-Za-z0-9]{64}"', b'""', response.content)  # per-response CSRF masks
        return re.sub(rb"/people/\d+/", b"/people/N/", html)

    assert body(forbidden) == body(missing)


def test_the_cached_unit_check_agrees_with_units_visible_for_every_persona(org) -> None:
    """unit_brief_visible (Python, for filter lists) and units_visible (SQL) are one rule."""
    from luoshi.orgs.models import OrgUnit

    units = list(OrgUnit.objects.all())
    for key, user in org.users.items():
        visible = set(selectors.units_visible(user).values_list("pk", flat=True))
        for unit in units:
            brief = selectors.unit_brief(unit.pk)
            assert brief is not None
            assert selectors.unit_brief_visible(user, brief) == (unit.pk in visible), (key, unit)
    assert selectors.unit_brief(999999) is None
