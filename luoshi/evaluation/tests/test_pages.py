"""Pages: officers' list, editor, people picker, publish/close, codes, results; voters' ballots."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.core.models import AuditEntry
from luoshi.evaluation import services
from luoshi.evaluation.models import Ballot, Campaign, Voter

from .conftest import make_campaign, make_slips

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_officer_creates_picks_people_publishes(org: Any, client_for: Any) -> None:
    hr = client_for("hr")
    assert hr.get(reverse("evaluation:campaigns")).status_code == 200
    response = hr.post(
        reverse("evaluation:campaign_create"),
        {
            "unit": org.agency.pk,
            "year": 2026,
            "title": "2026年度考核民主测评",
            "family": "civil_servant",
            "ballot_mode": "identified",
            "min_ballots": 3,
            "purpose": "",
        },
    )
    campaign = Campaign.objects.get()
    assert campaign.ballot_mode == Campaign.BallotMode.IDENTIFIED
    assert response.status_code == 302
    people_url = reverse("evaluation:people", args=[campaign.pk])
    page = hr.get(people_url + f"?unit={org.econ.pk}")
    assert page.status_code == 200 and "戊科员" in page.content.decode()
    p = org.people
    hr.post(
        people_url,
        {
            "unit": org.econ.pk,
            "candidate": [p["staff"].pk],
            "voter": [p["staff"].pk, p["econ_colleague"].pk],
        },
    )
    hr.post(
        people_url, {"unit": org.office.pk, "candidate": [p["head"].pk], "voter": [p["head"].pk]}
    )
    assert sorted(campaign.candidates.values_list("person_id", flat=True)) == sorted(
        [p["staff"].pk, p["head"].pk]
    )
    assert campaign.voters.count() == 3
    detail = reverse("evaluation:campaign", args=[campaign.pk])
    grades = {
        f"points_{g.pk}": (g.points if g.points is not None else "") for g in campaign.grades.all()
    }
    excellent = campaign.grades.get(code="excellent")
    grades[f"points_{excellent.pk}"] = 100
    hr.post(detail, {"action": "grades", **grades})
    assert campaign.grades.get(code="excellent").points == 100
    hr.post(detail, {"action": "publish", "version": Campaign.objects.get().version})
    assert Campaign.objects.get().status == Campaign.Status.PUBLISHED
    # frozen: the editor pages refuse, the publish cannot be repeated
    assert hr.get(people_url).status_code == 409
    page = hr.get(detail).content.decode()
    assert "0 / 3" in page and 'id="results-link"' not in page


def test_print_codes_pdf(org: Any, client_for: Any) -> None:
    campaign = make_campaign(org, mode=Campaign.BallotMode.SLIPS)
    response = client_for("hr").post(reverse("evaluation:codes_pdf", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/FontFile2" in response.content  # the font travels inside the file
    from luoshi.documents.pdf import cjk_font

    face = cjk_font().face.encode()
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+" + re.escape(face), response.content)
    assert Voter.objects.filter(campaign=campaign).exclude(code_hash="").count() == 6
    assert AuditEntry.objects.filter(action="evaluation.codes_issue").exists()


def test_identified_ballots_print_no_codes(org: Any, client_for: Any, campaign: Campaign) -> None:
    """issue 15 finding 2: identified ballots have no printed codes (a code would have to be
    handed to a named person): the print refuses and no code is made."""
    response = client_for("hr").post(reverse("evaluation:codes_pdf", args=[campaign.pk]))
    assert response.status_code == 409
    assert not Voter.objects.filter(campaign=campaign).exclude(code_hash="").exists()
    with pytest.raises(services.WrongBallotMode):
        services.codes_issue(actor=org.users["hr"], campaign=campaign)
    detail = client_for("hr").get(reverse("evaluation:campaign", args=[campaign.pk]))
    assert 'id="print-codes"' not in detail.content.decode()


def test_vote_by_code_without_login(org: Any, slips: Campaign, slip_codes: list[str]) -> None:
    client = Client()
    url = reverse("evaluation:vote")
    assert client.get(url).status_code == 200
    code = slip_codes[0]
    page = client.post(url, {"code": code})
    assert page.status_code == 200
    html = page.content.decode()
    assert "丙主任" in html and "戊科员" in html and 'name="step" value="cast"' in html
    cands = {c.person_id: c.pk for c in slips.candidates.all()}
    p = org.people
    # incomplete: refused with the names missing, nothing spent
    page = client.post(url, {"code": code, "step": "cast", f"c{cands[p['head'].pk]}": "excellent"})
    assert "戊科员" in page.content.decode() and Ballot.objects.count() == 0
    done = client.post(
        url,
        {
            "code": code,
            "step": "cast",
            f"c{cands[p['head'].pk]}": "excellent",
            f"c{cands[p['staff'].pk]}": "unknown",
        },
    )
    assert 'id="ballot-done"' in done.content.decode()
    assert Ballot.objects.count() == 1
    again = client.post(url, {"code": code})
    assert "already been cast" in again.content.decode()


def test_a_slip_rates_every_candidate_and_says_why(
    org: Any, slips: Campaign, slip_codes: list[str]
) -> None:
    """A slip is nobody's, so nobody can be left off it: the page says so."""
    html = Client().post(reverse("evaluation:vote"), {"code": slip_codes[0]}).content.decode()
    assert html.count("<legend") == 2 and "丙主任" in html and "戊科员" in html
    assert 'data-mode="slips"' in html and "does not know who holds this code" in html


