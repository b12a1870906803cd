"""Export of units and people: the import layout, scoped to the user, filtered like the list,
and importable again into an empty database."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from luoshi.core.models import AuditEntry
from luoshi.orgs import services
from luoshi.orgs.imports import import_org_people
from luoshi.orgs.models import OrgUnit, Person, Rank
from luoshi.orgs.roles import Role

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR).parent / "shared/data/org-people.xlsx"


def exported(client: Any, **params: Any) -> Any:
    response = client.get(reverse("orgs:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(data)), data


def rows(book: Any, sheet: str) -> list[tuple[Any, ...]]:
    return list(book[sheet].iter_rows(min_row=2, values_only=True))


def test_export_has_the_layout_of_the_sample(org, client_for) -> None:
    fixture_units, fixture_people = OrgUnit.objects.count(), Person.objects.count()
    import_org_people(SAMPLE, actor=org.users["admin"])
    book, _data = exported(client_for("admin"))
    sample = openpyxl.load_workbook(SAMPLE)
    assert book.sheetnames == sample.sheetnames == ["单位", "人员"]
    for sheet in ("单位", "人员"):
        assert next(book[sheet].iter_rows(max_row=1, values_only=True)) == next(
            sample[sheet].iter_rows(max_row=1, values_only=True)
        )
    assert len(rows(book, "单位")) == fixture_units + 17
    assert len(rows(book, "人员")) == fixture_people + 160
    gao = next(r for r in rows(book, "人员") if r[0] == "高宇")
    # 办公室 is a name two exported units share: the person's unit is written as its code
    assert gao == (
        "高宇",
        "女",
        "1970.08",
        "群众",
        "BGS",
        "主任",
        "一级调研员",
        "参照公务员法管理",
        "1993.11",
        "2016.07",
        "13946885253",
    )
    units = {r[1]: r for r in rows(book, "单位")}
    assert units["BHQL"] == ("滨海省归国华侨联合会机关", "BHQL", None, "机关", "省级", 1)
    assert units["C01"] == (
        "海州市归国华侨联合会",
        "C01",
        "滨海省归国华侨联合会机关",
        "地方组织",
        "市级",
        201,
    )


def _snapshot() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    units = {
        (u.name, u.code, u.parent.code if u.parent else None, u.kind, u.level, u.sort_order)
        for u in OrgUnit.objects.select_related("parent")
    }
    people = {
        (
            p.name,
            p.gender,
            p.birth_month,
            p.political_status_id,
            p.unit.code,
            p.post_id,
            p.rank_id,
            p.staff_category_id,
            p.work_start,
            p.post_since,
            p.mobile,
        )
        for p in Person.objects.select_related("unit")
    }
    return units, people


def _wipe() -> None:
    Person.objects.all().delete()
    for unit in OrgUnit.objects.order_by("-depth"):
        unit.delete()


def test_round_trip_into_an_empty_database(client) -> None:
    admin = services.user_create(
        actor=None, username="root", password="Round-trip-1", roles=[Role.SYSTEM_ADMIN]
    )
    import_org_people(SAMPLE, actor=admin)
    # a second agency whose departments share names with the sample's, and people with shared
    # names: the export must still say exactly where everyone belongs
    other = services.org_unit_create(
        actor=None, name="另一省侨联机关", code="LY", kind="agency", level="provincial"
    )
    office = services.org_unit_create(
        actor=None,
        name="办公室",
        code="LY-BGS",
        parent=other,
        kind="department",
        level="provincial",
    )
    services.person_create(
        actor=None, name="高宇", gender="M", unit=office, birth_month=dt.date(1970, 8, 1)
    )
    services.person_create(
        actor=None, name='=HYPERLINK("x")', gender="F", unit=office, rank=Rank.objects.first()
    )
    before = _snapshot()
    assert len(before[0]) == 19 and len(before[1]) == 162

    client.force_login(admin, backend="luoshi.orgs.auth.AccountBackend")
    book, data = exported(client)
    formula_like = next(c for c in book["人员"]["A"] if str(c.value).startswith("=HYPERLINK"))
    assert formula_like.data_type == "s"  # written as text, never as a formula

    _wipe()
    assert not OrgUnit.objects.exists() and not Person.objects.exists()
    result = import_org_people(data, actor=admin)
    assert (result.units, result.people) == (19, 162)
    assert _snapshot() == before


def test_export_is_scoped_to_what_the_user_sees(org, client_for) -> None:
    book, _data = exported(client_for("staff"))
    # the parent (the agency) is not visible to staff: the unit is a top unit of the file
    assert rows(book, "单位") == [("经济科技部", "T-JKB", None, "内设部门", "省级", 2)]
    assert {r[0] for r in rows(book, "人员")} == {"戊科员", "己科员"}
    book, _data = exported(client_for("outsider"))
    assert {r[0] for r in rows(book, "人员")} == {"寅市侨联"}
    assert [r[1] for r in rows(book, "单位")] == ["T-C01"]


def test_export_follows_the_people_list_filters(org, client_for) -> None:
    client = client_for("admin")
    services.person_update(actor=None, person=org.people["staff"], gender="M")
    book, _ = exported(client, gender="M")
    assert [r[0] for r in rows(book, "人员")] == ["戊科员"]
    book, _ = exported(client, q="丙主")
    assert [r[0] for r in rows(book, "人员")] == ["丙主任"]
    book, _ = exported(client, unit=org.econ.pk)
    assert {r[0] for r in rows(book, "人员")} == {"戊科员", "己科员"}
    assert [r[1] for r in rows(book, "单位")] == ["T-JKB"]
    rank = Rank.objects.get(name="一级科员")
    services.person_update(actor=None, person=org.people["head"], rank=rank)
    book, _ = exported(client, rank=rank.pk)
    assert [r[0] for r in rows(book, "人员")] == ["丙主任"]
    category = org.people["head"].staff_category
    book, _ = exported(client, staff_category=category.pk)
    assert len(rows(book, "人员")) == Person.objects.filter(staff_category=category).count() > 1


def test_people_list_links_to_the_export_with_its_filters(org, client_for) -> None:
    page = client_for("admin").get(reverse("orgs:people"), {"gender": "F", "q": "科员"})
    assert reverse("orgs:export") + "?gender=F&amp;q=" in page.content.decode()


@pytest.mark.parametrize("persona", ["security", "auditor"])
def test_export_is_not_found_without_business_scope(client_for, persona) -> None:
    assert client_for(persona).get(reverse("orgs:export")).status_code == 404


def test_export_needs_login(client, org) -> None:
    response = client.get(reverse("orgs:export"))
    assert response.status_code == 302


# --- every export is recorded: it carries personal data out of the system ------------------------


def export_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="org_people.export").order_by("id"))


def test_export_is_audited_with_its_filters_and_row_counts(org, client_for) -> None:
    client = client_for("admin")
    book, _ = exported(client, gender="F", q="科员")
    [entry] = export_entries()
    assert entry.actor_id == org.users["admin"].pk
    assert entry.object_type == "orgs.export"
    assert entry.object_repr.startswith("org-people-") and entry.object_repr.endswith(".xlsx")
    assert entry.after is not None
    assert entry.after["filters"]["gender"] == "F"
    assert entry.after["filters"]["q"] == "科员"
    assert entry.after["filters"]["unit"] is None
    assert (entry.after["units"], entry.after["people"]) == (
        len(rows(book, "单位")),
        len(rows(book, "人员")),
    )
    assert entry.after["people"] == 4  # 丁科员, 戊科员, 己科员, 庚科员: all women in the fixture

    exported(client, unit=org.econ.pk)
    last = export_entries()[-1]
    assert last.after is not None
    assert last.after["filters"]["unit"] == org.econ.pk
    assert (last.after["units"], last.after["people"]) == (1, 2)


def test_export_entry_counts_only_what_the_user_sees(org, client_for) -> None:
    exported(client_for("staff"))
    [entry] = export_entries()
    assert entry.actor_id == org.users["staff"].pk
    assert entry.after is not None
    assert (entry.after["units"], entry.after["people"]) == (1, 2)


def test_export_refused_writes_no_entry(org, client_for, client) -> None:
    assert client_for("security").get(reverse("orgs:export")).status_code == 404
    assert client.get(reverse("orgs:export")).status_code == 302
    assert export_entries() == []
