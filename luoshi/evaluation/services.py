"""Every write to democratic evaluation: keyword-only, atomic, audited.

Lifecycle: draft → published → closed. A draft's title, scale, candidates and voters change
freely; publishing freezes them (any later edit is refused) and issues the ballots.

Two ballot modes, chosen at creation and changeable only until ballots are issued
(`ballot_mode_set`): *identified* — the voter list's people each get a link that works only
when they are signed in (the system knows who voted, not how; nobody rates themself); and
*anonymous slips* — publishing creates, per rater category, as many slips as it was given,
assigned to nobody; `codes_issue` prints their codes as cut-apart slips, drawn at random at the
meeting (the system knows how many slips of each category were used, not who held them).
Nothing ever puts a person's name beside a code.

Casting a ballot spends the voter's credential with a conditional UPDATE (… WHERE has_voted =
false), so a credential votes once even when two casts race; the ballot goes, in a separate
transaction, into a durable buffer, moved into the ballot tables in shuffled batches
(`ballot_cast`, `ballots_flush`): no ballot row shares a transaction with its voter's row.

Closing is two steps. `campaign_close` (the officer's request, instant) stops the vote at once
— the campaign becomes "sealing", every credential is spent — and, after its commit, enqueues
the `seal_ballots` task. That task (`sealing.campaign_seal`, in its own transaction, which takes
seconds for a large campaign) rewrites the ballots in random order under new keys, so that
neither the rows' physical order nor their inserting transaction (PostgreSQL's xmin, SQLite's
rowid) tells when a ballot was cast — the last trace linking a ballot to the moment its voter
voted — and then marks the campaign closed. Results are shown only then. A task that is lost
is enqueued again by `luoshi tick` (`sealing_resume`); sealing twice does nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.core import audit, cache
from luoshi.core.context import client_ip
from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.versioning import check_version, save_versioned
from luoshi.orgs.models import OrgUnit, Person

from . import rules
from .models import (
    Campaign,
    Candidate,
    CodeFailure,
    GradeOption,
    PendingBallot,
    RaterCategory,
    Voter,
)
from .sealing import flush_in_transaction, seal_marks, vacuum_ballot_tables
from .selectors import campaign_results, turnout
from .tasks import seal_ballots

# --- errors -----------------------------------------------------------------------------------


class CampaignFrozen(DomainError):
    code = "campaign_frozen"
    status = 409
    default_message = gettext_lazy(
        "The evaluation has been published: its candidates, voters and grades can no longer "
        "be changed."
    )


class BallotsIssued(DomainError):
    code = "ballots_issued"
    status = 409
    default_message = gettext_lazy(
        "Ballots of this evaluation have been issued: its ballot mode can no longer be changed."
    )


class WrongBallotMode(DomainError):
    code = "wrong_ballot_mode"
    status = 409
    default_message = gettext_lazy("This is not possible in this evaluation's ballot mode.")


class AlreadyVoted(DomainError):
    code = "already_voted"
    status = 409
    default_message = gettext_lazy(
        "This ballot has already been cast. Each code or link votes only once."
    )


class VotingClosed(DomainError):
    code = "voting_closed"
    status = 409
    default_message = gettext_lazy("This evaluation is not open for voting.")


class BadCredential(NotFound):
    code = "bad_credential"
    default_message = gettext_lazy(
        "This code is not valid. Check it against your sheet and type it again."
    )


class TooManyCodeAttempts(DomainError):
    """Too many wrong codes from one client address: refused before the code is even looked up,
    so the answer is the same whether the code exists or not."""

    code = "too_many_attempts"
    status = 429
    default_message = gettext_lazy(
        "Too many wrong ballot codes were typed from this device. Try again later, or ask the "
        "personnel office for help."
    )


NO_PRINTED_CODES = gettext_lazy(
    "Identified ballots have no printed codes: each voter opens their own ballot under “My "
    "ballots” after signing in."
)

# What the system knows of a ballot, said on the ballot (page and API) as it is.
IDENTIFIED_NOTICE = gettext_lazy(
    "Identified ballot: the system records that you voted, not how. Your grades are stored with "
    "no link to you; you are not on your own ballot."
)
SLIP_NOTICE = gettext_lazy(
    "Anonymous slip: the system does not know who holds this code. It records only that the slip "
    "was used, and the grades with no link to the slip. If you are on this ballot yourself, "
    "choose “Don't know” for yourself."
)


# --- credentials ------------------------------------------------------------------------------


def _keyed_hash(kind: str, secret: str) -> str:
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, f"luoshi.evaluation.{kind}:{secret}".encode(), hashlib.sha256).hexdigest()


def link_token(voter: Voter) -> str:
    """The voter's link token, derived from a random salt and the secret key (never stored)."""
    if not voter.token_salt:
        return ""
    key = str(settings.SECRET_KEY).encode()
    message = f"luoshi.evaluation.link:{voter.campaign_id}:{voter.pk}:{voter.token_salt}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return _keyed_hash("token", token)