def test_vote_by_link(org: Any, client_for: Any, campaign: Campaign) -> None:
    staff = client_for("staff")
    page = staff.get(reverse("evaluation:my_ballots")).content.decode()
    voter = Voter.objects.get(campaign=campaign, person=org.people["staff"])
    url = reverse("evaluation:ballot", args=[services.link_token(voter)])
    assert url in page
    # someone else's link answers not-found
    assert client_for("head").get(url).status_code == 404
    html = staff.get(url).content.decode()
    assert html.count("<legend") == 1 and "丙主任" in html  # not themself
    head = campaign.candidates.get(person=org.people["head"])
    response = staff.post(url, {f"c{head.pk}": "competent"})
    assert 'id="ballot-done"' in response.content.decode()
    assert Voter.objects.get(pk=voter.pk).has_voted


def test_turnout_only_while_open_then_results(
    org: Any,
    client_for: Any,
    campaign: Campaign,
    cast: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast("office_staff", head="excellent", staff="competent")
    cast("liaison_staff", head="competent", staff="competent")
    hr = client_for("hr")
    detail = hr.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert "2 / 5" in detail
    assert hr.get(reverse("evaluation:results", args=[campaign.pk])).status_code == 409
    assert hr.get(reverse("evaluation:results_xlsx", args=[campaign.pk])).status_code == 409
    assert not AuditEntry.objects.filter(action="evaluation.results_view").exists()
    with django_capture_on_commit_callbacks(execute=True):  # the sealing task, after commit
        hr.post(reverse("evaluation:campaign", args=[campaign.pk]), {"action": "close"})
    page = hr.get(reverse("evaluation:results", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "90.00" in html  # head: (95 + 85) / 2, minimum 2
    assert AuditEntry.objects.filter(action="evaluation.results_view").count() == 1
    export = hr.get(reverse("evaluation:results_xlsx", args=[campaign.pk]))
    assert export.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1] == "丙主任" and values[1][-2] == 90.0
    assert AuditEntry.objects.filter(action="evaluation.results_export").count() == 1


@pytest.mark.parametrize("persona", ["staff", "outsider", "supervisor", "vice", "admin", "auditor"])
def test_others_get_not_found(
    org: Any, client_for: Any, campaign: Campaign, persona: str, close: Any
) -> None:
    close(campaign)
    slips = make_slips(org, title="2026年度无记名测评")[0]
    client = client_for(persona)
    for pk in (campaign.pk, slips.pk):
        for name in ["campaign", "results", "results_xlsx", "campaign_edit", "people"]:
            assert client.get(reverse(f"evaluation:{name}", args=[pk])).status_code == 404
        assert client.post(reverse("evaluation:codes_pdf", args=[pk])).status_code == 404
        assert client.post(reverse("evaluation:campaign", args=[pk]), {}).status_code == 404
    assert Voter.objects.filter(campaign=slips).exclude(code_hash="").count() == 6  # untouched
    assert client.get(reverse("evaluation:campaigns")).status_code == 404
    assert not AuditEntry.objects.filter(action="evaluation.results_view").exists()


@pytest.mark.parametrize("persona", ["hr", "leader", "committee"])
def test_confidential_roles_see_results(
    org: Any, client_for: Any, campaign: Campaign, persona: str, close: Any
) -> None:
    close(campaign)
    client = client_for(persona)
    assert client.get(reverse("evaluation:results", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("evaluation:campaigns")).status_code == 200
    entry = AuditEntry.objects.get(action="evaluation.results_view")
    assert entry.actor == org.users[persona]


def test_committee_cannot_manage(org: Any, client_for: Any) -> None:
    campaign = make_campaign(org, publish=False)
    client = client_for("committee")
    assert client.get(reverse("evaluation:people", args=[campaign.pk])).status_code == 403
    client.post(reverse("evaluation:campaign", args=[campaign.pk]), {"action": "publish"})
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


def test_list_query_count_does_not_grow(org: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr = client_for("hr")
    make_campaign(org, year=2019, title="2019年度测评")
    hr.get(reverse("evaluation:campaigns"))
    with CaptureQueriesContext(connection) as one:
        hr.get(reverse("evaluation:campaigns"))
    for year in range(2020, 2026):
        make_campaign(org, year=year, title=f"{year}年度测评")
    with CaptureQueriesContext(connection) as seven:
        response = hr.get(reverse("evaluation:campaigns"))
    assert response.content.decode().count("年度测评") >= 7
    assert len(seven) == len(one)


def test_results_page_query_count_does_not_grow(org: Any, client_for: Any, close: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr = client_for("hr")
    counts = []
    for size in (2, 8):
        people = [p for k, p in org.people.items() if k != "outsider"][:size]
        campaign = services.campaign_create(
            actor=org.users["hr"],
            unit=org.agency,
            year=2026,
            title=f"测评{size}",
            min_ballots=1,
            ballot_mode=Campaign.BallotMode.IDENTIFIED,
        )
        services.candidates_set(actor=org.users["hr"], campaign=campaign, people=people)
        services.voters_set(actor=org.users["hr"], campaign=campaign, people=people)
        campaign = services.campaign_publish(actor=org.users["hr"], campaign=campaign)
        for voter in campaign.voters.select_related("campaign"):
            choices = {c.person_id: "competent" for c in services.ballot_candidates(voter)}
            services.ballot_cast(voter=voter, choices=choices)
        close(campaign)
        url = reverse("evaluation:results", args=[campaign.pk])
        hr.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert hr.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_my_ballots_appears_in_the_navigation_only_while_a_ballot_waits(
    org: Any, client_for: Any
) -> None:
    def nav(persona: str) -> str:
        return client_for(persona).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    my_ballots = reverse("evaluation:my_ballots")
    assert my_ballots not in nav("staff")
    campaign = make_campaign(org)
    assert my_ballots in nav("staff")
    assert my_ballots not in nav("auditor")  # not on the voter list
    voter = Voter.objects.get(campaign=campaign, person=org.people["staff"])
    services.ballot_cast(voter=voter, choices={org.people["head"].pk: "competent"})
    assert my_ballots not in nav("staff")


@pytest.mark.django_db(transaction=True)
def test_my_ballots_follows_publishing_and_voting_from_the_shared_cache(
    org: Any, client_for: Any, settings: Any
) -> None:
    """With a shared cache whether a ballot waits is read from it (no voter-list query once
    cached) and follows a new campaign and a vote at once."""
    settings.LUOSHI_CACHE_SHARED = True
    staff = client_for("staff")

    def nav() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            html = staff.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return html, [q["sql"] for q in queries if "evaluation_voter" in q["sql"]]

    my_ballots = reverse("evaluation:my_ballots")
    assert my_ballots not in nav()[0]
    campaign = make_campaign(org)
    assert my_ballots in nav()[0]
    html, voter_queries = nav()
    assert my_ballots in html and not voter_queries
    voter = Voter.objects.get(campaign=campaign, person=org.people["staff"])
    services.ballot_cast(voter=voter, choices={org.people["head"].pk: "competent"})
    assert my_ballots not in nav()[0]
