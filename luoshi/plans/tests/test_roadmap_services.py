"""The roadmap's one check: every way a milestone or an indicator enters a task (creation, an
adjustment's request and approval, milestone_add and indicator_add, both imports) refuses the
same bad row with the same message, naming the row; limits as the model fields hold them (run on
PostgreSQL too: a too long name or unit fails only there when it reaches the database)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import translation

from luoshi.core.errors import InvalidInput
from luoshi.documents.assignments import UnitRef
from luoshi.documents.breakdown import ParsedBreakdown
from luoshi.documents.dates import Deadline
from luoshi.documents.indicators import HIGHER, ProposedIndicator
from luoshi.documents.outline import ParsedKeyPoint, ParsedMilestone, ParsedPlan, ParsedTask
from luoshi.plans.models import AdjustmentRequest, Indicator, Milestone, Task, WorkPlan
from luoshi.plans.services.adjustments import adjustment_decide, adjustment_request
from luoshi.plans.services.imports import import_outline, plan_enrichment
from luoshi.plans.services.plans import plan_create
from luoshi.plans.services.roadmap import (
    INDICATOR_NAME_MAX,
    INDICATOR_UNIT_MAX,
    MILESTONE_TITLE_MAX,
    TARGET_LIMIT,
    indicator_add,
    milestone_add,
)
from luoshi.plans.services.tasks import IndicatorIn, MilestoneIn, TaskIn, task_create

from .conftest import issue

pytestmark = pytest.mark.django_db

D = dt.date
DEADLINE = D(2026, 6, 30)  # of the task 2026-2-0-2 in the plan fixture

NAME_MESSAGE = "An indicator needs a name of at most 200 characters."
UNIT_MESSAGE = "The unit of measure has at most 32 characters."
TARGET_MESSAGE = "The target is not a valid number."
DIRECTION_MESSAGE = "Choose whether higher or lower is better."
TITLE_MESSAGE = "A milestone needs a title of at most 300 characters."

# (name, target, unit, direction) → the field refused and its message
BAD_INDICATORS = [
    pytest.param(("指" * 201, "5", "个", "higher"), "name", NAME_MESSAGE, id="name-201"),
    pytest.param(("指" * 300, "5", "个", "higher"), "name", NAME_MESSAGE, id="name-300"),
    pytest.param((" ", "5", "个", "higher"), "name", NAME_MESSAGE, id="name-blank"),
    pytest.param(("培训", "5", "单" * 33, "higher"), "unit", UNIT_MESSAGE, id="unit-33"),
    pytest.param(("培训", "5", "单" * 100, "higher"), "unit", UNIT_MESSAGE, id="unit-100"),
    pytest.param(("培训", "1e15", "次", "higher"), "target", TARGET_MESSAGE, id="target-1e15"),
    pytest.param(("培训", "1e12", "次", "higher"), "target", TARGET_MESSAGE, id="target-1e12"),
    pytest.param(
        ("培训", "999999999999.995", "次", "higher"), "target", TARGET_MESSAGE, id="rounds-over"
    ),
    pytest.param(("培训", "NaN", "次", "higher"), "target", TARGET_MESSAGE, id="target-nan"),
    pytest.param(("培训", "-Infinity", "次", "higher"), "target", TARGET_MESSAGE, id="target-inf"),
    pytest.param(("培训", "5", "次", "sideways"), "direction", DIRECTION_MESSAGE, id="direction"),
    # issue 15 finding 3: a count is not below zero unless the indicator declares it may be
    pytest.param(
        ("培训", "-5", "次", "higher"),
        "target",
        "The target of indicator “培训” cannot be negative (declare the indicator as one that "
        "may be negative if it is).",
        id="target-negative",
    ),
]

# (title, due date) → the field refused and its message
BAD_MILESTONES = [
    pytest.param(("节" * 301, D(2026, 3, 31)), "title", TITLE_MESSAGE, id="title-301"),
    pytest.param(("  ", D(2026, 3, 31)), "title", TITLE_MESSAGE, id="title-blank"),
    pytest.param(
        ("总结", D(2026, 7, 1)),
        "due_date",
        "Milestone “总结” is due after the task's deadline.",
        id="after-deadline",
    ),
]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def counts() -> tuple[int, ...]:
    return (
        Task.objects.count(),
        Milestone.objects.count(),
        Indicator.objects.count(),
        AdjustmentRequest.objects.count(),
    )


@contextmanager
def refused(field: str, message: str) -> Iterator[None]:
    """The block raises InvalidInput with exactly this one problem, and writes nothing."""
    before = counts()
    with pytest.raises(InvalidInput) as info:
        yield
    assert [(d["field"], d["message"]) for d in info.value.details] == [(field, message)]
    assert counts() == before


def _task(plan: WorkPlan) -> Task:
    return plan.tasks.get(code="2026-2-0-2")


def _task_in(plan: WorkPlan, org: Any, **roadmap: Any) -> TaskIn:
    return TaskIn(
        plan=plan,
        code="2026-9-0-1",
        title="新任务",
        lead_unit=org.econ,
        deadline=DEADLINE,
        **roadmap,
    )


def _indicator(values: tuple[str, str, str, str]) -> IndicatorIn:
    name, target, unit, direction = values
    return IndicatorIn(name, decimal.Decimal(target), unit, direction)


def _add_op(values: tuple[str, str, str, str]) -> dict[str, Any]:
    name, target, unit, direction = values
    return {"op": "add", "name": name, "target": target, "unit": unit, "direction": direction}


# --- indicators: every path, the same refusal ------------------------------------------------


@pytest.mark.parametrize(("values", "field", "message"), BAD_INDICATORS)
def test_task_create_refuses_the_indicator(org, plan, values, field, message) -> None:
    good = IndicatorIn("办结率", decimal.Decimal(95), "%")
    with refused(f"indicators[1].{field}", message):
        task_create(
            actor=org.users["supervisor"],
            data=_task_in(plan, org, indicators=[good, _indicator(values)]),
        )


@pytest.mark.parametrize(("values", "field", "message"), BAD_INDICATORS)
def test_indicator_add_refuses_the_indicator(org, plan, values, field, message) -> None:
    name, target, unit, direction = values
    with refused(field, message):
        indicator_add(
            actor=org.users["supervisor"],
            task=_task(plan),
            name=name,
            target=decimal.Decimal(target),
            unit=unit,
            direction=direction,
        )


@pytest.mark.parametrize(("values", "field", "message"), BAD_INDICATORS)
def test_adjustment_request_refuses_the_indicator(org, plan, values, field, message) -> None:
    issue(org, plan)
    task = _task(plan)
    changes = {"indicators": [_add_op(("咨询报告", "5", "篇", "higher")), _add_op(values)]}
    with refused(f"indicators[1].{field}", message):
        adjustment_request(actor=org.users["staff"], task=task, reason="调整", changes=changes)


@pytest.mark.parametrize(("values", "field", "message"), BAD_INDICATORS)
def test_adjustment_approval_checks_the_stored_indicator_again(
    org, plan, values, field, message
) -> None:
    """A stored request is checked again when approved (the task may have changed since): the
    same row is refused with the same message, and nothing is applied."""
    issue(org, plan)
    task = _task(plan)
    stored = AdjustmentRequest.objects.create(
        task=task,
        requested_by=org.users["staff"],
        reason="调整",
        changes={"indicators": [_add_op(values)]},
    )
    before = counts()
    with pytest.raises(InvalidInput) as info:
        adjustment_decide(actor=org.users["supervisor"], adjustment=stored, approve=True)
    assert [(d["field"], d["message"]) for d in info.value.details] == [
        (f"indicators[0].{field}", message)
    ]
    assert counts() == before
    stored.refresh_from_db()
    assert stored.status == AdjustmentRequest.Status.PENDING


def _row(title: str, code: str = "", **parts: Any) -> ParsedTask:
    return ParsedTask(code=code, number=1, label="1.", title=title, text=title, **parts)


def test_the_breakdown_import_leaves_out_what_the_check_refuses(org, plan) -> None:
    big = ProposedIndicator("覆盖国家", decimal.Decimal("1e15"), "个", HIGHER, "覆盖国家1e15个")
    long_unit = ProposedIndicator("培训", decimal.Decimal(3), "单" * 33, HIGHER, "培训3单")
    fine = ProposedIndicator("培训", decimal.Decimal(300), "人次", HIGHER, "培训300人次")
    late = ParsedMilestone("总结", D(2026, 7, 1), "7月1日前总结")
    ok = ParsedMilestone("启动", D(2026, 3, 31), "3月底前启动")
    breakdown = ParsedBreakdown(
        sheet="分解表",
        header_row=1,
        year=2026,
        tasks=[
            _row(
                "组建侨界专家智库",
                line=2,
                indicators=[big, long_unit, fine],
                milestones=[late, ok],
            )
        ],
    )
    enrichment = plan_enrichment(plan, breakdown)
    (match,) = enrichment.rows
    assert match.task == _task(plan)
    # Too long a unit is cut to the field's length (a document's text), not refused.
    assert match.indicators == [long_unit, fine] and match.milestones == [ok]
    assert match.skipped == [
        "Milestone “总结” is due after the task's deadline.",
        f"“覆盖国家1e15个”: {TARGET_MESSAGE}",
    ]


def test_the_outline_import_leaves_out_a_target_the_field_cannot_hold(org) -> None:
    plan = plan_create(actor=org.users["supervisor"], agency=org.agency, year=2027, title="要点")
    big = ProposedIndicator("覆盖国家", decimal.Decimal("1e15"), "个", HIGHER, "覆盖国家1e15个")
    fine = ProposedIndicator("培训", decimal.Decimal("300.456"), "人" * 40, HIGHER, "培训300人")
    task = _row(
        "开展培训",
        code="2027-1-0-1",
        lead=UnitRef("经济科技部", (org.econ.pk,)),
        deadline=Deadline("6月底前", D(2027, 6, 30)),
        indicators=[big, fine],
        milestones=[
            ParsedMilestone("节" * 400, D(2027, 3, 31), "3月底前…"),
            ParsedMilestone("总结", D(2027, 7, 1), "7月1日前总结"),
        ],
    )
    parsed = ParsedPlan(
        title="要点",
        year=2027,
        key_points=[ParsedKeyPoint(number=1, label="一、", title="培训", tasks=[task])],
    )
    result = import_outline(actor=org.users["supervisor"], plan=plan, parsed=parsed)
    assert result.committed
    assert result.unresolved == [
        {
            "code": "2027-1-0-1",
            "field": "indicators",
            "text": "覆盖国家1e15个",
            "message": TARGET_MESSAGE,
        }
    ]
    created = Task.objects.get(plan=plan)
    indicator = created.indicators.get()
    assert (indicator.name, indicator.target, indicator.unit) == (
        "培训",
        decimal.Decimal("300.46"),
        "人" * INDICATOR_UNIT_MAX,
    )
    # A title cut to the field's length; a milestone after the deadline left out (as before).
    assert list(created.milestones.values_list("title", flat=True)) == ["节" * MILESTONE_TITLE_MAX]


# --- milestones: every path, the same refusal ------------------------------------------------


@pytest.mark.parametrize(("values", "field", "message"), BAD_MILESTONES)
def test_task_create_refuses_the_milestone(org, plan, values, field, message) -> None:
    good = MilestoneIn("启动", D(2026, 3, 31))
    with refused(f"milestones[1].{field}", message):
        task_create(
            actor=org.users["supervisor"],
            data=_task_in(plan, org, milestones=[good, MilestoneIn(*values)]),
        )


@pytest.mark.parametrize(("values", "field", "message"), BAD_MILESTONES)
def test_milestone_add_refuses_the_milestone(org, plan, values, field, message) -> None:
    title, due = values
    with refused(field, message):
        milestone_add(actor=org.users["supervisor"], task=_task(plan), title=title, due_date=due)


@pytest.mark.parametrize(("values", "field", "message"), BAD_MILESTONES)
def test_adjustment_request_refuses_the_milestone(org, plan, values, field, message) -> None:
    issue(org, plan)
    title, due = values
    changes = {"milestones": [{"op": "add", "title": title, "due_date": due.isoformat()}]}
    with refused(f"milestones[0].{field}", message):
        adjustment_request(
            actor=org.users["staff"], task=_task(plan), reason="调整", changes=changes
        )


def test_an_adjustment_checks_milestones_against_the_new_deadline(org, plan) -> None:
    issue(org, plan)
    changes = {
        "deadline": D(2026, 9, 30),
        "milestones": [{"op": "add", "title": "总结", "due_date": "2026-07-01"}],
    }
    request = adjustment_request(
        actor=org.users["staff"], task=_task(plan), reason="延期", changes=changes
    )
    assert request.changes["milestones"][0]["due_date"] == "2026-07-01"


def test_a_milestone_without_a_due_date_is_refused(org, plan) -> None:
    issue(org, plan)
    changes = {"milestones": [{"op": "add", "title": "总结", "due_date": "not a date"}]}
    with refused("milestones[0].due_date", "Milestone “总结” needs a due date."):
        adjustment_request(
            actor=org.users["staff"], task=_task(plan), reason="调整", changes=changes
        )


def test_every_problem_of_a_task_is_named_at_once(org, plan) -> None:
    """The milestones' and the indicators' problems come together, each naming its row."""
    with pytest.raises(InvalidInput) as info:
        task_create(
            actor=org.users["supervisor"],
            data=_task_in(
                plan,
                org,
                milestones=[MilestoneIn("", D(2026, 7, 1))],
                indicators=[IndicatorIn("指" * 300, decimal.Decimal("1e15"), "单" * 100)],
            ),
        )
    assert [d["field"] for d in info.value.details] == [
        "milestones[0].title",
        "milestones[0].due_date",
        "indicators[0].name",
        "indicators[0].unit",
        "indicators[0].target",
    ]


# --- the limits are the model's ----------------------------------------------------------------


def test_the_limits_are_read_from_the_model_fields() -> None:
    assert MILESTONE_TITLE_MAX == Milestone._meta.get_field("title").max_length == 300
    assert INDICATOR_NAME_MAX == Indicator._meta.get_field("name").max_length == 200
    assert INDICATOR_UNIT_MAX == Indicator._meta.get_field("unit").max_length == 32
    assert decimal.Decimal(10) ** 12 == TARGET_LIMIT  # max_digits 14, decimal_places 2


def test_rows_at_the_limits_are_stored_on_every_database(org, plan) -> None:
    largest = decimal.Decimal("999999999999.99")
    task = task_create(
        actor=org.users["supervisor"],
        data=_task_in(
            plan,
            org,
            milestones=[MilestoneIn(" " + "节" * 300 + " ", DEADLINE)],
            indicators=[
                IndicatorIn("指" * 200, largest, "单" * 32),
                IndicatorIn("降低", decimal.Decimal("-0.004"), " % ", Indicator.Direction.LOWER),
            ],
        ),
    )
    assert list(task.milestones.values_list("title", flat=True)) == ["节" * 300]
    assert list(task.indicators.values_list("name", "target", "unit")) == [
        ("指" * 200, largest, "单" * 32),
        ("降低", decimal.Decimal("0.00"), "%"),
    ]
    added = indicator_add(  # a negative target needs an indicator declared as one
        actor=org.users["supervisor"],
        task=task,
        name="指" * 200,
        target=-largest,
        unit="单" * 32,
        allows_negative=True,
    )
    added.refresh_from_db()
    assert added.target == -largest


# --- the task form shows the problems next to its fields -----------------------------------------


def test_the_task_form_shows_the_roadmap_problems_next_to_the_fields(org, plan, client_for) -> None:
    client = client_for("supervisor")
    before = counts()
    response = client.post(
        f"/plans/{plan.pk}/tasks/new/",
        {
            "code": "2026-9-0-1",
            "title": "新任务",
            "lead_unit": org.econ.pk,
            "source": Task.Source.WORK_PLAN,
            "deadline": "2026-06-30",
            "milestones": "总结 | 2026-07-01",
            "indicators": f"{'指' * 300} | 1e15 | {'单' * 100}",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert counts() == before
    errors = response.context["form"].errors
    assert errors["milestones"] == ["Milestone “总结” is due after the task's deadline."]
    assert errors["indicators"] == [NAME_MESSAGE, UNIT_MESSAGE, TARGET_MESSAGE]
    html = response.content.decode()
    assert NAME_MESSAGE in html and TARGET_MESSAGE in html and UNIT_MESSAGE in html
