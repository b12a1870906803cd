"""Org units and people: tree paths, rename/move history, versions, leader matrix."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs import selectors, services
from luoshi.orgs.models import OrgUnit, OrgUnitChange, Person

pytestmark = pytest.mark.django_db


def test_tree_paths_and_depth(org) -> None:
    assert org.agency.depth == 0
    office = OrgUnit.objects.get(pk=org.office.pk)
    assert office.depth == 1
    assert office.path.startswith(org.agency.path)


def test_rename_keeps_history_and_is_audited(org) -> None:
    unit = OrgUnit.objects.get(pk=org.econ.pk)
    services.org_unit_update(
        actor=org.users["admin"],
        unit=unit,
        version=unit.version,
        name="经济科技联络部",
        effective_date=dt.date(2025, 7, 1),
    )
    change = OrgUnitChange.objects.get(unit=unit)
    assert (change.old_value, change.new_value) == ("经济科技部", "经济科技联络部")
    assert change.effective_date == dt.date(2025, 7, 1)
    entry = AuditEntry.objects.filter(action="org_unit.update").latest("id")
    assert entry.before == {"name": "经济科技部", "version": 1}
    assert entry.after == {"name": "经济科技联络部", "version": 2}
    assert entry.actor_id == org.users["admin"].pk


def test_move_rewrites_the_subtree_and_scopes_follow(org) -> None:
    sub = services.org_unit_create(
        actor=None,
        name="综合科",
        code="T-ZHK",
        parent=org.econ,
        kind=OrgUnit.Kind.DEPARTMENT,
        level=OrgUnit.Level.PROVINCIAL,
    )
    services.person_create(actor=None, name="卯科员", gender="M", unit=sub)
    econ = OrgUnit.objects.get(pk=org.econ.pk)
    services.org_unit_move(actor=None, unit=econ, new_parent=org.city, version=econ.version)
    sub.refresh_from_db()
    assert sub.path.startswith(org.city.path)
    assert sub.depth == 3
    assert OrgUnitChange.objects.filter(unit=econ, kind="move").exists()
    # The agency leader (subtree of the agency) still sees it, as the city is under the agency.
    assert selectors.people_visible(org.users["leader"]).filter(name="卯科员").exists()


def test_cannot_move_a_unit_under_itself(org) -> None:
    agency = OrgUnit.objects.get(pk=org.agency.pk)
    with pytest.raises(InvalidInput):
        services.org_unit_move(actor=None, unit=agency, new_parent=org.office)


def test_concurrent_edit_is_refused_and_nothing_is_overwritten(org) -> None:
    first = Person.objects.get(pk=org.people["staff"].pk)
    second = Person.objects.get(pk=org.people["staff"].pk)
    services.person_update(actor=None, person=first, version=first.version, mobile="13900000099")
    with pytest.raises(Conflict):
        services.person_update(
            actor=None, person=second, version=second.version, mobile="13911111111"
        )
    assert Person.objects.get(pk=first.pk).mobile == "13900000099"


def test_person_validation_names_the_field(org) -> None:
    with pytest.raises(InvalidInput) as info:
        services.person_create(actor=None, name="", gender="X", unit=org.office, mobile="12345")
    fields = {d["field"] for d in info.value.details}
    assert fields == {"name", "gender", "mobile"}


def test_search_matches_across_scripts(org) -> None:
    services.person_create(actor=None, name="僑聯測試", gender="F", unit=org.office)
    services.person_create(actor=None, name="侨联样例", gender="F", unit=org.office)
    leader = org.users["leader"]
    simplified = selectors.people_search(leader, selectors.PeopleFilter(q="侨联"))
    traditional = selectors.people_search(leader, selectors.PeopleFilter(q="僑聯"))
    assert (
        {p.name for p in simplified}
        == {p.name for p in traditional}
        == {"僑聯測試", "侨联样例", "寅市侨联"}
    )


def test_leader_matrix_refuses_overlap_and_answers_by_date(org) -> None:
    vice = org.people["vice"]
    with pytest.raises(InvalidInput):
        services.leader_assign(
            actor=None, leader=vice, unit=org.liaison, start_date=dt.date(2024, 1, 1)
        )
    row = vice.charge_assignments.get()
    services.leader_assignment_end(actor=None, assignment=row, end_date=dt.date(2024, 6, 30))
    services.leader_assign(
        actor=None, leader=org.people["leader"], unit=org.liaison, start_date=dt.date(2024, 7, 1)
    )
    assert list(selectors.leaders_in_charge(org.liaison, on=dt.date(2024, 3, 1))) == [vice]
    assert list(selectors.leaders_in_charge(org.liaison, on=dt.date(2024, 8, 1))) == [
        org.people["leader"]
    ]


def test_unit_head_must_belong_to_the_unit(org) -> None:
    with pytest.raises(InvalidInput):
        services.unit_set_head(actor=None, unit=org.econ, head=org.people["head"])