def code_hash(code: str) -> str:
    return _keyed_hash("code", rules.normalize_code(code))


def new_code() -> str:
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))


# --- drafting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeIn:
    code: str
    label: str = ""
    points: int | None = None


def _clean(text: str) -> str:
    """Text as stored: no NUL characters (the database refuses them), no outer spaces."""
    return (text or "").replace("\x00", "").strip()


def _require_draft(campaign: Campaign) -> None:
    if not campaign.is_draft:
        raise CampaignFrozen()


def _check_title(title: str) -> str:
    title = _clean(title)
    if not title:
        raise InvalidInput(
            _("The evaluation needs a title."),
            details=[{"field": "title", "message": _("The title is required.")}],
        )
    return title


def _check_mode(mode: str | None) -> str:
    if mode not in Campaign.BallotMode.values:
        raise InvalidInput(
            _("Choose how the ballots are given out."),
            details=[
                {
                    "field": "ballot_mode",
                    "message": _("Choose identified ballots or anonymous slips."),
                }
            ],
        )
    return str(mode)


def ballots_issued(campaign: Campaign) -> bool:
    """Whether any credential of the campaign exists: a link (identified) or a slip."""
    return (
        not campaign.is_draft
        or campaign.voters.exclude(token_hash="", code_hash="").exists()
        or campaign.voters.filter(person__isnull=True).exists()
    )


