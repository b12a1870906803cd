"""Every write of the annual summaries: rounds, drafting from the year's data, editing with
optimistic concurrency, submission within the limits, the review by the head, the leader in
charge and the office, refreshing stale figures, and compiling (next year's draft plan).
Each runs in a transaction and writes its audit entry; permissions are checked here, so that
the page and the API refuse alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version, save_versioned
from luoshi.orgs.models import OrgUnit
from luoshi.plans.models import KeyPoint, Task, WorkPlan
from luoshi.plans.services.plans import key_point_create, plan_create
from luoshi.plans.services.tasks import TaskIn, task_create

from . import figures, rules
from . import permissions as perms
from .figures import HONOUR, INDICATOR, TASK, UNIT, Figure, Ref
from .models import Citation, PlanDraftItem, SummaryRound, UnitSummary

S = UnitSummary.Status
MAX_SECTION = 20000  # a section's hard cap in the database (the limits are far below it)


def summary_units(agency: OrgUnit) -> list[OrgUnit]:
    """The units that write a summary: the agency's active departments and affiliated units
    (not the agency itself, not the local federations, which have their own rounds)."""
    locals_ = OrgUnit.objects.filter(path__startswith=agency.path, kind=OrgUnit.Kind.LOCAL).exclude(
        pk=agency.pk
    )
    qs = OrgUnit.objects.filter(
        path__startswith=agency.path,
        is_active=True,
        kind__in=[OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.AFFILIATED],
    )
    for path in locals_.values_list("path", flat=True):
        qs = qs.exclude(path__startswith=path)
    return list(qs.order_by("path"))


# --- drafting ----------------------------------------------------------------------------------


class _Draft:
    """Collects the citations of a draft: each source cited once, numbered in order."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.refs: dict[Ref, int] = {}

    def cite(self, ref: Ref) -> str:
        if ref not in self.refs:
            self.refs[ref] = len(self.refs) + 1
        return rules.token(self.refs[ref])


