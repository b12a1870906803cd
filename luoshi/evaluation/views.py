"""Pages of democratic evaluation.

Officers' pages (list, editor, people picker, turnout, results, exports) answer not-found to
anyone outside the confidential roles' scope. The voter's pages: "My ballots", the ballot behind
a link (their own account only) and the shared-screen page, where a printed code opens a ballot
without logging in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.forms import apply_domain_error
from luoshi.core.paging import paginate
from luoshi.documents import pdf
from luoshi.documents.exporters import export_response
from luoshi.orgs.models import OrgUnit, Person

from . import exports, selectors, services
from . import permissions as perms
from .forms import CampaignForm, CodeForm
from .models import Campaign, Candidate, Voter
from .rules import format_code, min_ballots_default


def _require_viewer(request: HttpRequest) -> None:
    if not perms.can_see_campaigns(request.user):
        raise NotFound()


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version") or 0) or None
    except ValueError:
        return None


# --- officers: list and editor ----------------------------------------------------------------


@login_required
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    status = request.GET.get("status", "")
    if status not in Campaign.Status.values:
        status = ""
    campaigns = selectors.campaign_list(request.user, year=year, status=status)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/campaign_list.html",
        {
            "page_obj": paginate(request, campaigns),
            "can_manage": perms.can_manage_campaigns(request.user),
            "statuses": Campaign.Status.choices,
            "status": status,
            "year": year or "",
            "query": query.urlencode(),
        },
    )


def _officer_units(request: HttpRequest) -> Any:
    scope = perms.officer_scope(request.user)
    qs = OrgUnit.objects.filter(is_active=True).order_by("path")
    if scope.everything:
        return qs
    condition = Q(pk__in=sorted(scope.unit_ids))
    for path in sorted(scope.subtree_paths):
        condition |= Q(path__startswith=path)
    return qs.filter(condition)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    perms.require(perms.can_manage_campaigns(request.user))

    form = CampaignForm(
        request.POST or None,
        units=_officer_units(request),
        initial={"year": timezone.localdate().year, "min_ballots": min_ballots_default()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The evaluation was created. Now choose its people."))
            return redirect("evaluation:people", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = perms.access_campaign_to_manage(request.user, pk)
    if not campaign.is_draft:
        raise services.CampaignFrozen()
    form = CampaignForm(
        request.POST or None,
        editing=True,
        initial={
            "year": campaign.year,
            "title": campaign.title,
            "min_ballots": campaign.min_ballots,
            "purpose": campaign.purpose,
            "ballot_mode": campaign.ballot_mode,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                actor=request.user,
                campaign=campaign,
                version=_version(request),
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The evaluation was saved."))
            return redirect("evaluation:campaign", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@never_cache
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = perms.access_campaign(request.user, pk)
    can_manage = perms.can_manage(request.user, campaign)
    if request.method == "POST":
        perms.require(can_manage)
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.campaign_publish(
                    actor=request.user, campaign=campaign, version=_version(request)
                )
                messages.success(request, _("The evaluation is open for voting."))
            elif action == "close":
                services.campaign_close(
                    actor=request.user, campaign=campaign, version=_version(request)
                )
                messages.success(
                    request,
                    _(
                        "The evaluation is closed: nobody can vote any more. Its ballots are "
                        "being sealed; the results will be shown in a moment."
                    ),
                )
            elif action == "delete":
                services.campaign_delete(actor=request.user, campaign=campaign)
                messages.success(request, _("The draft evaluation was deleted."))
                return redirect("evaluation:campaigns")
            elif action == "grades":
                services.grades_set(
                    actor=request.user, campaign=campaign, grades=_grades_from(request, campaign)
                )
                messages.success(request, _("The grades were saved."))
            elif action == "categories":
                services.categories_set(
                    actor=request.user, campaign=campaign, categories=_categories_from(request)
                )
                messages.success(request, _("The rater categories were saved."))
        except DomainError as exc:
            messages.error(request, " ".join([str(exc.message), *_detail_text(exc)]))
        return redirect("evaluation:campaign", pk=campaign.pk)
    candidates = selectors.candidates_of(campaign)
    # identified ballots: the voter list with who has voted; anonymous slips: never a person,
    # only how many slips of each rater category have been used
    voters = (
        list(
            campaign.voters.filter(person__isnull=False)
            .select_related("person", "person__unit")
            .order_by("person__unit__path", "person_id")
        )
        if campaign.is_identified
        else []
    )
    categories = selectors.categories_of(campaign) if campaign.uses_slips else []
    return render(
        request,
        "evaluation/campaign_detail.html",
        {
            "campaign": campaign,
            "grades": list(campaign.grades.all()),
            "candidates": candidates,
            "voters": voters,
            "categories": categories,
            "category_rows": [*categories, None, None] if campaign.is_draft else categories,
            "category_turnout": selectors.turnout_by_category(campaign),
            "turnout": selectors.turnout(campaign),
            "can_manage": can_manage,
            "vote_url": request.build_absolute_uri(reverse("evaluation:vote")),
        },
    )


def _detail_text(exc: DomainError) -> list[str]:
    return [str(d.get("message", "")) for d in exc.details if d.get("message")]


def _categories_from(request: HttpRequest) -> list[services.CategoryIn]:
    """The rows of the categories form (cat_name_N, cat_weight_N, cat_slips_N); empty rows
    are left out."""
    rows = []
    for index in range(50):
        name = (request.POST.get(f"cat_name_{index}") or "").strip()
        weight = (request.POST.get(f"cat_weight_{index}") or "").strip()
        slips = (request.POST.get(f"cat_slips_{index}") or "").strip()
        if not (name or weight or slips):
            continue
        try:
            rows.append(services.CategoryIn(name, int(weight or 0), int(slips or 0)))
        except ValueError:
            raise InvalidInput(_("Weights and numbers of slips are whole numbers.")) from None
    return rows


def _grades_from(request: HttpRequest, campaign: Campaign) -> list[services.GradeIn]:
    grades = []
    for grade in campaign.grades.all():
        raw = (request.POST.get(f"points_{grade.pk}") or "").strip()
        try:
            points = int(raw) if raw else None
        except ValueError:
            raise InvalidInput(
                _("Points must be whole numbers (leave empty for a grade that is not counted).")
            ) from None
        label = (request.POST.get(f"label_{grade.pk}") or "").strip()
        grades.append(services.GradeIn(grade.code, label, points))
    return grades


@login_required
def campaign_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick candidates and voters by unit: the people of one unit at a time, two checkboxes."""
    campaign = perms.access_campaign_to_manage(request.user, pk)
    if not campaign.is_draft:
        raise services.CampaignFrozen()
    units = list(
        OrgUnit.objects.filter(path__startswith=campaign.unit.path, is_active=True).order_by("path")
    )
    try:
        unit_id = int(request.GET.get("unit") or request.POST.get("unit") or campaign.unit_id)
    except ValueError:
        unit_id = campaign.unit_id
    unit = next((u for u in units if u.pk == unit_id), campaign.unit)
    people = list(
        Person.objects.filter(unit__path__startswith=unit.path, is_active=True)
        .select_related("unit", "post")
        .order_by("unit__path", "id")
    )
    candidate_ids = list(
        campaign.candidates.order_by("sort_order").values_list("person_id", flat=True)
    )
    voter_ids = list(campaign.voters.values_list("person_id", flat=True))
    if request.method == "POST":
        shown = {p.pk for p in people}
        ticked_c = {int(v) for v in request.POST.getlist("candidate") if v.isdigit()} & shown
        ticked_v = {int(v) for v in request.POST.getlist("voter") if v.isdigit()} & shown
        new_candidates = [i for i in candidate_ids if i not in shown or i in ticked_c]
        new_candidates += [p.pk for p in people if p.pk in ticked_c and p.pk not in candidate_ids]
        new_voters = [i for i in voter_ids if i not in shown] + [
            p.pk for p in people if p.pk in ticked_v
        ]
        if not campaign.is_identified:
            new_voters = []  # anonymous slips: no voter list
        by_id = Person.objects.select_related("unit").in_bulk(set(new_candidates) | set(new_voters))
        try:
            services.candidates_set(
                actor=request.user, campaign=campaign, people=[by_id[i] for i in new_candidates]
            )
            if campaign.is_identified:
                services.voters_set(
                    actor=request.user, campaign=campaign, people=[by_id[i] for i in new_voters]
                )
        except DomainError as exc:
            messages.error(request, " ".join([str(exc.message), *_detail_text(exc)]))
        else:
            messages.success(
                request,
                _("Saved: %(c)d candidates and %(v)d voters.")
                % {"c": len(new_candidates), "v": len(new_voters)},
            )
        return redirect(reverse("evaluation:people", args=[campaign.pk]) + f"?unit={unit.pk}")
    return render(
        request,
        "evaluation/campaign_people.html",
        {
            "campaign": campaign,
            "units": units,
            "unit": unit,
            "people": people,
            "candidate_ids": set(candidate_ids),
            "voter_ids": set(voter_ids),
            "candidate_count": len(candidate_ids),
            "voter_count": len(voter_ids),
        },
    )


