"""Reads of evaluation campaigns: scoped lists, turnout, and the tally.

`campaign_results(campaign)` is the stable entry point for the annual appraisal: a dict of
person id → CandidateResult, available only once the campaign is closed and its ballots sealed
(`is_closed`; while "sealing" it raises ResultsSealing). It checks no user and writes no audit
entry; pages and the API go through services.results_view, which does both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luoshi.core.errors import DomainError

from . import rules
from .models import BallotMark, Campaign, Candidate, RaterCategory, Voter
from .permissions import campaigns_visible
from .rules import CandidateResult

__all__ = [
    "CandidateResult",
    "ResultsNotAvailable",
    "ResultsSealing",
    "campaign_results",
    "campaigns_visible",
]


class ResultsNotAvailable(DomainError):
    code = "results_not_available"
    status = 409
    default_message = _("Results are available only after the evaluation is closed.")


class ResultsSealing(ResultsNotAvailable):
    """Closed, but the ballots are still being rewritten anonymously (sealing.campaign_seal)."""

    code = "results_sealing"
    default_message = _(
        "The vote is closed and its ballots are being sealed. The results will be shown in a "
        "moment."
    )


def campaign_list(user: Any, *, year: int | None = None, status: str = "") -> QuerySet[Campaign]:
    qs = campaigns_visible(user).annotate(
        candidate_count=Count("candidates", distinct=True),
        voter_count=Count("voters", distinct=True),
        voted_count=Count("voters", filter=Q(voters__has_voted=True), distinct=True),
    )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-id")


@dataclass(frozen=True)
class Turnout:
    voted: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.voted / self.total) if self.total else 0


def turnout(campaign: Campaign) -> Turnout:
    row = Voter.objects.filter(campaign=campaign).aggregate(
        total=Count("id"), voted=Count("id", filter=Q(has_voted=True))
    )
    return Turnout(voted=row["voted"] or 0, total=row["total"] or 0)


@dataclass(frozen=True)
class CategoryTurnout:
    """Anonymous slips: how many of one rater category's slips have been used. Nothing else is
    known of a slip (not who drew it)."""

    category_id: int
    name: str
    weight: int
    used: int
    total: int


def turnout_by_category(campaign: Campaign) -> list[CategoryTurnout]:
    """The turnout of an anonymous-slips campaign per rater category ([] for identified)."""
    rows = (
        RaterCategory.objects.filter(campaign=campaign)
        .annotate(
            used=Count("slip_rows", filter=Q(slip_rows__has_voted=True)),
            issued=Count("slip_rows"),
        )
        .order_by("sort_order", "id")
    )
    return [CategoryTurnout(c.pk, c.name, c.weight, c.used, c.issued or c.slips) for c in rows]


def categories_of(campaign: Campaign) -> list[RaterCategory]:
    return list(campaign.rater_categories.order_by("sort_order", "id"))


def candidates_of(campaign: Campaign) -> list[Candidate]:
    return list(
        campaign.candidates.select_related("person", "person__unit", "person__post").order_by(
            "sort_order", "id"
        )
    )


def campaign_results(campaign: Campaign) -> dict[int, CandidateResult]:
    """person id → CandidateResult for every candidate of a closed, sealed campaign (4 queries).

    With rater categories (anonymous slips) the score is weighted by category
    (rules.weighted_tally)."""
    if campaign.is_sealing:
        raise ResultsSealing()
    if not campaign.is_closed:
        raise ResultsNotAvailable()
    grades = list(campaign.grades.order_by("sort_order", "id"))
    points = {g.code: g.points for g in grades}
    code_of = {g.pk: g.code for g in grades}
    weights = dict(campaign.rater_categories.values_list("pk", "weight"))
    counts: dict[int, dict[int | None, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        BallotMark.objects.filter(candidate__campaign=campaign)
        .values("candidate_id", "ballot__category_id", "grade_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["grade_id"] is None:
            continue  # "self — not rated": the candidate's own ballot, which rates nobody
        by_category = counts[row["candidate_id"]][row["ballot__category_id"]]
        by_category[code_of[row["grade_id"]]] = row["n"]
    candidates = campaign.candidates.values_list("pk", "person_id")
    return {
        person_id: rules.weighted_tally(
            person_id, counts.get(pk, {}), weights, points, campaign.min_ballots
        )
        for pk, person_id in candidates
    }


def my_voter_rows(user: Any) -> QuerySet[Voter]:
    """The user's own places on the voter lists of open campaigns (for "My ballots")."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Voter.objects.none()
    return (
        Voter.objects.filter(person_id=person_id, campaign__status=Campaign.Status.PUBLISHED)
        .select_related("campaign", "campaign__unit")
        .order_by("-campaign__year", "-campaign_id")
    )