def _sections(round_: SummaryRound, unit: OrgUnit, as_of: dt.date) -> tuple[dict[str, str], _Draft]:
    year, agency = round_.year, round_.agency_id
    d = _Draft(as_of)
    u = {"year": year, "agency": agency}

    def unit_ref(name: str) -> str:
        return d.cite(Ref.of(UNIT, unit.pk, name, **u))

    tasks = list(
        figures.unit_tasks(agency, year, unit.pk)
        .exclude(status=Task.Status.CANCELLED)
        .select_related("key_point")
        .prefetch_related("indicators")
        .order_by("key_point__sort_order", "sort_order", "id")
    )
    previous = figures.PreviousIndex.build(agency, year, unit.pk)
    fig_now = figures.compute(
        [Ref.of(INDICATOR, i.pk, "completion_rate") for t in tasks for i in t.indicators.all()],
        as_of,
    )
    achievements: list[str] = []
    problems: list[str] = []
    next_year: list[str] = []
    if tasks:
        achievements.append(
            f"{year}年，{unit.name}牵头承担年度工作要点任务{unit_ref('tasks_total')}，"
            f"已完成{unit_ref('tasks_completed')}。"
        )
    current_point = None
    for n, task in enumerate(tasks, start=1):
        point = task.key_point
        if point is not None and point.pk != current_point:
            current_point = point.pk
            achievements.append(f"{point.label}{point.title}")
        status = d.cite(Ref.of(TASK, task.pk, "status"))
        progress = d.cite(Ref.of(TASK, task.pk, "progress"))
        light = d.cite(Ref.of(TASK, task.pk, "light"))
        achievements.append(f"{n}. {task.title}：{status}，完成进度{progress}，{light}。")
        for ind in task.indicators.all():
            line = (
                f"“{ind.name}”目标{d.cite(Ref.of(INDICATOR, ind.pk, 'target'))}，"
                f"实际完成{d.cite(Ref.of(INDICATOR, ind.pk, 'actual'))}，"
                f"完成率{d.cite(Ref.of(INDICATOR, ind.pk, 'completion_rate'))}"
            )
            prev = previous.match(ind, point.title if point else "")
            if prev is not None and prev.actual is not None and ind.actual is not None:
                line += "，" + d.cite(Ref.of(INDICATOR, ind.pk, "change", previous=prev.pk))
            achievements.append(line + "。")
            rate = fig_now[Ref.of(INDICATOR, ind.pk, "completion_rate")].value
            if ind.actual is not None and rate not in ("—", "") and float(rate) < 100:
                problems.append(
                    f"“{ind.name}”完成率"
                    f"{d.cite(Ref.of(INDICATOR, ind.pk, 'completion_rate'))}，未达到年度目标。"
                )
        if task.light in ("red", "yellow") and task.is_open:
            problems.append(f"“{task.title}”{light}，完成进度{progress}，需加快推进。")
        if task.status not in (Task.Status.COMPLETED, Task.Status.CANCELLED):
            title = point.title if point is not None else ""
            next_year.append(f"{title}：继续推进{task.title}" if title else f"继续推进{task.title}")
    owed, on_time = figures.report_counts(agency, year, unit.pk, as_of)
    if owed:
        achievements.append(
            f"全年应报送进度报告{unit_ref('reports_owed')}，按时报送{unit_ref('reports_on_time')}。"
        )
        if on_time < owed:
            problems.append(
                f"进度报告应报{unit_ref('reports_owed')}，按时报送{unit_ref('reports_on_time')}，"
                "报送的及时性有待提高。"
            )
    sup = figures.compute([Ref.of(UNIT, unit.pk, "supervision_total", **u)], as_of)
    if sup[Ref.of(UNIT, unit.pk, "supervision_total", **u)].value != "0":
        achievements.append(
            f"承办督办事项{unit_ref('supervision_total')}，已办结{unit_ref('supervision_closed')}，"
            f"其中按期办结{unit_ref('supervision_on_time')}，"
            f"逾期{unit_ref('supervision_overdue')}。"
        )
        overdue = figures.compute([Ref.of(UNIT, unit.pk, "supervision_overdue", **u)], as_of)
        if overdue[Ref.of(UNIT, unit.pk, "supervision_overdue", **u)].value != "0":
            problems.append(f"督办事项逾期{unit_ref('supervision_overdue')}，办理时效需加强。")
    honours = list(figures.unit_honours(agency, year, unit.pk))
    if honours:
        names = "、".join(d.cite(Ref.of(HONOUR, h.pk, "title")) for h in honours)
        achievements.append(f"全年获得表彰奖励{unit_ref('honours')}：{names}。")
    return (
        {
            "achievements": "\n".join(achievements),
            "problems": "\n".join(problems),
            "next_year": "\n".join(next_year),
        },
        d,
    )


def _write_draft(summary: UnitSummary, today: dt.date) -> None:
    as_of = figures.as_of_for(summary.round.year, today)
    sections, draft = _sections(summary.round, summary.unit, as_of)
    found = figures.compute(draft.refs, as_of)
    summary.citations.all().delete()
    Citation.objects.bulk_create(
        Citation(
            summary=summary,
            number=number,
            source_model=ref.source_model,
            source_id=ref.source_id,
            source_field=ref.source_field,
            params=ref.param_dict,
            value=found[ref].value[:200],
            text=found[ref].text[:500],
            as_of=as_of,
        )
        for ref, number in draft.refs.items()
    )
    for name, text in sections.items():
        setattr(summary, name, text)
    summary.drafted_at = timezone.now()