@login_required
@require_POST
def codes_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Issue fresh codes for every unused anonymous slip and send the slips to print."""
    campaign = perms.access_campaign_to_manage(request.user, pk)
    if not campaign.uses_slips:  # before the font check: the same answer as the service's
        raise services.WrongBallotMode(str(services.NO_PRINTED_CODES))
    pdf.cjk_font()  # no font is a 503 before new codes void the ones handed out
    issued = services.codes_issue(actor=request.user, campaign=campaign)
    exporter = exports.CodesPdf(
        request.user,
        campaign,
        issued,
        vote_url=request.build_absolute_uri(reverse("evaluation:vote")),
    )
    return export_response(exporter.render())


# --- results ----------------------------------------------------------------------------------


def _results_context(request: HttpRequest, campaign: Campaign, purpose: str) -> dict[str, Any]:
    if not campaign.is_closed:
        raise selectors.ResultsNotAvailable()
    results = services.results_view(actor=request.user, campaign=campaign, purpose=purpose)
    candidates = selectors.candidates_of(campaign)
    grades = list(campaign.grades.all())
    return {"campaign": campaign, "candidates": candidates, "grades": grades, "results": results}


@login_required
@require_safe
@never_cache
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The tally once sealed. While the ballots are being sealed: a notice that htmx polls
    (`#sealing`, every 3 s); the first poll that finds the campaign sealed answers with
    HX-Refresh, so the browser loads the results as a normal, audited page view."""
    campaign = perms.access_campaign(request.user, pk)
    polling = bool(getattr(request, "htmx", False))
    if campaign.is_sealing:
        template = "evaluation/campaign_sealing.html"
        if polling:
            template += "#sealing"
        return render(request, template, {"campaign": campaign, "polling": polling})
    if polling and campaign.is_closed:
        return HttpResponse(headers={"HX-Refresh": "true"})
    context = _results_context(request, campaign, "page")
    rows = [
        {"candidate": c, "result": context["results"][c.person_id]} for c in context["candidates"]
    ]
    for row in rows:
        row["counts"] = [row["result"].counts.get(g.code, 0) for g in context["grades"]]
    context.update(
        rows=rows,
        turnout=selectors.turnout(campaign),
        category_turnout=selectors.turnout_by_category(campaign),
    )
    return render(request, "evaluation/campaign_results.html", context)


