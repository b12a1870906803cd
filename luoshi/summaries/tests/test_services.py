from __future__ import annotations

import decimal
import io
from typing import Any

import pytest
from docx import Document

from luoshi.core.errors import Conflict, Forbidden, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.plans.models import Indicator, Task, WorkPlan
from luoshi.summaries import exports, rules, selectors, services
from luoshi.summaries.models import PlanDraftItem, UnitSummary

from .conftest import DAY, LONG, make_submittable, to_accepted

pytestmark = pytest.mark.django_db
S = UnitSummary.Status


def _cite(summary: UnitSummary, model: str, field: str, pk: int | None = None) -> Any:
    qs = summary.citations.filter(source_model=model, source_field=field)
    if pk is not None:
        qs = qs.filter(source_id=pk)
    return qs.get()


def test_the_draft_cites_the_years_data(
    org: Any, office_summary: UnitSummary, year_data: Any
) -> None:
    s = office_summary
    task, ind, honour = year_data["task"], year_data["indicator"], year_data["honour"]
    text = dict(s.text_sections())["主要工作和成效"]
    assert "制定年度学习计划：推进中，完成进度30%，" in text
    assert _cite(s, "plans.task", "progress", task.pk).value == "30"
    assert _cite(s, "plans.task", "light", task.pk).source_id == task.pk
    # the indicator: target, actual, rate and last year's comparison (names match when spaces
    # are ignored, same unit of measure, same lead unit)
    assert "“集体学习”目标12次，实际完成10次，完成率83.3%，比上年增加2次（增长25%）。" in text
    change = _cite(s, "plans.indicator", "change", ind.pk)
    assert change.params == {"previous": Indicator.objects.get(task=year_data["old"]).pk}
    # reports: January's was owed by 5 February and came in on 3 February
    assert "全年应报送进度报告1次，按时报送1次。" in text
    # supervision: two items, one closed on time, one open past its deadline
    assert "承办督办事项2项，已办结1项，其中按期办结1项，逾期1项。" in text
    assert "全年获得表彰奖励1项：“模范机关先进单位”（省直机关工委）。" in text
    assert _cite(s, "honors.honour", "title", honour.pk).as_of == DAY
    problems = dict(s.text_sections())["存在问题"]
    assert "“集体学习”完成率83.3%，未达到年度目标。" in problems
    assert "督办事项逾期1项" in problems
    assert "深入学习贯彻：继续推进制定年度学习计划" in s.next_year
    # the prose holds tokens, the sections print the figures
    assert "[[" in s.achievements and "[[" not in text


def test_no_comparison_without_a_match(org: Any, year_data: Any) -> None:
    Indicator.objects.filter(task=year_data["old"]).update(unit="场")
    r = services.round_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, today=DAY
    )
    s = r.summaries.get(unit=org.office)
    assert not s.citations.filter(source_field="change").exists()
    assert "比上年" not in s.expanded()["achievements"]


def test_only_the_office_opens_a_round_once(org: Any, year_data: Any) -> None:
    with pytest.raises(Forbidden):
        services.round_create(actor=org.users["head"], agency=org.agency, year=2026)
    r = services.round_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, today=DAY
    )
    assert [s.unit.name for s in r.summaries.order_by("unit_path")] == [
        "办公室",
        "经济科技部",
        "组织联络部",
        "侨联信息中心",
    ]
    with pytest.raises(InvalidInput):
        services.round_create(actor=org.users["supervisor"], agency=org.agency, year=2026)
    with pytest.raises(InvalidInput):
        services.round_create(
            actor=org.users["supervisor"],
            agency=org.agency,
            year=2027,
            total_max=500,
            highlights_min=600,
        )
    assert r.total_max == 3500 and r.highlights_min == 600
    assert AuditEntry.objects.filter(action="summaries.round_create").count() == 1