@transaction.atomic
def round_create(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    title: str = "",
    due_date: dt.date | None = None,
    total_max: int | None = None,
    highlights_min: int | None = None,
    today: dt.date | None = None,
) -> SummaryRound:
    """Open the year's round of the agency and draft every unit's summary from the data."""
    perms.require(perms.is_office(actor, agency))
    pol = rules.policy()
    day = today or timezone.localdate()
    if SummaryRound.objects.filter(agency=agency, year=year).exists():
        raise InvalidInput(
            _("%(agency)s already has a summary round for %(year)d.")
            % {"agency": agency.name, "year": year},
            code="round_exists",
        )
    total = pol.total_max if total_max is None else int(total_max)
    highlights = pol.highlights_min if highlights_min is None else int(highlights_min)
    if total < 1 or highlights < 0 or highlights > total:
        raise InvalidInput(
            _(
                "The limits do not fit: the main work and results cannot need more characters "
                "than the whole summary may have."
            ),
            code="limits",
            details=[{"field": "highlights_min", "message": _("At most the total.")}],
        )
    round_ = SummaryRound.objects.create(
        agency=agency,
        year=year,
        title=(title or "").strip() or f"{agency.name}{year}年度工作总结",
        due_date=due_date or day + dt.timedelta(days=pol.due_days),
        total_max=total,
        highlights_min=highlights,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for unit in summary_units(agency):
        summary = UnitSummary(round=round_, unit=unit, unit_path=unit.path)
        summary.save()
        summary.round = round_
        _write_draft(summary, day)
        summary.save(update_fields=[*rules.SECTIONS, "drafted_at"])
    audit.record(
        "summaries.round_create",
        actor=actor,
        obj=round_,
        after={**audit.snapshot(round_), "units": round_.summaries.count()},
    )
    return round_


# --- the unit's edits and submission ------------------------------------------------------------


def _check_editable(summary: UnitSummary) -> None:
    if not summary.is_editable:
        raise InvalidInput(
            _(
                "The summary is with its reviewers (%(status)s); it can be changed only when it is "
                "a draft or returned."
            )
            % {"status": summary.get_status_display()},
            code="not_editable",
        )


@transaction.atomic
def summary_edit(
    *,
    actor: Any,
    summary: UnitSummary,
    achievements: str,
    problems: str,
    next_year: str,
    version: int | None = None,
) -> UnitSummary:
    perms.require(perms.may_edit(actor, summary))
    check_version(summary, version)
    _check_editable(summary)
    values = {"achievements": achievements, "problems": problems, "next_year": next_year}
    too_long = [
        {"field": k, "message": _("At most %(n)d characters.") % {"n": MAX_SECTION}}
        for k, v in values.items()
        if len(v or "") > MAX_SECTION
    ]
    if too_long:
        raise InvalidInput(details=too_long)
    before = {k: getattr(summary, k) for k in values}
    for k, v in values.items():
        setattr(summary, k, (v or "").replace("\r\n", "\n").replace("\x00", "").strip())
    save_versioned(summary, list(values))
    b, a = audit.diff(before, {k: getattr(summary, k) for k in values})
    audit.record("summaries.edit", actor=actor, obj=summary, before=b, after=a)
    return summary


def limit_errors(summary: UnitSummary) -> list[dict[str, Any]]:
    """The limits the summary's expanded text breaks, as field errors in the user's language."""
    r = summary.round
    out = []
    for p in rules.limit_problems(
        summary.expanded(), total_max=r.total_max, highlights_min=r.highlights_min
    ):
        if p.code == "too_long":
            message = _(
                "The summary has %(count)d characters; at most %(limit)d are allowed. "
                "Shorten it by %(over)d."
            ) % {"count": p.count, "limit": p.limit, "over": p.count - p.limit}
        elif p.section == "achievements":
            message = _(
                "The main work and results have %(count)d characters; at least %(limit)d are "
                "needed. Add %(short)d."
            ) % {"count": p.count, "limit": p.limit, "short": p.limit - p.count}
        else:
            message = _("This section is empty.")
        out.append(
            {
                "field": p.section or "__all__",
                "code": p.code,
                "count": p.count,
                "limit": p.limit,
                "message": message,
            }
        )
    return out


@transaction.atomic
def summary_submit(*, actor: Any, summary: UnitSummary, version: int | None = None) -> UnitSummary:
    perms.require(perms.may_edit(actor, summary))
    check_version(summary, version)
    _check_editable(summary)
    errors = limit_errors(summary)
    if errors:
        raise InvalidInput(
            _("The summary is not within the limits of the round: %(problems)s")
            % {"problems": " ".join(e["message"] for e in errors)},
            code="limits",
            details=errors,
        )
    before = summary.status
    summary.status, summary.submitted_at = S.SUBMITTED, timezone.now()
    summary.return_reason = ""
    save_versioned(summary, ["status", "submitted_at", "return_reason"])
    audit.record(
        "summaries.submit",
        actor=actor,
        obj=summary,
        before={"status": before},
        after={"status": summary.status},
    )
    return summary


# --- review ------------------------------------------------------------------------------------

NEXT = {"head": S.HEAD_APPROVED, "leader": S.LEADER_APPROVED, "office": S.ACCEPTED}


@transaction.atomic
def summary_review(
    *,
    actor: Any,
    summary: UnitSummary,
    approve: bool,
    reason: str = "",
    version: int | None = None,
) -> UnitSummary:
    """The step that waits on the actor: the head's, then the leader in charge's, then the
    office's (whose approval accepts the summary). Returning needs a reason."""
    step = perms.reviewer_step(actor, summary)
    perms.require(bool(step))
    check_version(summary, version)
    before = summary.status
    if approve:
        summary.status = NEXT[step]
        fields = ["status"]
        if step == "office":
            summary.accepted_at = timezone.now()
            fields.append("accepted_at")
    else:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(
                _("Say why the summary is returned."),
                code="reason_required",
                details=[{"field": "reason", "message": _("A reason is required.")}],
            )
        summary.status, summary.return_reason = S.RETURNED, reason[:2000]
        summary.returned_by = actor
        fields = ["status", "return_reason", "returned_by"]
    save_versioned(summary, fields)
    audit.record(
        "summaries.accept"
        if step == "office" and approve
        else ("summaries.approve" if approve else "summaries.return"),
        actor=actor,
        obj=summary,
        before={"status": before},
        after={
            "status": summary.status,
            "step": step,
            "reason": summary.return_reason if not approve else "",
        },
    )
    return summary


def summary_accept(*, actor: Any, summary: UnitSummary, version: int | None = None) -> UnitSummary:
    """The office accepts a summary its reviewers approved."""
    perms.require(perms.is_office(actor, summary.round.agency))
    if summary.status != S.LEADER_APPROVED:
        raise InvalidInput(
            _("Only a summary approved by the head and the leader in charge can be accepted."),
            code="not_ready",
        )
    return summary_review(actor=actor, summary=summary, approve=True, version=version)


@transaction.atomic
def summary_record_accepted(
    *, actor: Any, summary: UnitSummary, achievements: str, problems: str, next_year: str
) -> UnitSummary:
    """The office records a summary accepted outside the system (on paper, before the system
    was used): its text, within the round's limits, straight as accepted. Audited as such."""
    perms.require(perms.is_office(actor, summary.round.agency))
    _check_editable(summary)
    for name, text in (
        ("achievements", achievements),
        ("problems", problems),
        ("next_year", next_year),
    ):
        setattr(summary, name, text.strip())
    errors = limit_errors(summary)
    if errors:
        raise InvalidInput(" ".join(e["message"] for e in errors), code="limits", details=errors)
    now = timezone.now()
    summary.status, summary.submitted_at, summary.accepted_at = S.ACCEPTED, now, now
    save_versioned(summary, [*rules.SECTIONS, "status", "submitted_at", "accepted_at"])
    audit.record(
        "summaries.record_accepted",
        actor=actor,
        obj=summary,
        after={"status": summary.status, **{n: getattr(summary, n) for n in rules.SECTIONS}},
    )
    return summary


# --- stale figures --------------------------------------------------------------------------------


def _ref(c: Citation) -> Ref:
    return Ref(c.source_model, c.source_id, c.source_field, tuple(sorted((c.params or {}).items())))


def fresh_figures(summary: UnitSummary, today: dt.date | None = None) -> dict[int, Figure]:
    """Citation number → the figure computed now from its source."""
    cites = list(summary.citations.all())
    as_of = figures.as_of_for(summary.round.year, today or timezone.localdate())
    found = figures.compute([_ref(c) for c in cites], as_of)
    return {c.number: found[_ref(c)] for c in cites}


def stale_numbers(summary: UnitSummary, today: dt.date | None = None) -> list[int]:
    """The citations whose stored value differs from a fresh computation."""
    fresh = fresh_figures(summary, today)
    return [c.number for c in summary.citations.all() if fresh[c.number].value != c.value]


@transaction.atomic
def citations_refresh(
    *,
    actor: Any,
    summary: UnitSummary,
    numbers: Sequence[int] | None = None,
    today: dt.date | None = None,
    version: int | None = None,
) -> list[int]:
    """Take the stale figures (those in `numbers`, or all) afresh: their value, text and as-of
    day change; the prose around them is kept. Returns the numbers refreshed."""
    perms.require(perms.may_edit(actor, summary))
    check_version(summary, version)
    _check_editable(summary)
    day = today or timezone.localdate()
    as_of = figures.as_of_for(summary.round.year, day)
    fresh = fresh_figures(summary, day)
    wanted = set(numbers) if numbers is not None else None
    changed = []
    before, after = {}, {}
    for c in summary.citations.select_for_update().order_by("number"):
        if wanted is not None and c.number not in wanted:
            continue
        f = fresh[c.number]
        if f.value == c.value and f.text == c.text:
            continue
        before[str(c.number)] = c.text
        c.value, c.text, c.as_of, c.refreshed_at = (
            f.value[:200],
            f.text[:500],
            as_of,
            timezone.now(),
        )
        c.save(update_fields=["value", "text", "as_of", "refreshed_at"])
        after[str(c.number)] = c.text
        changed.append(c.number)
    if changed:
        save_versioned(summary, [])  # the text shown changed: the version moves on
        audit.record("summaries.refresh", actor=actor, obj=summary, before=before, after=after)
    return changed


# --- compiling ------------------------------------------------------------------------------


def accepted(round_: SummaryRound) -> Any:
    return (
        round_.summaries.filter(status=S.ACCEPTED)
        .select_related("unit", "round__agency")
        .prefetch_related("citations")
        .order_by("unit_path", "id")
    )


@transaction.atomic
def round_compile(*, actor: Any, round_: SummaryRound, today: dt.date | None = None) -> WorkPlan:
    """Compile the round: the accepted summaries' "明年工作打算" become a draft of next year's
    plan (key points and tasks with their units), made once — compiling again returns the same
    plan and creates nothing. The office then edits and approves the plan as any other."""
    perms.require(perms.is_office(actor, round_.agency))
    round_ = SummaryRound.objects.select_for_update().get(pk=round_.pk)
    if round_.next_plan_id is not None:
        plan = WorkPlan.objects.get(pk=round_.next_plan_id)
        return plan
    summaries = list(accepted(round_))
    if not summaries:
        raise InvalidInput(
            _("No summary of the round is accepted yet: there is nothing to compile."),
            code="nothing_accepted",
        )
    pol = rules.policy()
    year = round_.year + 1
    day = today or timezone.localdate()
    found = WorkPlan.objects.filter(agency=round_.agency, year=year).first()
    if found is None:
        plan = plan_create(
            actor=actor,
            agency=round_.agency,
            year=year,
            title=f"{round_.agency.name}{year}年工作要点",
            preamble=f"根据{round_.title}中各单位的明年工作打算汇总形成（草稿）。",
            today=day,
        )
    elif found.status != WorkPlan.Status.DRAFT:
        raise InvalidInput(
            _("The %(year)d work plan is already approved; the items cannot be added to it.")
            % {"year": year},
            code="plan_not_draft",
        )
    else:
        plan = found
    points: dict[str, KeyPoint] = {
        rules.normalise(kp.title): kp for kp in plan.key_points.filter(level=1)
    }
    counts: dict[int, int] = {}
    existing_codes = set(plan.tasks.values_list("code", flat=True))
    made = 0
    for summary in summaries:
        for line, item in enumerate(
            rules.plan_items(summary.expanded()["next_year"], pol.default_key_point), start=1
        ):
            key = rules.normalise(item.key_point)
            point = points.get(key)
            if point is None:
                number = len(points) + 1
                point = key_point_create(
                    actor=actor,
                    plan=plan,
                    title=item.key_point,
                    level=1,
                    number=number,
                    label=f"{rules.chinese_numeral(number)}、",
                    sort_order=number,
                )
                points[key] = point
            counts[point.pk] = counts.get(point.pk, point.tasks.count()) + 1
            code = f"{point.number}.{counts[point.pk]}"
            while code in existing_codes:
                counts[point.pk] += 1
                code = f"{point.number}.{counts[point.pk]}"
            existing_codes.add(code)
            task = task_create(
                actor=actor,
                data=TaskIn(
                    code=code,
                    title=item.task,
                    lead_unit=summary.unit,
                    plan=plan,
                    key_point=point,
                    deadline=dt.date(year, 12, 31),
                    sort_order=point.number * 1000 + counts[point.pk],
                ),
            )
            PlanDraftItem.objects.create(
                round=round_,
                summary=summary,
                task=task,
                line=line,
                key_point=item.key_point,
                text=item.task,
            )
            made += 1
    round_.next_plan = plan
    round_.status = SummaryRound.Status.COMPILED
    round_.compiled_at = timezone.now()
    save_versioned(round_, ["next_plan", "status", "compiled_at"])
    audit.record(
        "summaries.compile",
        actor=actor,
        obj=round_,
        after={"plan": plan.pk, "tasks": made, "summaries": [s.pk for s in summaries]},
    )
    return plan