@login_required
@require_safe
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = perms.access_campaign(request.user, pk)
    context = _results_context(request, campaign, "xlsx")
    exporter = exports.ResultsXlsx(
        request.user, campaign, context["candidates"], context["grades"], context["results"]
    )
    return export_response(exporter.render())


# --- voters -----------------------------------------------------------------------------------


@login_required
@require_safe
def my_ballots(request: HttpRequest) -> HttpResponse:
    rows = [
        {"voter": v, "url": reverse("evaluation:ballot", args=[services.link_token(v)])}
        for v in selectors.my_voter_rows(request.user)
    ]
    return render(request, "evaluation/my_ballots.html", {"rows": rows})


def _choices_from(request: HttpRequest, candidates: list[Candidate]) -> dict[int, str]:
    choices: dict[int, str] = {}
    for c in candidates:
        value = request.POST.get(f"c{c.pk}")
        if value:
            choices[c.person_id] = value
    return choices


def _ballot_context(voter: Voter, **extra: Any) -> dict[str, Any]:
    """What the ballot page shows, and what it says the system knows: an identified ballot
    names its voter's account (the system records that they voted, not how); a slip names only
    its rater category (the system does not know who holds it)."""
    return {
        "campaign": voter.campaign,
        "slip": voter.person_id is None,
        "category": voter.category if voter.person_id is None else None,
        "candidates": services.ballot_candidates(voter),
        "grades": list(voter.campaign.grades.all()),
        **extra,
    }


