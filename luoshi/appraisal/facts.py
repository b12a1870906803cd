"""Facts drawn from work plans for appraisal: self-summary and quarter-report pre-fills, and the
year's per-unit figures for unit performance. Read-only; a fixed number of queries whatever the
number of people or tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from luoshi.orgs.models import User
from luoshi.plans.models import ProgressReport, Task
from luoshi.supervision.models import SupervisionItem

from . import rules
from .models import RoutineEntry


def _year_tasks(year: int) -> Q:
    return Q(plan__year=year) | Q(plan__isnull=True, deadline__year=year)


def summary_facts(year: int, person_ids: Iterable[int]) -> dict[int, str]:
    """A factual paragraph per person: tasks they are responsible for, completion and lights,
    routine grades of the year."""
    ids = list(person_ids)
    if not ids:
        return {}
    tasks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Task.objects.filter(_year_tasks(year), responsible_person_id__in=ids)
        .exclude(status=Task.Status.CANCELLED)
        .order_by("code")
        .values("responsible_person_id", "code", "title", "status", "light", "progress")
    ):
        tasks[row["responsible_person_id"]].append(dict(row))
    routine: dict[int, list[str]] = defaultdict(list)
    for pid, quarter, grade in (
        RoutineEntry.objects.filter(person_id__in=ids, cycle__year=year)
        .exclude(grade="")
        .order_by("cycle__quarter")
        .values_list("person_id", "cycle__quarter", "grade")
    ):
        routine[pid].append(f"Q{quarter} {rules.ROUTINE_WORDS.get(grade, grade)}")
    light_words = dict(Task.Light.choices)
    out: dict[int, str] = {}
    for pid in ids:
        lines = []
        own = tasks.get(pid, [])
        if own:
            done = sum(1 for t in own if t["status"] == Task.Status.COMPLETED)
            lines.append(
                _("Responsible for %(n)d tasks in %(year)d, %(done)d completed.")
                % {"n": len(own), "year": year, "done": done}
            )
            for t in own[:20]:
                lines.append(
                    f"- {t['code']} {t['title']} · {t['progress']}% · "
                    f"{str(light_words.get(t['light'], t['light'])).split(' · ')[0]}"
                )
        if routine.get(pid):
            lines.append(_("Routine appraisal: %(grades)s.") % {"grades": ", ".join(routine[pid])})
        out[pid] = "\n".join(lines)
    return out


def quarter_reports(year: int, quarter: int, person_ids: Iterable[int]) -> dict[int, str]:
    """A pre-filled quarter report per person: their tasks and the progress reports they
    submitted in the quarter."""
    ids = list(person_ids)
    if not ids:
        return {}
    start, end = rules.quarter_bounds(year, quarter)
    lines: dict[int, list[str]] = defaultdict(list)
    for row in (
        Task.objects.filter(responsible_person_id__in=ids)
        .exclude(status__in=[Task.Status.CANCELLED, Task.Status.DRAFT])
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=start))
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
        .order_by("code")
        .values("responsible_person_id", "code", "title", "progress")
    ):
        lines[row["responsible_person_id"]].append(
            f"- {row['code']} {row['title']} · {row['progress']}%"
        )
    user_person = dict(User.objects.filter(person_id__in=ids).values_list("pk", "person_id"))
    for user_id, code, period, text in (
        ProgressReport.objects.filter(
            submitted_by_id__in=list(user_person), period__gte=start, period__lte=end
        )
        .order_by("period", "id")
        .values_list("submitted_by_id", "task__code", "period", "text")
    ):
        lines[user_person[user_id]].append(f"  {period:%Y-%m} {code}: {text[:200]}")
    return {pid: "\n".join(lines.get(pid, [])) for pid in ids}


# --- unit performance -------------------------------------------------------------------------


@dataclass
class UnitFigures:
    unit_id: int
    tasks: int = 0
    completed: int = 0
    completed_on_time: int = 0
    due: int = 0  # tasks with a deadline in the year
    reports: int = 0
    reports_on_time: int = 0
    supervision_items: int | None = None
    supervision_on_time: int | None = None


def unit_figures(year: int, unit_ids: list[int]) -> dict[int, UnitFigures]:
    out = {uid: UnitFigures(uid) for uid in unit_ids}
    year_end = dt.date(year, 12, 31)
    for row in (
        Task.objects.filter(_year_tasks(year), lead_unit_id__in=unit_ids)
        .exclude(status__in=[Task.Status.CANCELLED, Task.Status.DRAFT])
        .values("lead_unit_id")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(status=Task.Status.COMPLETED)),
            on_time=Count(
                "id",
                filter=Q(status=Task.Status.COMPLETED, completed_on__lte=F("deadline"))
                | Q(status=Task.Status.COMPLETED, deadline__isnull=True),
            ),
            due=Count("id", filter=Q(deadline__lte=year_end) | Q(deadline__isnull=True)),
        )
    ):
        f = out[row["lead_unit_id"]]
        f.tasks, f.completed, f.completed_on_time, f.due = (
            row["n"],
            row["done"],
            row["on_time"],
            row["due"],
        )
    for row in (
        ProgressReport.objects.filter(unit_id__in=unit_ids, period__year=year)
        .values("unit_id")
        .annotate(
            n=Count("id"),
            on_time=Count(
                "id", filter=Q(due_on__isnull=True) | Q(submitted_at__date__lte=F("due_on"))
            ),
        )
    ):
        f = out[row["unit_id"]]
        f.reports, f.reports_on_time = row["n"], row["on_time"]
    for f in out.values():
        f.supervision_items, f.supervision_on_time = 0, 0
    for row in (
        SupervisionItem.objects.filter(lead_unit_id__in=unit_ids)
        .filter(
            Q(original_deadline__year=year) | Q(original_deadline__isnull=True, deadline__year=year)
        )
        .values("lead_unit_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(closed_on_time=True)))
    ):
        f = out[row["lead_unit_id"]]
        f.supervision_items, f.supervision_on_time = row["n"], row["on_time"]
    return out


def unit_metrics(f: UnitFigures, leadership: Decimal | None) -> dict[str, Decimal | None]:
    return {
        "completion": rules.percent(f.completed, f.tasks),
        "on_time": rules.percent(f.completed_on_time, f.due),
        "supervision": (
            rules.percent(f.supervision_on_time or 0, f.supervision_items)
            if f.supervision_items
            else None
        ),
        "reports_on_time": rules.percent(f.reports_on_time, f.reports),
        "leadership": leadership,
    }
