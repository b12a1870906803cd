"""Read-only views of commendation built for a page or the API, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Count, Prefetch, Q, QuerySet

from luoshi.appraisal import selectors as appraisal_selectors
from luoshi.orgs.models import OrgUnit

from . import permissions as perms
from . import rules
from .models import Nomination, Program, VettingOpinion

T = TypeVar("T")


def filter_nominations(
    qs: QuerySet[Nomination],
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    unit: int | None = None,
) -> QuerySet[Nomination]:
    """A program's nominations narrowed by the nominee's name (a person's, or a collective's
    unit), the award kind, the status and the nominating unit (empty: not narrowed)."""
    q = q.strip()[:100]
    if q:
        qs = qs.filter(
            Q(person__name__icontains=q) | Q(person__isnull=True, unit__name__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs


def nomination_counts(qs: QuerySet[Nomination]) -> dict[str, int]:
    """The nominations by status, counted over the whole set (one query), with "total"."""
    counts = {
        row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("id"))
    }
    counts["total"] = sum(counts.values())
    return counts


def vetting_waiting(user: Any) -> list[dict[str, Any]]:
    """The submitted nominations still waiting for an opinion of a body the user signs for,
    program by program (three queries whatever the number of programs and nominations)."""
    pol = rules.policy()
    programs = list(
        perms.programs_visible(user)
        .filter(status__in=(Program.Status.NOMINATION, Program.Status.VETTING))
        .order_by("-year", "id")
    )
    bodies = {
        p.pk: [b for b in rules.vetting_bodies(pol) if perms.may_vet(user, p, b, pol)]
        for p in programs
    }
    wanted = [p for p in programs if bodies[p.pk]]
    nominations = (
        Nomination.objects.filter(program__in=wanted, status=Nomination.Status.SUBMITTED)
        .select_related("person", "unit")
        .prefetch_related(Prefetch("opinions", queryset=VettingOpinion.objects.only("body")))
        .order_by("program_id", "unit__path", "id")
    )
    by_program = {p.pk: p for p in wanted}
    rows = []
    for n in nominations:
        signed = {o.body for o in n.opinions.all()}
        waiting = [b for b in bodies[n.program_id] if b not in signed]
        if waiting:
            rows.append(
                {
                    "program": by_program[n.program_id],
                    "nomination": n,
                    "bodies": [rules.body_label(b) for b in waiting],
                }
            )
    return rows


# --- the order of the decision: category (award kind), then the org tree's unit order ----------


def unit_order(agency: OrgUnit) -> dict[int, tuple[tuple[int, int], ...]]:
    """Each unit of the agency → a sort key that walks the org tree depth first with siblings in
    their display order (sort_order, then id), as the org tree shows them (one query)."""
    rows = list(
        OrgUnit.objects.filter(path__startswith=agency.path).values_list("pk", "sort_order", "path")
    )
    sort = {pk: order for pk, order, _path in rows}
    keys = {}
    for pk, _order, path in rows:
        ids = [int(x) for x in path.strip("/").split("/") if x]
        keys[pk] = tuple((sort.get(i, 0), i) for i in ids)
    return keys


def units_order(units: Iterable[OrgUnit]) -> dict[int, tuple[tuple[int, int], ...]]:
    """The same sort keys as unit_order() for these units only (their paths known): their
    ancestors' display order in one query, instead of every unit of the agency's tree."""
    paths = {u.pk: [int(x) for x in u.path.strip("/").split("/") if x] for u in units}
    ancestors = {i for ids in paths.values() for i in ids}
    sort = dict(OrgUnit.objects.filter(pk__in=ancestors).values_list("pk", "sort_order"))
    return {pk: tuple((sort.get(i, 0), i) for i in ids) for pk, ids in paths.items()}


def used_places(program: Program) -> dict[tuple[str, str, int], int]:
    """Submitted and approved nominations by (award kind, staff family, unit) over the whole
    program (one query): what services.used_by_unit() answers for each quota."""
    rows = (
        program.nominations.filter(
            status__in=(Nomination.Status.SUBMITTED, Nomination.Status.APPROVED)
        )
        .order_by()
        .values("kind", "family", "unit_id")
        .annotate(n=Count("id"))
    )
    return {(r["kind"], r["family"], r["unit_id"]): r["n"] for r in rows}


def quota_used(used: dict[tuple[str, str, int], int], kind: str, family: str) -> dict[int, int]:
    """A quota's used places by unit from used_places() (any family when the quota has none)."""
    out: dict[int, int] = {}
    for (k, fam, unit), n in used.items():
        if k == kind and (not family or fam == family):
            out[unit] = out.get(unit, 0) + n
    return out


def outcomes_of(nominations: Iterable[Nomination]) -> dict[int, str]:
    """The vetting outcome (pending / pass / fail) of these nominations, those submitted, as
    services.outcomes() answers for a whole program (one query, for a page of them)."""
    pol = rules.policy()
    ids = [n.pk for n in nominations if n.status == Nomination.Status.SUBMITTED]
    opinions: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    if ids:
        for nid, body, verdict in VettingOpinion.objects.filter(nomination_id__in=ids).values_list(
            "nomination_id", "body", "verdict"
        ):
            opinions[nid][body] = verdict
    return {nid: rules.vetting_outcome(found, pol) for nid, found in opinions.items()}


KIND_ORDER = {code: i for i, code in enumerate(rules.KINDS)}


def in_decision_order(items: Iterable[T], agency: OrgUnit, *, kind: Any, unit: Any) -> list[T]:
    """`items` by category (the award kinds in the rules' order) and then in unit order."""
    order = unit_order(agency)
    rows = list(items)
    return sorted(
        rows, key=lambda x: (KIND_ORDER.get(kind(x), 999), order.get(unit(x), ((1 << 30, 0),)))
    )


def decision_honourees(program: Program) -> list[Nomination]:
    """The approved nominations of a decided program, in the decision's order (two queries)."""
    noms = program.nominations.filter(status=Nomination.Status.APPROVED).select_related(
        "person", "unit"
    )
    return in_decision_order(
        noms.order_by("id"), program.agency, kind=lambda n: n.kind, unit=lambda n: n.unit_id
    )


# --- candidates for 先进集体, ranked by the appraisal's unit performance scores -----------------


def collective_candidates(program: Program) -> list[dict[str, Any]]:
    """The agency's departments and affiliated units ranked by their unit performance score of
    the program's year (luoshi.appraisal's scoring model), each with whether it is nominated for
    a collective honour in the program already."""
    rows, _supervision = appraisal_selectors.unit_performance(program.agency, program.year)
    collective = [code for code, k in rules.KINDS.items() if k.collective]
    nominated = set(
        program.nominations.filter(person__isnull=True, kind__in=collective)
        .exclude(status=Nomination.Status.WITHDRAWN)
        .values_list("unit_id", flat=True)
    )
    return [
        {
            "unit": r.unit,
            "score": r.score,
            "rank": r.rank,
            "leadership": r.leadership,
            "nominated": r.unit.pk in nominated,
        }
        for r in rows
    ]


def has_collective_quota(program: Program) -> bool:
    collective = [code for code, k in rules.KINDS.items() if k.collective]
    return program.quotas.filter(kind__in=collective).exists()


# --- the honours record of a unit -------------------------------------------------------------


def unit_honours(user: Any, unit: OrgUnit) -> Any:
    """The honours of a unit the user may see: its collective honours and those of its people
    given while they were in it."""
    return (
        perms.honours_visible(user)
        .filter(unit=unit)
        .order_by("-year", "-awarded_on", "person__name", "id")
    )
