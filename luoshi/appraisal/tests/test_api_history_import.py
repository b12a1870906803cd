"""Earlier years' results imported over the API: preview (dry run) → commit, all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from luoshi.appraisal.models import AnnualCycle, YearResult
from luoshi.core.models import AuditEntry

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisal"


def book(rows: list[list[Any]]) -> io.BytesIO:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["年度", "姓名", "单位", "等次", "备注"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "history.xlsx"
    return out


def send(headers: Any, cycle: AnnualCycle, file: Any, *, dry_run: bool = False) -> Any:
    data: dict[str, Any] = {"dry_run": "true" if dry_run else "false"}
    if file is not None:
        data["file"] = file
    return Client(**headers).post(f"{BASE}/cycles/{cycle.pk}/history-import", data=data)


GOOD: list[list[Any]] = [
    [2023, "戊科员", "经济科技部", "优秀", "旧系统"],
    ["2024年", "戊科员", "", "优秀", ""],
    [2024, "丙主任", "", "", ""],
]


def test_preview_then_commit(org: Any, cycle: AnnualCycle, token_for: Any) -> None:
    hr = token_for("hr")
    resp = send(hr, cycle, book(GOOD), dry_run=True)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["dry_run"] is True and body["committed"] is False and body["count"] == 3
    assert [(r["row"], r["name"], r["year"], r["grade"]) for r in body["rows"]] == [
        (2, "戊科员", 2023, "excellent"),
        (3, "戊科员", 2024, "excellent"),
        (4, "丙主任", 2024, ""),
    ]
    assert body["rows"][0]["note"] == "旧系统"
    assert not YearResult.objects.exists()  # a preview writes nothing
    assert AuditEntry.objects.filter(
        action="appraisal.view", after__what="api.history_import_preview"
    ).exists()

    resp = send(hr, cycle, book(GOOD))
    assert resp.status_code == 201, resp.content
    assert resp.json()["committed"] is True and resp.json()["count"] == 3
    staff = org.people["staff"]
    assert YearResult.objects.filter(person=staff, grade="excellent", source="import").count() == 2
    assert YearResult.objects.get(person=org.people["head"]).grade == ""
    entry = AuditEntry.objects.get(action="appraisal.history_import")
    assert entry.actor_id == org.users["hr"].pk
    assert entry.after is not None
    assert entry.after["rows"] == 3 and entry.after["file"] == "history.xlsx"
    assert len(entry.after["sha256"]) == 64


def test_a_bad_file_writes_nothing_and_names_the_rows(
    org: Any, cycle: AnnualCycle, token_for: Any
) -> None:
    hr = token_for("hr")
    rows: list[list[Any]] = [[2023, "戊科员", "", "优秀", ""], [2024, "无此人", "", "称职", ""]]
    rows.append([2099, "戊科员", "", "好", ""])
    for dry_run in (True, False):
        resp = send(hr, cycle, book(rows), dry_run=dry_run)
        assert resp.status_code == 422, resp.content
        body = resp.json()
        assert body["code"] == "import_invalid"
        assert [(d["row"], d["column"]) for d in body["details"]] == [(3, "name"), (4, "year")]
    assert not YearResult.objects.exists()  # all or nothing
    assert not AuditEntry.objects.filter(action="appraisal.history_import").exists()

    not_xlsx = io.BytesIO(b"year,name\n2023,x\n")
    not_xlsx.name = "history.xlsx"
    resp = send(hr, cycle, not_xlsx)
    assert resp.status_code == 422 and resp.json()["code"] in {"not_xlsx", "invalid_file"}
    resp = send(hr, cycle, None)
    assert resp.status_code == 422 and resp.json()["details"][0]["column"] == "file"
    assert not YearResult.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "leader", "committee", "outsider"])
def test_only_the_personnel_officer_may_import(
    org: Any, cycle: AnnualCycle, token_for: Any, persona: str
) -> None:
    for dry_run in (True, False):
        resp = send(token_for(persona), cycle, book(GOOD), dry_run=dry_run)
        assert resp.status_code == 404, (persona, resp.content)
    assert not YearResult.objects.exists()
    assert not AuditEntry.objects.filter(action="appraisal.history_import").exists()
    assert Client().post(f"{BASE}/cycles/{cycle.pk}/history-import").status_code == 401
