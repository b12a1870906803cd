"""Import of the shared work-points docx into the demo agency: 8 key points, 24 tasks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs.demo import AGENCY_CODE, build_demo
from luoshi.orgs.models import OrgUnit
from luoshi.plans.models import KeyPoint, Task, WorkPlan
from luoshi.plans.services.imports import Override, import_outline, unit_resolver
from luoshi.plans.services.plans import plan_create

pytestmark = pytest.mark.django_db
SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "work-points-2024.docx"


@pytest.fixture
def demo_agency(db) -> OrgUnit:
    build_demo()
    return OrgUnit.objects.get(code=AGENCY_CODE)


def test_cli_dry_run_prints_the_summary(demo_agency) -> None:
    out = io.StringIO()
    call_command(
        "import-plan",
        str(SAMPLE),
        "--org",
        AGENCY_CODE,
        "--year",
        "2024",
        "--dry-run",
        "--json",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["key_points"] == 8 and summary["tasks"] == 24
    assert [u for u in summary["unresolved"] if u["field"] == "lead"] == []
    assert not WorkPlan.objects.exists()


def test_cli_imports_the_whole_plan(demo_agency) -> None:
    out = io.StringIO()
    call_command(
        "import-plan",
        str(SAMPLE),
        "--org",
        AGENCY_CODE,
        "--year",
        "2024",
        "--json",
        "--confirm-mismatch",  # headed 滨海省…, not 江岚省…
        stdout=out,
        stderr=io.StringIO(),
    )
    assert json.loads(out.getvalue())["tasks"] == 24
    plan = WorkPlan.objects.get(agency=demo_agency, year=2024)
    assert plan.status == WorkPlan.Status.DRAFT
    assert KeyPoint.objects.filter(plan=plan, level=1).count() == 8
    assert Task.objects.filter(plan=plan).count() == 24
    first = Task.objects.get(plan=plan, code="2024-1-1-1")
    assert first.lead_unit.name == "机关党委"
    assert {u.name for u in first.cooperating_units.all()} == {"办公室", "研究室"}
    assert first.deadline is not None and first.deadline.isoformat() == "2024-12-31"
    assert first.indicators.filter(target=12).exists()
    # 各部门 expands to every department of the agency.
    everyone = [t for t in Task.objects.filter(plan=plan) if t.cooperating_units.count() >= 9]
    assert everyone
    assert AuditEntry.objects.filter(action="plan.import").count() == 1
    # Importing again into the same plan is refused and writes nothing.
    with pytest.raises(CommandError):
        call_command(
            "import-plan",
            str(SAMPLE),
            "--org",
            AGENCY_CODE,
            "--year",
            "2024",
            "--confirm-mismatch",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Task.objects.filter(plan=plan).count() == 24


def test_unknown_lead_units_block_the_commit_until_chosen(demo_agency) -> None:
    plan = plan_create(actor=None, agency=demo_agency, year=2024, title="t")
    other = OrgUnit.objects.create(
        name="外单位", code="X-1", kind="agency", level="provincial", path="99999999/"
    )
    resolver = unit_resolver(demo_agency)
    from luoshi.documents.outline import parse_outline

    parsed = parse_outline(
        [
            "测试省机关2024年工作要点",
            "一、加强学习",
            "1.开展学习（牵头部门：外星部；完成时限：6月底前）",
        ],
        resolve=resolver,
        year=2024,
    )
    assert other.pk not in resolver("外单位")
    with pytest.raises(InvalidInput) as info:
        import_outline(actor=None, plan=plan, parsed=parsed)
    assert info.value.details[0]["code"] == "2024-1-0-1"
    assert not Task.objects.exists() and not KeyPoint.objects.exists()
    office = OrgUnit.objects.get(code="JL-BGS")
    result = import_outline(
        actor=None,
        plan=plan,
        parsed=parsed,
        overrides={"2024-1-0-1": Override(lead=office.pk)},
    )
    assert result.committed and Task.objects.get().lead_unit == office


def test_a_broken_file_is_a_clear_error(demo_agency) -> None:
    with pytest.raises(CommandError, match=r"Word|docx|document"):
        call_command(
            "import-plan",
            str(Path(settings.BASE_DIR) / "README.md"),
            "--org",
            AGENCY_CODE,
            "--year",
            "2024",
            stdout=io.StringIO(),
        )
    assert not WorkPlan.objects.exists()
