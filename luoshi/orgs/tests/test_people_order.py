"""The people list's order (unit path, post order, id) served by Person.sort_key, which every
write path keeps equal to what the joined order would give."""

from __future__ import annotations

import pytest

from luoshi.orgs import selectors, services
from luoshi.orgs.imports import import_org_people
from luoshi.orgs.models import OrgUnit, Person, Post

from .test_import import DEPT, ROOT, person, workbook

pytestmark = pytest.mark.django_db


def joined_order(people: list[Person]) -> list[int]:
    """The order the list had before the sort key: unit path, post order (none last), id."""

    def key(p: Person) -> tuple[str, int, int, int]:
        post = p.post
        return (p.unit.path, post is None, post.sort_order if post else 0, p.pk)

    return [p.pk for p in sorted(people, key=key)]


def listed(user) -> list[int]:
    return [p.pk for p in selectors.people_search(user, selectors.PeopleFilter(active=None))]


def assert_keys_fresh() -> None:
    for p in Person.objects.select_related("unit", "post"):
        assert p.sort_key == services.person_sort_key(p), p.name


def test_list_order_follows_unit_path_then_post_order(org) -> None:
    chair, staff = Post.objects.get(name="主席"), Post.objects.get(name="科员")
    services.person_create(actor=None, name="乙科员", gender="F", unit=org.office, post=staff)
    services.person_create(actor=None, name="甲主席", gender="M", unit=org.office, post=chair)
    services.person_create(actor=None, name="丙无职务", gender="M", unit=org.office)
    admin = org.users["admin"]
    people = list(Person.objects.select_related("unit", "post"))
    assert listed(admin) == joined_order(people)
    office = [p.name for p in Person.objects.filter(unit=org.office).order_by("sort_key", "id")]
    assert office.index("甲主席") < office.index("乙科员") < office.index("丙无职务")
    assert_keys_fresh()


def test_sort_key_follows_person_post_and_unit_changes(org) -> None:
    staff = Post.objects.get(name="科员")
    person = services.person_create(actor=None, name="调动者", gender="F", unit=org.office)
    person = services.person_update(
        actor=None, person=person, version=person.version, post=staff, unit=org.econ
    )
    key = Person.objects.get(pk=person.pk).sort_key
    assert key == f"{org.econ.path}!{services.post_order_key(staff)}"
    # the post's display order changes: its people's keys follow
    services.list_item_save(
        actor=org.users["admin"], model=Post, item=staff, name=staff.name, sort_order=-5
    )
    assert_keys_fresh()
    # a subtree moves: the keys of the people under it follow
    econ = OrgUnit.objects.get(pk=org.econ.pk)
    others = OrgUnit.objects.exclude(path__startswith=econ.path)
    target = others.exclude(pk=econ.parent_id or 0).first()
    assert target is not None
    services.org_unit_move(
        actor=org.users["admin"], unit=econ, new_parent=target, version=econ.version
    )
    assert_keys_fresh()
    admin = org.users["admin"]
    assert listed(admin) == joined_order(list(Person.objects.select_related("unit", "post")))


def test_subunit_filter_uses_the_key_prefix(org) -> None:
    admin = org.users["admin"]
    f = selectors.PeopleFilter(unit=org.agency.pk, include_subunits=True, active=None)
    under = {p.pk for p in selectors.people_search(admin, f)}
    assert under == set(
        Person.objects.filter(unit__path__startswith=org.agency.path).values_list("pk", flat=True)
    )


def test_imported_people_get_their_sort_key(org) -> None:
    data = workbook(units=(ROOT, DEPT), people=[person(姓名=f"钱{i}") for i in range(5)])
    import_org_people(data, actor=org.users["admin"], file_name="人员.xlsx")
    assert Person.objects.filter(name__startswith="钱").count() == 5
    assert_keys_fresh()