def test_a_changed_source_is_stale_and_refreshed_in_place(
    org: Any, office_summary: UnitSummary, year_data: Any
) -> None:
    s = office_summary
    assert services.stale_numbers(s, DAY) == []
    progress = _cite(s, "plans.task", "progress", year_data["task"].pk)
    Task.objects.filter(pk=year_data["task"].pk).update(progress=55)
    Indicator.objects.filter(pk=year_data["indicator"].pk).update(actual=decimal.Decimal(12))
    stale = services.stale_numbers(s, DAY)
    assert progress.number in stale
    assert len(stale) >= 3  # progress, the actual, the rate, the change
    prose = s.achievements
    edited = services.summary_edit(
        actor=org.users["office_staff"],
        summary=s,
        achievements=prose + "\n补充一句。",
        problems=s.problems,
        next_year=s.next_year,
    )
    changed = services.citations_refresh(actor=org.users["office_staff"], summary=edited, today=DAY)
    assert set(changed) == set(stale)
    s.refresh_from_db()
    assert s.achievements == prose + "\n补充一句。"  # the prose is kept
    text = s.expanded()["achievements"]
    assert "完成进度55%" in text and "实际完成12次，完成率100%" in text
    assert services.stale_numbers(s, DAY) == []
    assert AuditEntry.objects.filter(action="summaries.refresh").count() == 1


def test_the_limits_are_checked_on_submit(org: Any, office_summary: UnitSummary) -> None:
    staff = org.users["office_staff"]
    with pytest.raises(InvalidInput) as short:
        services.summary_submit(actor=staff, summary=office_summary)
    assert short.value.code == "limits"
    assert {d["field"] for d in short.value.details} == {"achievements"}
    assert "at least 600" in str(short.value.message)
    services.summary_edit(
        actor=staff,
        summary=office_summary,
        achievements=LONG * 5,
        problems="无",
        next_year="继续",
    )
    with pytest.raises(InvalidInput) as long:
        services.summary_submit(actor=staff, summary=office_summary)
    assert long.value.details[0]["field"] == "__all__"
    assert long.value.details[0]["count"] == rules.char_count(LONG * 5) + 1 + 2
    assert UnitSummary.objects.get(pk=office_summary.pk).status == S.DRAFT


def test_counting_ignores_white_space() -> None:
    assert rules.char_count("一二 三\n四\u3000五,") == 6
    assert rules.expand("共[[1]]项，[[9]]", {1: "3"}) == "共3项，[[9]]"


def test_concurrent_edits_are_refused(org: Any, office_summary: UnitSummary) -> None:
    version = office_summary.version
    services.summary_edit(
        actor=org.users["office_staff"],
        summary=office_summary,
        achievements="a",
        problems="b",
        next_year="c",
        version=version,
    )
    stale_copy = UnitSummary.objects.get(pk=office_summary.pk)
    stale_copy.version = version
    with pytest.raises(Conflict):
        services.summary_edit(
            actor=org.users["head"],
            summary=stale_copy,
            achievements="x",
            problems="y",
            next_year="z",
            version=version,
        )


def test_the_review_flow(org: Any, office_summary: UnitSummary) -> None:
    s = office_summary
    with pytest.raises(Forbidden):  # not of the unit
        services.summary_edit(
            actor=org.users["staff"], summary=s, achievements="", problems="", next_year=""
        )
    make_submittable(org, s)
    services.summary_submit(actor=org.users["office_staff"], summary=s)
    assert s.status == S.SUBMITTED
    with pytest.raises(InvalidInput):  # with its reviewers: no edit
        services.summary_edit(
            actor=org.users["office_staff"], summary=s, achievements="", problems="", next_year=""
        )
    for wrong in ("vice", "supervisor", "office_staff", "leader"):
        with pytest.raises(Forbidden):
            services.summary_review(actor=org.users[wrong], summary=s, approve=True)
    with pytest.raises(InvalidInput) as no_reason:
        services.summary_review(actor=org.users["head"], summary=s, approve=False, reason=" ")
    assert no_reason.value.code == "reason_required"
    services.summary_review(actor=org.users["head"], summary=s, approve=False, reason="数据不全")
    assert s.status == S.RETURNED and s.return_reason == "数据不全"
    services.summary_submit(actor=org.users["office_staff"], summary=s)
    services.summary_review(actor=org.users["head"], summary=s, approve=True)
    assert s.status == S.HEAD_APPROVED
    with pytest.raises(Forbidden):
        services.summary_review(actor=org.users["head"], summary=s, approve=True)
    services.summary_review(actor=org.users["vice"], summary=s, approve=True)
    assert s.status == S.LEADER_APPROVED
    with pytest.raises(Forbidden):
        services.summary_accept(actor=org.users["head"], summary=s)
    services.summary_accept(actor=org.users["supervisor"], summary=s)
    assert s.status == S.ACCEPTED and s.accepted_at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="summaries.unitsummary", object_id=str(s.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "summaries.return",
        "summaries.submit",
        "summaries.approve",
        "summaries.approve",
        "summaries.accept",
    ]
    assert [x.pk for x in selectors.accepted_summaries(org.agency, 2026)] == [s.pk]


