"""Scoped reads of appraisal: each list is filtered to what the acting user may see and runs a
fixed number of queries whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from luoshi.evaluation.selectors import campaign_results
from luoshi.orgs.models import OrgUnit

from . import facts, rules
from . import permissions as perms
from .models import STEP_LABELS, AnnualCycle, LeadershipScore, Participant, YearResult
from .services import agency_units


def cycles_visible(user: Any) -> QuerySet[AnnualCycle]:
    return AnnualCycle.objects.filter(pk__in=perms.cycles_visible_ids(user)).select_related(
        "agency"
    )


def participants_confidential(user: Any, cycle: AnnualCycle) -> QuerySet[Participant]:
    """The participants whose whole record (proposal, decision) the user may see."""
    qs = (
        Participant.objects.filter(cycle=cycle)
        .select_related("person", "unit", "person__post", "person__rank")
        .order_by("unit__path", "person__name", "id")
    )
    condition = perms.confidential_q(user, cycle)
    return qs if condition is None else qs.filter(condition)


def own_participation(user: Any) -> QuerySet[Participant]:
    pid = perms.person_id(user)
    return (
        Participant.objects.filter(person_id=pid or 0)
        .select_related("cycle", "cycle__agency", "unit")
        .order_by("-cycle__year")
    )


# Participant.step's order: each participant is at the first step whose condition holds.
STEP_CONDITIONS: tuple[tuple[str, Q], ...] = (
    ("acknowledged", ~Q(ack="")),
    ("notified", Q(notified_at__isnull=False)),
    ("final", Q(is_final=True)),
    ("decided", Q(decided_at__isnull=False)),
    ("proposed", Q(proposed_at__isnull=False)),
    ("summary", Q(summary_submitted_at__isnull=False)),
    ("drawn", Q()),
)


def step_q(step: str) -> Q:
    """The participants at `step` exactly (as Participant.step): its condition and none of the
    earlier ones, so the counts of all steps add up to the total."""
    q = Q()
    for key, condition in STEP_CONDITIONS:
        if key == step:
            return q & condition
        q &= ~condition
    raise KeyError(step)


def step_counts(qs: QuerySet[Participant]) -> list[tuple[str, str, int]]:
    """How many participants are at each step (one query); the counts add up to the total."""
    row = qs.aggregate(**{key: Count("id", filter=step_q(key)) for key, _c in STEP_CONDITIONS})
    return [(k, str(v), row[k]) for k, v in STEP_LABELS.items()]


def publicity_list(cycle: AnnualCycle) -> QuerySet[Participant]:
    """The published list of proposed Excellent (seen by everyone in the cycle once published)."""
    if cycle.status not in (AnnualCycle.Status.PUBLICITY, AnnualCycle.Status.FINAL):
        return Participant.objects.none()
    return (
        Participant.objects.filter(cycle=cycle, decided_grade=rules.EXCELLENT)
        .select_related("person", "unit", "person__post")
        .order_by("unit__path", "person__name")
    )


@dataclass
class QuotaState:
    graded: int
    percent: Decimal
    cap: int
    excellent: int
    proposed_excellent: int
    approval: str


def quota_state(cycle: AnnualCycle) -> QuotaState:
    row = cycle.participants.aggregate(
        graded=Count("id", filter=Q(eligibility=rules.GRADED)),
        excellent=Count("id", filter=Q(decided_grade=rules.EXCELLENT)),
        proposed=Count("id", filter=Q(proposed_grade=rules.EXCELLENT)),
    )
    approval = ""
    if cycle.quota_approved_by:
        approval = f"{cycle.quota_approved_by} · {cycle.quota_approval_document}"
    return QuotaState(
        graded=row["graded"],
        percent=cycle.quota_percent,
        cap=rules.excellent_cap(row["graded"], cycle.quota_percent),
        excellent=row["excellent"],
        proposed_excellent=row["proposed"],
        approval=approval,
    )


# --- consequences -----------------------------------------------------------------------------


@dataclass
class ConsequenceRow:
    person_id: int
    name: str
    unit: str
    family: str
    grade: str
    history: list[tuple[int, str]]
    consequences: list[str]

    @property
    def labels(self) -> list[str]:
        return [str(rules.CONSEQUENCE_LABELS[c]) for c in self.consequences]


def consequences(cycle: AnnualCycle) -> dict[str, list[ConsequenceRow]]:
    """Per consequence kind, the people it applies to this year (from final results and imported
    history; two queries)."""
    pol = rules.policy()
    participants = list(
        cycle.participants.filter(is_final=True)
        .select_related("person", "unit")
        .order_by("unit__path", "person__name")
    )
    history: dict[int, dict[int, str]] = defaultdict(dict)
    for pid, year, grade in YearResult.objects.filter(
        person_id__in=[p.person_id for p in participants], year__lte=cycle.year
    ).values_list("person_id", "year", "grade"):
        history[pid][year] = grade
    out: dict[str, list[ConsequenceRow]] = {k: [] for k in rules.CONSEQUENCES}
    for p in participants:
        h = history[p.person_id]
        h[cycle.year] = p.final_grade
        found = rules.consequences(h, cycle.year, pol)
        row = ConsequenceRow(
            person_id=p.person_id,
            name=p.person.name,
            unit=p.unit.name,
            family=p.family,
            grade=p.final_grade,
            history=sorted(
                (y, rules.grade_word(p.family, g)) for y, g in h.items() if y > cycle.year - 5
            ),
            consequences=found,
        )
        for c in found:
            out[c].append(row)
    return out


# --- unit performance -------------------------------------------------------------------------


@dataclass
class UnitScoreRow:
    unit: OrgUnit
    figures: facts.UnitFigures
    metrics: dict[str, Decimal | None]
    score: Decimal
    weights_used: dict[str, Decimal]
    rank: int = 0
    leadership: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def unit_performance(agency: OrgUnit, year: int) -> tuple[list[UnitScoreRow], bool]:
    """Departments and affiliated units of the agency, scored and ranked; the second value says
    whether supervision items could be read (otherwise their weight is 0)."""

    units = list(
        agency_units(agency).filter(parent=agency, is_active=True).order_by("sort_order", "name")
    )
    ids = [u.pk for u in units]
    figures = facts.unit_figures(year, ids)
    leadership = dict(
        LeadershipScore.objects.filter(unit_id__in=ids, year=year).values_list("unit_id", "score")
    )
    pol = rules.policy()
    rows = []
    for u in units:
        metrics = facts.unit_metrics(figures[u.pk], leadership.get(u.pk))
        score, used = rules.unit_score(metrics, pol.unit_weights)
        rows.append(
            UnitScoreRow(u, figures[u.pk], metrics, score, used, leadership=leadership.get(u.pk))
        )
    by_unit = {r.unit.pk: r for r in rows}
    ranked = rules.rank([(r.unit.pk, r.score) for r in rows])
    out = []
    for uid, _score, position in ranked:
        by_unit[uid].rank = position
        out.append(by_unit[uid])
    return out, True  # supervision items always count: luoshi.supervision sits below


# --- democratic evaluation --------------------------------------------------------------------


def evaluation_results(cycle: AnnualCycle) -> dict[int, Any]:
    """person id → the evaluation's CandidateResult (counts, ballots, score, valid) once the
    linked campaign is closed; {} otherwise. Built by luoshi.evaluation; read here only."""
    if cycle.evaluation_campaign_id is None:
        return {}
    campaign = cycle.evaluation_campaign
    if campaign is None or not getattr(campaign, "is_closed", False):
        return {}
    return dict(campaign_results(campaign))
