"""POST /api/v1/plans/{id}/import: the same import as the page, in one call."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.core.models import AuditEntry
from luoshi.orgs import services as org_services
from luoshi.orgs.models import OrgUnit, User
from luoshi.plans.models import Milestone, Task
from luoshi.plans.services.imports import import_outline, parse_for

from .test_imports_pages import CRAFTED, DOCX, XLSX, Demo, make_demo, nothing_written

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: Any) -> Demo:
    return make_demo()


USERS = ("demo_supervisor", "demo_leader", "demo_staff", "demo_outsider", "demo_admin")


@pytest.fixture
def call(demo: Demo) -> Callable[..., Any]:
    """POST a file to the plan's import as one of the demo accounts (tokens made up front, so
    that making them is not counted as a write of the import)."""
    headers: dict[str, dict[str, Any]] = {}
    for username in USERS:
        user = User.objects.get(username=username)
        _token, raw = org_services.api_token_create(actor=None, user=user, name="test")
        headers[username] = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def post(
        data: bytes | None,
        name: str = "plan.docx",
        username: str = "demo_supervisor",
        plan_id: int | None = None,
        **fields: Any,
    ) -> Any:
        body: dict[str, Any] = dict(fields)
        if data is not None:
            body["file"] = SimpleUploadedFile(name, data)
        url = f"/api/v1/plans/{plan_id or demo.plan.pk}/import"
        return Client().post(url, body, **headers[username])

    return post


def test_dry_run_then_commit_of_the_shared_docx(demo: Demo, call: Any) -> None:
    with nothing_written():
        dry = call(DOCX.read_bytes(), dry_run="true")
    assert dry.status_code == 201, dry.content
    body = dry.json()
    assert (body["kind"], body["key_points"], body["tasks"], body["committed"]) == (
        "outline",
        8,
        24,
        False,
    )
    assert [u for u in body["unresolved"] if u["field"] == "lead"] == []
    assert body["enriched"] is None

    done = call(DOCX.read_bytes(), confirm_mismatch="true")  # headed 滨海省…: see below
    assert done.status_code == 201, done.content
    assert done.json()["committed"] is True and done.json()["tasks"] == 24
    assert Task.objects.filter(plan=demo.plan).count() == 24
    assert AuditEntry.objects.filter(action="plan.import").count() == 1
    (entry,) = AuditEntry.objects.filter(action="plan.import_file")
    assert entry.after is not None and entry.after["file"] == "plan.docx"

    # again into the plan that now has its outline: refused, nothing written
    with nothing_written():
        again = call(DOCX.read_bytes())
    assert again.status_code == 422 and again.json()["code"] == "plan_has_outline"


def test_missing_lead_units_are_422_with_details_until_overridden(demo: Demo, call: Any) -> None:
    with nothing_written():
        missing = call(CRAFTED)
    assert missing.status_code == 422
    body = missing.json()
    assert body["code"] == "lead_unit_missing"
    assert [(d["code"], d["field"]) for d in body["details"]] == [("2024-1-0-1", "lead")]

    with nothing_written():
        dry = call(CRAFTED, dry_run="true")
    assert dry.status_code == 201 and dry.json()["committed"] is False
    fields = sorted((u["code"], u["field"]) for u in dry.json()["unresolved"])
    assert fields == [
        ("2024-1-0-1", "cooperating"),
        ("2024-1-0-1", "deadline"),
        ("2024-1-0-1", "lead"),
    ]

    office = OrgUnit.objects.get(code="JL-BGS")
    overrides = {"2024-1-0-1": {"lead": office.pk, "deadline": "2024-09-30"}}
    done = call(CRAFTED, overrides=json.dumps(overrides))
    assert done.status_code == 201, done.content
    assert [u["field"] for u in done.json()["unresolved"]] == ["cooperating"]
    task = Task.objects.get(plan=demo.plan, code="2024-1-0-1")
    assert task.lead_unit == office and task.deadline is not None
    assert task.deadline.isoformat() == "2024-09-30"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ("{not json", "overrides"),
        ('["2024-1-0-1"]', "overrides"),
        ('{"2024-1-0-1": {"lead": "office"}}', "overrides.2024-1-0-1.lead"),
        ('{"2024-1-0-1": {"deadline": "2024-02-30"}}', "overrides.2024-1-0-1.deadline"),
        ('{"2024-1-0-1": {"colour": "red"}}', "overrides.2024-1-0-1.colour"),
        ('{"2024-9-9-9": {"lead": 1}}', "overrides.2024-9-9-9"),
    ],
)
def test_bad_overrides_are_422(demo: Demo, call: Any, overrides: str, field: str) -> None:
    with nothing_written():
        response = call(CRAFTED, overrides=overrides)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["details"]]


def test_a_lead_unit_outside_the_agency_is_refused(demo: Demo, call: Any) -> None:
    outside = org_services.org_unit_create(
        actor=None, name="外单位", code="X-OUT", kind="agency", level="provincial"
    )
    with nothing_written():
        response = call(CRAFTED, overrides=json.dumps({"2024-1-0-1": {"lead": outside.pk}}))
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "overrides.2024-1-0-1.lead"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (None, "", "invalid"),
        (b"", "empty.docx", "empty_file"),
        (b"%PDF-1.7 not really", "plan.pdf", "not_docx"),
        (b"plain text", "plan.docx", "not_docx"),
        (b"PK\x03\x04broken", "table.xlsx", "corrupt_xlsx"),
    ],
)
def test_a_bad_or_missing_file_is_422(call: Any, data: bytes | None, name: str, code: str) -> None:
    with nothing_written():
        response = call(data, name)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["message"]
    if data is None:
        assert body["details"][0]["field"] == "file"


@pytest.mark.parametrize(
    ("username", "status"),
    [("demo_leader", 403), ("demo_staff", 404), ("demo_outsider", 404), ("demo_admin", 404)],
)
def test_who_may_import(demo: Demo, call: Any, username: str, status: int) -> None:
    with nothing_written():
        response = call(DOCX.read_bytes(), username=username)
    assert response.status_code == status
    assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[status]


def test_an_unknown_plan_is_not_found_and_credentials_are_needed(demo: Demo, call: Any) -> None:
    assert call(DOCX.read_bytes(), plan_id=demo.plan.pk + 1000).status_code == 404
    anonymous = Client().post(
        f"/api/v1/plans/{demo.plan.pk}/import", {"file": SimpleUploadedFile("a.docx", b"x")}
    )
    assert anonymous.status_code == 401


def test_the_breakdown_table_completes_the_outline(demo: Demo, call: Any) -> None:
    import_outline(
        actor=demo.supervisor,
        plan=demo.plan,
        parsed=parse_for(demo.plan, DOCX.read_bytes()),
    )
    with nothing_written():
        dry = call(XLSX.read_bytes(), "breakdown.xlsx", dry_run="true")
    assert dry.status_code == 201, dry.content
    enriched = dry.json()["enriched"]
    assert dry.json()["kind"] == "enrich" and dry.json()["committed"] is False
    assert (enriched["tasks"], enriched["milestones"], enriched["unmatched"]) == (3, 7, [])
    assert any("repeats" in s["message"] for s in enriched["skipped"])

    done = call(XLSX.read_bytes(), "breakdown.xlsx")
    assert done.status_code == 201 and done.json()["committed"] is True
    assert Milestone.objects.filter(task__plan=demo.plan).count() == 7
    # overrides are for the tasks of an outline import
    with nothing_written():
        wrong = call(XLSX.read_bytes(), "b.xlsx", overrides='{"2024-2-1-1": {"lead": 1}}')
    assert wrong.status_code == 422


def test_the_breakdown_table_into_an_empty_plan(demo: Demo, call: Any) -> None:
    response = call(XLSX.read_bytes(), "breakdown.xlsx")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["key_points"], body["tasks"], body["committed"]) == (
        "breakdown",
        1,
        3,
        True,
    )
    assert Task.objects.filter(plan=demo.plan, key_point__title="任务分解表").count() == 3
