"""The org-people import in bulk: a workbook of many people is written in a bounded number of
statements whatever its size (bulk_create in batches, the audit chain's head read once), each
unit and person audited as by hand plus the import with the file's name and digest, the chain
intact; the materialised paths of units nested in the file are right; a row the services would
refuse fails the whole import by its row number."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core import audit
from luoshi.core.models import AuditEntry
from luoshi.orgs.imports import import_org_people
from luoshi.orgs.models import OrgUnit, Person

from .test_import import DEPT, ROOT, nothing_written, person, workbook

pytestmark = pytest.mark.django_db

SUB = ["宣传一处", "SL-XCB-1", "宣传部", "内设部门", "省级", 3]


def test_many_people_in_a_bounded_number_of_statements(org: Any) -> None:
    people = [person(姓名=f"赵{i}", 手机号码=f"138{i:08d}") for i in range(1500)]
    data = workbook(units=(ROOT, DEPT, SUB), people=people)
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        result = import_org_people(data, actor=org.users["admin"], file_name="人员.xlsx")
    assert (result.units, result.people) == (3, 1500)
    assert len(queries) < 120  # not one statement (or savepoint) per row
    heads = [
        q for q in queries if q["sql"].startswith("SELECT") and '"core_auditentry"' in q["sql"]
    ]
    assert len(heads) == 1
    assert AuditEntry.objects.count() == entries + 3 + 1500 + 1
    assert AuditEntry.objects.filter(action="person.create").count() >= 1500
    summary = AuditEntry.objects.get(action="org_people.import")
    assert summary.after == {
        "file": "人员.xlsx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "units": 3,
        "people": 1500,
    }
    assert audit.verify_chain().ok
    root, dept, sub = (OrgUnit.objects.get(code=c) for c in ("SLQ", "SL-XCB", "SL-XCB-1"))
    assert sub.parent == dept and dept.parent == root
    assert sub.path.startswith(dept.path) and dept.path.startswith(root.path)
    assert (root.depth, dept.depth, sub.depth) == (0, 1, 2)
    zhao = Person.objects.get(name="赵7")
    assert zhao.unit == dept and zhao.search_text and zhao.mobile == "13800000007"


def test_each_person_is_audited_with_the_snapshot_the_services_take(org: Any) -> None:
    """The import snapshots its people by a faster path: the entries are the services' own
    snapshots of the people as stored (months, list entries, the unit, a blank mobile)."""
    people = [person(姓名=f"钱{i}", 手机号码=f"139{i:08d}" if i % 2 else "") for i in range(20)]
    import_org_people(workbook(units=(ROOT, DEPT), people=people), actor=org.users["admin"])
    entries = {int(e.object_id): e.after for e in AuditEntry.objects.filter(action="person.create")}
    stored = Person.objects.filter(name__startswith="钱")
    assert stored.count() == 20
    for row in stored:
        assert entries[row.pk] == audit.snapshot(row), row.name
    assert audit.verify_chain().ok


def test_a_taken_code_fails_the_whole_import_by_its_row(org: Any) -> None:
    OrgUnit.objects.filter(pk=org.office.pk).update(code="SL-XCB")
    data = workbook(units=(ROOT, DEPT), people=[person()])
    with nothing_written(), pytest.raises(Exception) as caught:
        import_org_people(data, actor=None)
    details = getattr(caught.value, "details", [])
    assert [(d["sheet"], d["row"]) for d in details] == [("单位", 3)]