def test_the_compiled_documents(org: Any, office_summary: UnitSummary, round_: Any) -> None:
    to_accepted(org, office_summary)
    summaries = selectors.accepted_summaries(org.agency, 2026)
    doc = Document(io.BytesIO(exports.round_docx(round_, summaries)))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "测试省归国华侨联合会机关2026年工作总结"
    assert "一、主要工作和成效" in texts and "三、明年工作打算" in texts
    assert "（一）办公室" in texts
    assert any("“集体学习”目标12次，实际完成10次" in t for t in texts)
    unit_doc = Document(io.BytesIO(exports.summary_docx(office_summary)))
    assert "办公室2026年工作总结" in [p.text for p in unit_doc.paragraphs]
    rows = exports.indicator_rows(round_, summaries)
    assert rows == [
        [
            "办公室",
            "制定年度学习计划",
            "集体学习",
            "次",
            12.0,
            10.0,
            83.3,
            8.0,
            "比上年增加2次（增长25%）",
        ]
    ]
    export = exports.IndicatorTableXlsx(org.users["supervisor"], round_, summaries).render()
    from openpyxl import load_workbook

    ws = load_workbook(export.file).active
    assert [c.value for c in ws[2]][:3] == ["办公室", "制定年度学习计划", "集体学习"]


def test_compiling_drafts_next_years_plan_once(
    org: Any, office_summary: UnitSummary, round_: Any
) -> None:
    with pytest.raises(InvalidInput):  # nothing accepted
        services.round_compile(actor=org.users["supervisor"], round_=round_)
    to_accepted(org, office_summary)
    with pytest.raises(Forbidden):
        services.round_compile(actor=org.users["head"], round_=round_)
    plan = services.round_compile(actor=org.users["supervisor"], round_=round_)
    assert plan.year == 2027 and plan.status == WorkPlan.Status.DRAFT
    points = list(plan.key_points.order_by("sort_order").values_list("label", "title"))
    assert points == [("一、", "政治建设"), ("二、", "其他重点工作"), ("三、", "面向海外开展工作")]
    tasks = list(plan.tasks.order_by("sort_order").values_list("title", "lead_unit_id", "code"))
    assert tasks == [
        ("制定2027年学习计划", org.office.pk, "1.1"),
        ("举办读书班", org.office.pk, "2.1"),
        ("组建海外联络站", org.office.pk, "3.1"),
    ]
    round_.refresh_from_db()
    assert round_.next_plan_id == plan.pk and round_.status == "compiled"
    assert PlanDraftItem.objects.filter(round=round_, summary=office_summary).count() == 3
    again = services.round_compile(actor=org.users["supervisor"], round_=round_)
    assert again.pk == plan.pk and plan.tasks.count() == 3
    assert AuditEntry.objects.filter(action="summaries.compile").count() == 1


def test_plan_items_rule() -> None:
    items = rules.plan_items("一、要点甲：任务一。\n\n（二）任务二\n1. 要点甲:任务三", "其他")
    assert [(i.key_point, i.task) for i in items] == [
        ("要点甲", "任务一"),
        ("其他", "任务二"),
        ("要点甲", "任务三"),
    ]
    assert rules.chinese_numeral(12) == "十二" and rules.chinese_numeral(20) == "二十"