def _check_min_ballots(value: int | None) -> int:
    if value is None:
        return rules.min_ballots_default()
    if value < 1:
        raise InvalidInput(
            _("The minimum number of ballots must be at least 1."),
            details=[{"field": "min_ballots", "message": _("At least 1.")}],
        )
    return value


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    unit: OrgUnit,
    year: int,
    title: str,
    purpose: str = "",
    ballot_mode: str,
    family: str = Campaign.Family.CIVIL_SERVANT,
    min_ballots: int | None = None,
) -> Campaign:
    """A draft campaign. `ballot_mode` has no default: whether the system may know who voted is
    the officer's choice, made explicitly (identified ballots or anonymous slips)."""
    if family not in Campaign.Family.values:
        raise InvalidInput(details=[{"field": "family", "message": _("Unknown grade scale.")}])
    campaign = Campaign.objects.create(
        unit=unit,
        year=year,
        title=_check_title(title),
        purpose=_clean(purpose)[:64],
        ballot_mode=_check_mode(ballot_mode),
        family=family,
        min_ballots=_check_min_ballots(min_ballots),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    GradeOption.objects.bulk_create(
        GradeOption(
            campaign=campaign,
            code=row.code,
            label=row.label,
            points=row.points,
            sort_order=row.sort_order,
        )
        for row in rules.default_scale(family)
    )
    audit.record("evaluation.create", actor=actor, obj=campaign, after=audit.snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Any,
    campaign: Campaign,
    title: str,
    year: int,
    purpose: str = "",
    min_ballots: int | None = None,
    ballot_mode: str | None = None,
    version: int | None = None,
) -> Campaign:
    check_version(campaign, version)
    _require_draft(campaign)
    if ballot_mode is not None and ballot_mode != campaign.ballot_mode:
        campaign = ballot_mode_set(actor=actor, campaign=campaign, ballot_mode=ballot_mode)
    before = audit.snapshot(campaign)
    campaign.title = _check_title(title)
    campaign.year = year
    campaign.purpose = _clean(purpose)[:64]
    campaign.min_ballots = _check_min_ballots(min_ballots)
    save_versioned(campaign, ["title", "year", "purpose", "min_ballots"])
    old, new = audit.diff(before, audit.snapshot(campaign))
    audit.record("evaluation.update", actor=actor, obj=campaign, before=old, after=new)
    return campaign


@transaction.atomic
def ballot_mode_set(
    *, actor: Any, campaign: Campaign, ballot_mode: str, version: int | None = None
) -> Campaign:
    """Change the ballot mode of a draft whose ballots have not been issued.

    The other mode's list goes: switching to slips removes the voter list (slips are nobody's),
    switching to identified removes the rater categories (each voter is on the list instead).
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(campaign, version)
    mode = _check_mode(ballot_mode)
    if ballots_issued(campaign):
        raise BallotsIssued()
    if mode == campaign.ballot_mode:
        return campaign
    before = {"ballot_mode": campaign.ballot_mode}
    removed: dict[str, Any] = {}
    if mode == Campaign.BallotMode.SLIPS:
        removed["voters"] = campaign.voters.count()
        campaign.voters.all().delete()
        cache.bump("ballots")
    else:
        removed["rater_categories"] = campaign.rater_categories.count()
        campaign.rater_categories.all().delete()
    campaign.ballot_mode = mode
    save_versioned(campaign, ["ballot_mode"])
    audit.record(
        "evaluation.ballot_mode",
        actor=actor,
        obj=campaign,
        before=before,
        after={"ballot_mode": mode, "removed": removed},
    )
    return campaign


@transaction.atomic
def campaign_delete(*, actor: Any, campaign: Campaign) -> None:
    _require_draft(campaign)
    snapshot = audit.snapshot(campaign)
    audit.record("evaluation.delete", actor=actor, obj=campaign, before=snapshot)
    campaign.delete()


@transaction.atomic
def grades_set(*, actor: Any, campaign: Campaign, grades: Sequence[GradeIn]) -> list[GradeOption]:
    """Replace the campaign's grade scale (codes unique, at least one counted grade)."""
    _require_draft(campaign)
    codes = [_clean(g.code) for g in grades]
    problems = []
    if len(set(codes)) != len(codes) or not all(codes):
        problems.append({"field": "grades", "message": _("Each grade needs its own code.")})
    if not any(g.points is not None for g in grades):
        problems.append({"field": "grades", "message": _("At least one grade must count points.")})
    if any(g.points is not None and not 0 <= g.points <= 1000 for g in grades):
        problems.append({"field": "grades", "message": _("Points are between 0 and 1000.")})
    if problems:
        raise InvalidInput(_("The grade scale is not valid."), details=problems)
    before = [(g.code, g.label, g.points) for g in campaign.grades.all()]
    campaign.grades.all().delete()
    rows = GradeOption.objects.bulk_create(
        GradeOption(
            campaign=campaign,
            code=_clean(g.code)[:32],
            label=_clean(g.label)[:32],
            points=g.points,
            sort_order=index,
        )
        for index, g in enumerate(grades, start=1)
    )
    audit.record(
        "evaluation.grades",
        actor=actor,
        obj=campaign,
        before={"grades": before},
        after={"grades": [(g.code, g.label, g.points) for g in rows]},
    )
    return rows


def _people_in(campaign: Campaign, people: Iterable[Person]) -> list[Person]:
    chosen = list(dict.fromkeys(people))
    outside = [p for p in chosen if not p.unit.path.startswith(campaign.unit.path)]
    if outside:
        raise InvalidInput(
            _("Only people of %(unit)s and its units can take part.") % {"unit": campaign.unit},
            details=[{"field": "people", "message": ", ".join(p.name for p in outside)}],
        )
    return chosen


@transaction.atomic
def candidates_set(*, actor: Any, campaign: Campaign, people: Iterable[Person]) -> int:
    """Make `people` the campaign's candidates (in this order)."""
    _require_draft(campaign)
    chosen = _people_in(campaign, people)
    before = sorted(campaign.candidates.values_list("person_id", flat=True))
    campaign.candidates.all().delete()
    Candidate.objects.bulk_create(
        Candidate(campaign=campaign, person=p, sort_order=i) for i, p in enumerate(chosen, 1)
    )
    audit.record(
        "evaluation.candidates",
        actor=actor,
        obj=campaign,
        before={"candidates": before},
        after={"candidates": sorted(p.pk for p in chosen)},
    )
    return len(chosen)


@transaction.atomic
def voters_set(*, actor: Any, campaign: Campaign, people: Iterable[Person]) -> int:
    """The voter list of an identified-ballots campaign (anonymous slips have none)."""
    _require_draft(campaign)
    chosen = _people_in(campaign, people)
    if chosen and not campaign.is_identified:
        raise WrongBallotMode(
            _(
                "Anonymous slips have no voter list: give each rater category its number of "
                "slips instead."
            ),
            details=[{"field": "voters", "message": _("Only identified ballots have voters.")}],
        )
    before = sorted(campaign.voters.values_list("person_id", flat=True))
    campaign.voters.all().delete()
    Voter.objects.bulk_create(Voter(campaign=campaign, person=p) for p in chosen)
    cache.bump("ballots")  # bulk_create sends no signal ("My ballots" in the navigation)
    audit.record(
        "evaluation.voters",
        actor=actor,
        obj=campaign,
        before={"voters": before},
        after={"voters": sorted(p.pk for p in chosen)},
    )
    return len(chosen)


@dataclass(frozen=True)
class CategoryIn:
    name: str
    weight: int
    slips: int


@transaction.atomic
def categories_set(
    *, actor: Any, campaign: Campaign, categories: Sequence[CategoryIn]
) -> list[RaterCategory]:
    """The rater categories of an anonymous-slips draft: each with its weight (per cent, all
    adding up to 100) and its number of slips."""
    _require_draft(campaign)
    if not campaign.uses_slips:
        raise WrongBallotMode(
            _("Only anonymous slips have rater categories: identified ballots have a voter list."),
            details=[{"field": "categories", "message": _("Only anonymous slips have these.")}],
        )
    names = [_clean(c.name)[:64] for c in categories]
    problems = []
    if not all(names) or len(set(names)) != len(names):
        problems.append({"field": "categories", "message": _("Each category needs its own name.")})
    if any(not 1 <= c.weight <= rules.CATEGORY_WEIGHT_TOTAL for c in categories):
        problems.append(
            {"field": "categories", "message": _("A weight is between 1 and 100 per cent.")}
        )
    elif categories and sum(c.weight for c in categories) != rules.CATEGORY_WEIGHT_TOTAL:
        problems.append(
            {
                "field": "categories",
                "message": _("The weights add up to %(sum)d %%; they must add up to 100 %%.")
                % {"sum": sum(c.weight for c in categories)},
            }
        )
    if any(not 1 <= c.slips <= rules.MAX_SLIPS_PER_CATEGORY for c in categories):
        problems.append(
            {
                "field": "categories",
                "message": _("A category has between 1 and %(max)d slips.")
                % {"max": rules.MAX_SLIPS_PER_CATEGORY},
            }
        )
    if problems:
        raise InvalidInput(_("The rater categories are not valid."), details=problems)
    before = [(c.name, c.weight, c.slips) for c in campaign.rater_categories.all()]
    campaign.rater_categories.all().delete()
    rows = RaterCategory.objects.bulk_create(
        RaterCategory(campaign=campaign, name=name, weight=c.weight, slips=c.slips, sort_order=i)
        for i, (name, c) in enumerate(zip(names, categories, strict=True), start=1)
    )
    audit.record(
        "evaluation.categories",
        actor=actor,
        obj=campaign,
        before={"categories": before},
        after={"categories": [(c.name, c.weight, c.slips) for c in rows]},
    )
    return rows


# --- publish, codes, close --------------------------------------------------------------------


@transaction.atomic
def campaign_publish(*, actor: Any, campaign: Campaign, version: int | None = None) -> Campaign:
    """Open the vote: freeze the lists and issue the ballots — a link credential for every voter
    (identified ballots) or each rater category's slips, assigned to nobody (anonymous slips;
    their codes are printed by `codes_issue`)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(campaign, version)
    _require_draft(campaign)
    problems = []
    categories = list(campaign.rater_categories.all())
    if not campaign.candidates.exists():
        problems.append({"field": "candidates", "message": _("Add at least one candidate.")})
    if campaign.uses_slips:
        if not categories:
            problems.append(
                {"field": "categories", "message": _("Add at least one rater category.")}
            )
        elif sum(c.weight for c in categories) != rules.CATEGORY_WEIGHT_TOTAL:
            problems.append(
                {"field": "categories", "message": _("The weights must add up to 100 %.")}
            )
    elif not campaign.voters.exists():
        problems.append({"field": "voters", "message": _("Add at least one voter.")})
    if not campaign.grades.filter(points__isnull=False).exists():
        problems.append({"field": "grades", "message": _("At least one grade must count points.")})
    if problems:
        raise InvalidInput(_("The evaluation cannot be published yet."), details=problems)
    if campaign.uses_slips:
        campaign.voters.all().delete()  # none can be added in this mode; never a person's row
        Voter.objects.bulk_create(
            Voter(campaign=campaign, person=None, category=category)
            for category in categories
            for _slip in range(category.slips)
        )
        count = sum(c.slips for c in categories)
    else:
        voters = list(campaign.voters.all())
        for voter in voters:
            voter.token_salt = secrets.token_hex(16)
            voter.token_hash = token_hash(link_token(voter))
        Voter.objects.bulk_update(voters, ["token_salt", "token_hash"])
        count = len(voters)
    campaign.status, campaign.published_at = Campaign.Status.PUBLISHED, timezone.now()
    save_versioned(campaign, ["status", "published_at"])
    audit.record(
        "evaluation.publish",
        actor=actor,
        obj=campaign,
        after={
            "status": campaign.status,
            "ballot_mode": campaign.ballot_mode,
            "candidates": campaign.candidates.count(),
            "slips" if campaign.uses_slips else "voters": count,
        },
    )
    return campaign


@dataclass(frozen=True)
class IssuedCode:
    """One printed slip: its rater category and its code — and nobody's name."""

    category: RaterCategory
    code: str  # printed as rules.format_code(code)


@transaction.atomic
def codes_issue(*, actor: Any, campaign: Campaign) -> list[IssuedCode]:
    """New codes for every unused slip of an anonymous-slips campaign; earlier codes stop working.

    Grouped by rater category, in random order within each; the slips are assigned to nobody.
    Only the codes' keyed hashes are stored: the slips printed from the answer are the only copy.
    Identified ballots have no printed codes (each voter's link is theirs alone).
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise VotingClosed()
    if not campaign.uses_slips:
        raise WrongBallotMode(str(NO_PRINTED_CODES))
    categories = {c.pk: c for c in campaign.rater_categories.all()}
    slips = list(campaign.voters.filter(has_voted=False, person__isnull=True))
    random.SystemRandom().shuffle(slips)
    order = {pk: i for i, pk in enumerate(categories)}
    slips.sort(key=lambda slip: order.get(slip.category_id or 0, len(order)))
    issued: list[IssuedCode] = []
    used: set[str] = set()
    for slip in slips:
        code = new_code()
        while code in used:  # pragma: no cover - 31^8 codes
            code = new_code()
        used.add(code)
        slip.code_hash = code_hash(code)
        issued.append(IssuedCode(categories[slip.category_id or 0], code))
    Voter.objects.bulk_update(slips, ["code_hash"])
    audit.record("evaluation.codes_issue", actor=actor, obj=campaign, after={"codes": len(issued)})
    return issued


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign, version: int | None = None) -> Campaign:
    """Stop the vote now; the ballots are sealed by a background task after the commit.

    The campaign becomes "sealing" (no ballot is accepted any more: casting locks the same row
    and checks the status) and every credential is spent. `seal_ballots` is enqueued once this
    transaction commits; until it has run the results are not shown.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(campaign, version)
    if not campaign.is_open:
        raise VotingClosed()
    campaign.voters.update(code_hash="", token_hash="")  # spent: nothing can vote any more
    campaign.status, campaign.closed_at = Campaign.Status.SEALING, timezone.now()
    save_versioned(campaign, ["status", "closed_at"])
    count = turnout(campaign)
    audit.record(
        "evaluation.close",
        actor=actor,
        obj=campaign,
        after={"status": campaign.status, "voted": count.voted, "voters": count.total},
    )
    campaign_id = campaign.pk
    transaction.on_commit(lambda: _enqueue_sealing(campaign_id))
    return campaign


def _enqueue_sealing(campaign_id: int) -> None:
    seal_ballots.enqueue(campaign_id)


def sealing_resume(today: dt.date | None = None) -> str:
    """The `luoshi tick` step: enqueue sealing again for every campaign closed more than
    rules.SEALING_RETRY_MINUTES ago and still not sealed (its task lost: a worker that died, a
    queue that was cleared). A duplicate of a task still queued does nothing when it runs."""
    cutoff = timezone.now() - dt.timedelta(minutes=rules.SEALING_RETRY_MINUTES)
    stale = list(
        Campaign.objects.filter(status=Campaign.Status.SEALING, closed_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for campaign_id in stale:
        _enqueue_sealing(campaign_id)
    # a ballot whose buffering committed while its campaign was being sealed: never lost
    late = list(
        PendingBallot.objects.filter(campaign__status=Campaign.Status.CLOSED, refused=False)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    moved = sum(ballots_flush(campaign_id=pk, everything=True) for pk in late)
    return (
        f"{len(stale)} unsealed closed evaluation(s) queued for sealing again, "
        f"{moved} late ballot(s) stored"
    )


def results_view(*, actor: Any, campaign: Campaign, purpose: str = "page") -> dict[int, Any]:
    """The tally, for a reader already allowed to see it; every view is audited."""
    results = campaign_results(campaign)
    action = "evaluation.results_export" if purpose == "xlsx" else "evaluation.results_view"
    with transaction.atomic():
        audit.record(action, actor=actor, obj=campaign, after={"as": purpose})
    return results


# --- casting ----------------------------------------------------------------------------------


def voter_for_code(code: str, *, client: str | None = None) -> Voter:
    """The voter a printed code belongs to, in an open campaign (not-found otherwise).

    Guessing is limited per client address (`client`, by default the request's): after
    rules.code_max_failures() failed attempts within rules.code_failure_window(), every code
    from that address is refused (TooManyCodeAttempts, HTTP 429) until the oldest failure leaves
    the window. The check comes before the look-up, so a locked-out guesser learns nothing about
    any code. A failure is written in its own durable transaction, after the look-up's has been
    rolled back: it counts even though the attempt itself leaves nothing behind, and it must
    not be called inside a caller's transaction (Django refuses a durable block there, so it
    cannot be silently undone). A success resets nothing: a spent code still looks up, and must
    not wipe a guesser's count.
    """
    address = client if client is not None else client_ip.get()
    key = _keyed_hash("client", address) if address else ""
    now = timezone.now()
    if key:
        until = _code_locked_until(key, now)
        if until is not None:
            raise TooManyCodeAttempts(
                _(
                    "Too many wrong ballot codes were typed from this device. Try again after "
                    "%(time)s, or ask the personnel office for help."
                )
                % {"time": timezone.localtime(until).strftime("%H:%M")}
            )
    try:
        with transaction.atomic():
            return _voter_for_code(code)
    except BadCredential:
        if key:
            with transaction.atomic(durable=True):
                CodeFailure.objects.create(client=key, at=now)
        raise


def _voter_for_code(code: str) -> Voter:
    normalized = rules.normalize_code(code)
    if len(normalized) != rules.CODE_LENGTH:
        raise BadCredential()
    voter = (
        Voter.objects.select_related("campaign", "category")
        .filter(
            code_hash=code_hash(normalized),
            campaign__status=Campaign.Status.PUBLISHED,
            person__isnull=True,
        )
        .first()
    )
    if voter is None:
        raise BadCredential()
    return voter


def _code_locked_until(key: str, now: dt.datetime) -> dt.datetime | None:
    """When the address's lock ends, or None when it may try a code."""
    limit, window = rules.code_max_failures(), rules.code_failure_window()
    recent = list(
        CodeFailure.objects.filter(client=key, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


def code_failures_purge(today: dt.date | None = None) -> str:
    """The `luoshi tick` step: forget failed code attempts older than the window."""
    cutoff = timezone.now() - rules.code_failure_window()
    with transaction.atomic():
        deleted, _rows = CodeFailure.objects.filter(at__lte=cutoff).delete()
    return f"{deleted} old failed ballot code attempt(s) purged"


def voter_for_token(token: str, user: Any) -> Voter:
    """The voter of a link token (identified ballots); the link works only for the voter's own
    account."""
    person_id = getattr(user, "person_id", None)
    voter = (
        Voter.objects.select_related("campaign", "person")
        .filter(
            token_hash=token_hash(token or ""),
            campaign__status=Campaign.Status.PUBLISHED,
            campaign__ballot_mode=Campaign.BallotMode.IDENTIFIED,
        )
        .first()
        if token and person_id
        else None
    )
    if voter is None or voter.person_id != person_id:
        raise NotFound()
    return voter


def ballot_candidates(voter: Voter) -> list[Candidate]:
    """Whom this voter rates: every candidate but themself (a slip is nobody's: every
    candidate). Their own candidacy still gets a mark on the stored ballot, "self — not rated"
    (ballot_cast), so that every ballot carries the same set of marks."""
    return [c for c in _candidates(voter.campaign) if c.person_id != voter.person_id]


def _candidates(campaign: Campaign) -> list[Candidate]:
    return list(
        campaign.candidates.select_related("person", "person__unit").order_by("sort_order", "id")
    )


def ballot_cast(*, voter: Voter, choices: Mapping[int, str], channel: str = "link") -> None:
    """Cast the voter's ballot: `choices` maps each candidate's person id to a grade code.

    The voter's own candidacy is not on their ballot; every other candidate needs a grade
    ("unknown" is a grade). Nothing returned, nothing stored, links the ballot to the voter:

    1. one transaction spends the credential (… WHERE has_voted = false) and writes the audit
       entry (no ballot id, no actor, no address);
    2. a second transaction stores the ballot in the durable buffer (`PendingBallot`), with a
       "self — not rated" mark for the voter's own candidacy, so every ballot has every mark,
       the marks encrypted under settings.LUOSHI_BALLOT_KEY (sealing.seal_marks);
    3. once the buffer holds settings.LUOSHI_BALLOT_BATCH ballots of the campaign, they are
       moved into `Ballot`/`BallotMark` in shuffled order under fresh keys, in one transaction
       (`ballots_flush`), and the buffer's dead rows vacuumed away on PostgreSQL.

    The ballot is acknowledged (this returns) only after step 2 has committed: an acknowledged
    ballot is never lost. Should step 2 fail, the credential is given back. Must be called
    outside a transaction for the steps to be separate (pages and API do so).
    """
    candidates = _candidates(Campaign.objects.get(pk=voter.campaign_id))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=voter.campaign_id)
        if not campaign.is_open:
            raise VotingClosed()
        grades = {g.code: g for g in campaign.grades.all()}
        marks = _validated_marks(voter, candidates, grades, choices)
        spent = Voter.objects.filter(pk=voter.pk, has_voted=False).update(has_voted=True)
        if spent != 1:
            raise AlreadyVoted()
        cache.bump("ballots")  # "My ballots" in the navigation; a counter, nothing of the vote
        # The entry names no actor, no client address and no ballot: it counts a turnout.
        ip_token = client_ip.set(None)
        try:
            audit.record(
                "evaluation.ballot_cast",
                obj=campaign,
                after={"channel": "code" if channel == "code" else "link"},
            )
        finally:
            client_ip.reset(ip_token)
    try:
        with transaction.atomic():
            row_id = uuid.uuid4()
            PendingBallot.objects.create(
                id=row_id,
                campaign_id=voter.campaign_id,
                category_id=voter.category_id,
                payload=seal_marks(
                    marks,
                    row_id=row_id,
                    campaign_id=voter.campaign_id,
                    category_id=voter.category_id,
                ),
            )
    except Exception:
        # not acknowledged: give the credential back so that the voter can cast again
        Voter.objects.filter(pk=voter.pk).update(has_voted=False)
        raise
    voter.has_voted = True
    if Campaign.objects.filter(pk=voter.campaign_id, status=Campaign.Status.CLOSED).exists():
        ballots_flush(campaign_id=voter.campaign_id, everything=True)  # sealed meanwhile
    elif PendingBallot.objects.filter(campaign_id=voter.campaign_id, refused=False).count() >= max(
        1, settings.LUOSHI_BALLOT_BATCH
    ):
        ballots_flush(campaign_id=voter.campaign_id)


def _validated_marks(
    voter: Voter,
    candidates: list[Candidate],
    grades: Mapping[str, GradeOption],
    choices: Mapping[int, str],
) -> list[list[int | None]]:
    """[candidate id, grade id] for every candidate of the campaign, in random order: the
    voter's own candidacy with no grade ("self — not rated"). InvalidInput lists each problem."""
    rated = [c for c in candidates if c.person_id != voter.person_id]
    wanted = {c.person_id for c in rated}
    given = {int(k): v for k, v in choices.items()}
    problems = []
    if voter.person_id in given:
        problems.append({"field": str(voter.person_id), "message": _("Nobody rates themself.")})
    for person_id in sorted(set(given) - wanted - {voter.person_id}):
        problems.append({"field": str(person_id), "message": _("Not a candidate of this ballot.")})
    for c in rated:
        code = given.get(c.person_id)
        if code is None:
            problems.append({"field": str(c.person_id), "message": _("Choose a grade.")})
        elif code not in grades:
            problems.append(
                {"field": str(c.person_id), "message": _("Not a grade of this ballot.")}
            )
    if problems:
        raise InvalidInput(_("The ballot is not complete."), details=problems)
    marks: list[list[int | None]] = [
        [c.pk, grades[given[c.person_id]].pk if c.person_id in wanted else None] for c in candidates
    ]
    random.SystemRandom().shuffle(marks)
    return marks


def ballots_flush(*, campaign_id: int, everything: bool = False) -> int:
    """Move a campaign's buffered ballots into `Ballot`/`BallotMark`: in random order, under
    fresh random keys, in one transaction; returns how many. Only whole batches
    (settings.LUOSHI_BALLOT_BATCH) unless `everything` (sealing). Rows another flush is moving
    are skipped (SKIP LOCKED), so two flushes at once move each ballot once. The buffer's dead
    rows are vacuumed afterwards on PostgreSQL (vacuum_ballot_tables)."""
    batch = max(1, settings.LUOSHI_BALLOT_BATCH)
    with transaction.atomic():
        moved = flush_in_transaction(campaign_id, batch, everything)
    if moved:
        vacuum_ballot_tables(PendingBallot)
    return moved