def _cast(
    request: HttpRequest, voter: Voter, channel: str, candidates: list[Candidate]
) -> tuple[bool, list[str], dict[int, str]]:
    choices = _choices_from(request, candidates)
    try:
        services.ballot_cast(voter=voter, choices=choices, channel=channel)
    except services.AlreadyVoted:
        raise
    except DomainError as exc:
        missing = [c.person.name for c in candidates if c.person_id not in choices]
        errors = [str(exc.message)]
        if missing:
            errors.append(_("Choose a grade for: %(names)s") % {"names": "、".join(missing)})
        return False, errors, choices
    return True, [], choices


@login_required
@never_cache
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    """The ballot behind a voter's link (their own account only)."""
    voter = services.voter_for_token(token, request.user)
    if voter.has_voted:
        return render(request, "evaluation/ballot_done.html", {"campaign": voter.campaign})
    context = _ballot_context(voter, action=request.path)
    if request.method == "POST":
        try:
            done, errors, chosen = _cast(request, voter, "link", context["candidates"])
        except services.AlreadyVoted as exc:
            messages.error(request, str(exc.message))
            return redirect("evaluation:my_ballots")
        if done:
            return render(request, "evaluation/ballot_done.html", {"campaign": voter.campaign})
        context.update(errors=errors, chosen=_chosen_by_candidate(context, chosen))
    return render(request, "evaluation/ballot.html", context)


def _chosen_by_candidate(context: dict[str, Any], chosen: dict[int, str]) -> dict[int, str]:
    return {c.pk: chosen[c.person_id] for c in context["candidates"] if c.person_id in chosen}


def _public(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A page of the shared screen, open without log-in: the top bar shows only the product."""
    from django.conf import settings

    context.setdefault("agency_name", settings.LUOSHI_AGENCY_NAME or "")
    return render(request, template, context)


@never_cache
def vote_code_in_link(request: HttpRequest, code: str) -> HttpResponse:
    """A ballot code in an address (issue 20, finding 12: it would stay in every proxy's access
    log): sent on to the empty code form of the shared screen, which sends the code in the
    request body (a redirect, so that no page repeats the address). The code in the address is
    not read, looked up or counted."""
    return redirect("evaluation:vote")


@never_cache
def vote(request: HttpRequest) -> HttpResponse:
    """The shared screen: enter a printed code, rate, submit; no log-in needed.

    The code never appears in a URL (it would stay in the browser's history on a shared screen);
    it travels in the form's body between the two steps.
    """
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            voter = services.voter_for_code(code)
        except services.TooManyCodeAttempts as exc:
            form.add_error("code", exc.message)
            response = _public(request, "evaluation/vote_code.html", {"form": form})
            response.status_code = exc.status
            return response
        except NotFound as exc:
            form.add_error("code", exc.message)
        else:
            if voter.has_voted:
                form.add_error("code", services.AlreadyVoted.default_message)
            else:
                context = _ballot_context(voter, action=request.path, code=format_code(code))
                if request.POST.get("step") == "cast":
                    try:
                        done, errors, chosen = _cast(request, voter, "code", context["candidates"])
                    except services.AlreadyVoted as exc:
                        form.add_error("code", exc.message)
                        return _public(request, "evaluation/vote_code.html", {"form": form})
                    if done:
                        return _public(
                            request,
                            "evaluation/ballot_done.html",
                            {"campaign": voter.campaign, "next_voter": True},
                        )
                    context.update(errors=errors, chosen=_chosen_by_candidate(context, chosen))
                return _public(request, "evaluation/ballot.html", context)
    return _public(request, "evaluation/vote_code.html", {"form": form})
