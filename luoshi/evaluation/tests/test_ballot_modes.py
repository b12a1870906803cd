"""issue 15 finding 2: secret ballots that are secret in practice.

Two ballot modes, chosen when the campaign is created and changeable only until ballots are
issued: identified ballots (a link for each signed-in voter on the list; who voted is known,
never how; nobody rates themself) and anonymous slips (codes assigned to nobody, per rater
category with its weight, printed as cut-apart slips; turnout by category only). Nothing lists a
person's name beside a code: not a page, the API, a file or the audit log.
"""

from __future__ import annotations

import decimal
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.documents.tests.pdfcheck import drawn_characters
from luoshi.evaluation import selectors, services
from luoshi.evaluation.models import Campaign, Voter
from luoshi.orgs.models import Person

from .conftest import make_campaign, make_slips, voter_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisal"
IDENTIFIED, SLIPS = Campaign.BallotMode.IDENTIFIED, Campaign.BallotMode.SLIPS


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _rare_names() -> dict[int, str]:
    """Give every person a name of rare characters no page text or label contains, so that
    finding a name's character anywhere means the name is there."""
    names = {}
    for index, person in enumerate(Person.objects.order_by("pk")):
        name = "鼈" + chr(0x9F00 + index)
        Person.objects.filter(pk=person.pk).update(name=name)
        names[person.pk] = name
    return names


def _api(method: str, url: str, body: Any = None, **headers: Any) -> Any:
    return getattr(Client(), method)(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
    )


def test_issue_15_finding_2_no_sheet_or_turnout_puts_a_name_beside_a_code(
    org: Any, client_for: Any, token_for: Any, cast: Any
) -> None:
    """The printed sheet listed each voter's name beside their code and the turnout list showed
    "<name> 已投票". The slips name nobody; the turnout is per rater category only."""
    names = _rare_names()
    campaign = make_campaign(org, mode=SLIPS)
    hr = client_for("hr")
    printed = hr.post(reverse("evaluation:codes_pdf", args=[campaign.pk]))
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    drawn = drawn_characters(printed.content)
    assert "鼈" not in drawn and not drawn & {c for name in names.values() for c in name}
    # the slips carry their categories (and so their weights), nobody's name
    assert set("领导班子成员一般干部") <= drawn
    codes = [v for v in Voter.objects.filter(campaign=campaign).values_list("code_hash", flat=True)]
    assert len(codes) == 6 and all(codes)
    assert not Voter.objects.filter(campaign=campaign, person__isnull=False).exists()
    # one slip is used; the turnout says which category's, never whose
    slip = Voter.objects.filter(campaign=campaign, category__name="一般干部").first()
    assert slip is not None
    services.ballot_cast(
        voter=slip, choices={org.people["head"].pk: "competent", org.people["staff"].pk: "unknown"}
    )
    page = hr.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    turnout = page.split('id="category-turnout"')[1].split("</table>")[0]
    assert "0 of 2" in turnout and "1 of 4" in turnout
    assert 'id="voters"' not in page and "Not yet" not in page
    # no name but the candidates' (on the ballot) and the viewers' own (in the top bar)
    shown = {org.people[k].pk for k in ("head", "staff", "hr", "auditor")}
    others = [name for pk, name in names.items() if pk not in shown]
    assert not any(name in page for name in others)
    detail = _api("get", f"{BASE}/campaigns/{campaign.pk}", **token_for("hr")).json()
    assert detail["voters"] == [] and detail["ballot_mode"] == "slips"
    turnout_api = _api("get", f"{BASE}/campaigns/{campaign.pk}/turnout", **token_for("hr"))
    assert turnout_api.json()["by_category"] == [
        {"name": "领导班子成员", "weight": 40, "used": 0, "total": 2},
        {"name": "一般干部", "weight": 60, "used": 1, "total": 4},
    ]
    # the audit log's entries of the campaign hold no code and no name
    entries = AuditEntry.objects.filter(object_id=str(campaign.pk), action__startswith="evaluation")
    text = json.dumps([[e.before, e.after] for e in entries], ensure_ascii=False, default=str)
    assert not any(name in text for name in names.values())
    log = client_for("auditor").get(reverse("core:audit"), {"object_type": "evaluation.campaign"})
    assert log.status_code == 200 and "Printed the anonymous ballot slips" in log.content.decode()
    assert not any(name in log.content.decode() for name in others)


def test_issue_15_finding_2_no_printed_codes_carry_a_voter_list(
    org: Any, client_for: Any, campaign: Campaign
) -> None:
    """The campaign with a voter list (the only kind before the ballot modes; identified ballots
    now) printed a sheet of each voter's name beside their code. Now it prints no codes at all:
    its voters vote through their own links, and no sheet pairs a name with a code."""
    names = _rare_names()
    response = client_for("hr").post(reverse("evaluation:codes_pdf", args=[campaign.pk]))
    if response.status_code == 200:  # a sheet: it must name nobody
        drawn = drawn_characters(response.content)
        assert not drawn & {c for name in names.values() for c in name}, "names beside codes"
    else:
        assert response.status_code == 409
    assert not Voter.objects.filter(campaign=campaign).exclude(code_hash="").exists()


def test_the_mode_is_chosen_explicitly_at_creation(
    org: Any, client_for: Any, token_for: Any
) -> None:
    hr = client_for("hr")
    form = hr.get(reverse("evaluation:campaign_create")).content.decode()
    select = form.split('name="ballot_mode"')[1].split("</select>")[0]
    assert 'value="" selected' in select or "selected" not in select  # nothing preselected
    body = {
        "unit": org.agency.pk,
        "year": 2026,
        "title": "未选方式",
        "family": "civil_servant",
        "min_ballots": 3,
    }
    refused = hr.post(reverse("evaluation:campaign_create"), body)
    assert refused.status_code == 200 and not Campaign.objects.exists()
    assert "invalid-feedback" in refused.content.decode()
    api = _api(
        "post",
        f"{BASE}/campaigns",
        {k: v for k, v in body.items() if k != "family"},
        **token_for("hr"),
    )
    assert api.status_code == 422 and not Campaign.objects.exists()
    wrong = _api("post", f"{BASE}/campaigns", {**body, "ballot_mode": "open"}, **token_for("hr"))
    assert wrong.status_code == 422 and not Campaign.objects.exists()
    assert hr.post(reverse("evaluation:campaign_create"), {**body, "ballot_mode": "slips"})
    assert Campaign.objects.get().ballot_mode == SLIPS


def test_the_mode_changes_only_until_ballots_are_issued(org: Any, token_for: Any) -> None:
    hr = org.users["hr"]
    draft = make_campaign(org, publish=False)
    assert draft.voters.count() == 5
    draft = services.ballot_mode_set(actor=hr, campaign=draft, ballot_mode=SLIPS)
    assert draft.uses_slips and draft.voters.count() == 0  # slips are nobody's: no voter list
    entry = AuditEntry.objects.get(action="evaluation.ballot_mode")
    assert entry.before == {"ballot_mode": "identified"}
    assert entry.after == {"ballot_mode": "slips", "removed": {"voters": 5}}
    services.categories_set(
        actor=hr, campaign=draft, categories=[services.CategoryIn("全体干部", 100, 3)]
    )
    draft = services.ballot_mode_set(actor=hr, campaign=draft, ballot_mode=IDENTIFIED)
    assert draft.is_identified and draft.rater_categories.count() == 0
    with pytest.raises(InvalidInput):
        services.ballot_mode_set(actor=hr, campaign=draft, ballot_mode="")
    # published: the ballots are issued, the mode is fixed (service, API)
    published = make_campaign(org, mode=SLIPS, title="已发布测评")
    with pytest.raises(services.BallotsIssued, match="can no longer be changed"):
        services.ballot_mode_set(actor=hr, campaign=published, ballot_mode=IDENTIFIED)
    response = _api(
        "patch",
        f"{BASE}/campaigns/{published.pk}",
        {"ballot_mode": "identified"},
        **token_for("hr"),
    )
    assert response.status_code == 409 and response.json()["code"] == "ballots_issued"
    assert Campaign.objects.get(pk=published.pk).uses_slips
    # the API changes a draft's mode
    other = make_campaign(org, publish=False, title="草稿测评")
    changed = _api(
        "patch", f"{BASE}/campaigns/{other.pk}", {"ballot_mode": "slips"}, **token_for("hr")
    )
    assert changed.status_code == 200 and changed.json()["ballot_mode"] == "slips"
    assert changed.json()["voters"] == []


def test_each_mode_keeps_its_own_list(org: Any) -> None:
    hr = org.users["hr"]
    identified = make_campaign(org, publish=False)
    with pytest.raises(services.WrongBallotMode):
        services.categories_set(
            actor=hr, campaign=identified, categories=[services.CategoryIn("全体", 100, 3)]
        )
    slips = make_campaign(org, publish=False, mode=SLIPS, title="无记名")
    with pytest.raises(services.WrongBallotMode):
        services.voters_set(actor=hr, campaign=slips, people=[org.people["staff"]])
    for bad in (
        [services.CategoryIn("甲", 50, 2), services.CategoryIn("乙", 40, 2)],  # 90 %
        [services.CategoryIn("甲", 50, 2), services.CategoryIn("甲", 50, 2)],  # same name
        [services.CategoryIn("甲", 100, 0)],  # no slips
    ):
        with pytest.raises(InvalidInput):
            services.categories_set(actor=hr, campaign=slips, categories=bad)
    assert [c.name for c in slips.rater_categories.all()] == ["领导班子成员", "一般干部"]


def test_slips_count_by_category_and_weigh_the_score(
    org: Any, client_for: Any, cast: Any, close: Any
) -> None:
    campaign, issued = make_slips(org)
    by_category: dict[str, list[str]] = {}
    for item in issued:
        by_category.setdefault(item.category.name, []).append(item.code)
    assert {k: len(v) for k, v in by_category.items()} == {"领导班子成员": 2, "一般干部": 4}
    for code in by_category["领导班子成员"]:  # weight 40 %
        cast(code, head="excellent", staff="competent")
    for code in by_category["一般干部"][:2]:  # weight 60 %
        cast(code, head="competent", staff="competent")
    rows = [(r.name, r.weight, r.used, r.total) for r in selectors.turnout_by_category(campaign)]
    assert rows == [("领导班子成员", 40, 2, 2), ("一般干部", 60, 2, 4)]
    assert selectors.turnout(campaign) == selectors.Turnout(voted=4, total=6)
    campaign = close(campaign)
    head = selectors.campaign_results(campaign)[org.people["head"].pk]
    assert head.ballots == 4 and head.counts["excellent"] == 2
    assert head.score == decimal.Decimal("89.00")  # 95 x 40 % + 85 x 60 % (plain mean: 90)
    page = client_for("hr").get(reverse("evaluation:results", args=[campaign.pk]))
    html = page.content.decode()
    assert "89.00" in html and "4 of 6 slips were used" in html
    assert "一般干部 (60 %): 2 of 4 slips used" in html


def test_the_ballot_page_says_what_the_system_knows(
    org: Any, client_for: Any, campaign: Campaign, slip_codes: list[str]
) -> None:
    voter = Voter.objects.get(campaign=campaign, person=org.people["staff"])
    url = reverse("evaluation:ballot", args=[services.link_token(voter)])
    html = client_for("staff").get(url).content.decode()
    assert 'data-mode="identified"' in html and "records that you voted, not how" in html
    assert "css/ballot.css" in html and 'class="ls-grade"' in html
    slip = Client().post(reverse("evaluation:vote"), {"code": slip_codes[0]}).content.decode()
    assert 'data-mode="slips"' in slip and "does not know who holds this code" in slip
    assert "领导班子成员" in slip  # the slip's own category, and nothing of a person
    # the identified campaign's officer page lists who voted (known in this mode), never a code
    services.ballot_cast(voter=voter, choices={org.people["head"].pk: "competent"})
    detail = client_for("hr").get(reverse("evaluation:campaign", args=[campaign.pk]))
    text = detail.content.decode()
    assert 'id="voters"' in text and 'id="print-codes"' not in text


def test_identified_ballots_refuse_self_rating_on_the_page(
    org: Any, client_for: Any, campaign: Campaign
) -> None:
    voter = voter_of(org, "head")
    url = reverse("evaluation:ballot", args=[services.link_token(voter)])
    head = client_for("head")
    html = head.get(url).content.decode()
    own = campaign.candidates.get(person=org.people["head"])
    other = campaign.candidates.get(person=org.people["staff"])
    assert html.count("<legend") == 1 and f'name="c{own.pk}"' not in html
    # a forged field for the voter's own candidacy is not read; the ballot rates the other only
    response = head.post(url, {f"c{own.pk}": "excellent", f"c{other.pk}": "competent"})
    assert 'id="ballot-done"' in response.content.decode()
    rated = list(
        campaign.candidates.filter(marks__grade__isnull=False).values_list("person_id", flat=True)
    )
    assert rated == [org.people["staff"].pk]
    # the voter's own candidacy carries the "self — not rated" mark (issue 20, finding 9)
    unrated = campaign.candidates.filter(marks__isnull=False, marks__grade__isnull=True)
    assert list(unrated.values_list("person_id", flat=True)) == [org.people["head"].pk]


def test_categories_are_edited_on_the_page_and_guarded(org: Any, client_for: Any) -> None:
    campaign = make_campaign(org, publish=False, mode=SLIPS)
    hr = client_for("hr")
    url = reverse("evaluation:campaign", args=[campaign.pk])
    page = hr.get(url).content.decode()
    assert 'name="cat_name_0" value="领导班子成员"' in page and 'name="cat_name_2" value=""' in page
    bad = hr.post(
        url,
        {
            "action": "categories",
            "cat_name_0": "班子",
            "cat_weight_0": "50",
            "cat_slips_0": "3",
            "cat_name_1": "干部",
            "cat_weight_1": "30",
            "cat_slips_1": "9",
        },
        follow=True,
    )
    assert "add up to 80" in bad.content.decode()
    assert [c.name for c in campaign.rater_categories.all()] == ["领导班子成员", "一般干部"]
    hr.post(
        url,
        {
            "action": "categories",
            "cat_name_0": "班子",
            "cat_weight_0": "50",
            "cat_slips_0": "3",
            "cat_name_1": "干部",
            "cat_weight_1": "50",
            "cat_slips_1": "9",
        },
    )
    rows = list(campaign.rater_categories.values_list("name", "weight", "slips"))
    assert rows == [("班子", 50, 3), ("干部", 50, 9)]
    # the people page of a slips campaign offers no voter column
    people = hr.get(reverse("evaluation:people", args=[campaign.pk])).content.decode()
    assert 'name="voter"' not in people and 'id="slips-people-notice"' in people
    # others: not found, nothing changed
    for persona in ("staff", "outsider", "supervisor"):
        response = client_for(persona).post(
            url, {"action": "categories", "cat_name_0": "x", "cat_weight_0": "100"}
        )
        assert response.status_code == 404
    leader = client_for("leader").post(
        url, {"action": "categories", "cat_name_0": "x", "cat_weight_0": "100", "cat_slips_0": "1"}
    )
    assert leader.status_code == 403  # sees the campaign, may not manage it
    assert campaign.rater_categories.count() == 2


@pytest.mark.parametrize("persona", ["staff", "outsider", "supervisor", "vice", "admin"])
def test_others_cannot_change_mode_or_categories_over_the_api(
    org: Any, token_for: Any, persona: str
) -> None:
    campaign = make_campaign(org, publish=False, mode=SLIPS)
    body = {"ballot_mode": "identified", "categories": [{"name": "x", "weight": 100, "slips": 1}]}
    response = _api("patch", f"{BASE}/campaigns/{campaign.pk}", body, **token_for(persona))
    assert response.status_code == 404
    turnout = _api("get", f"{BASE}/campaigns/{campaign.pk}/turnout", **token_for(persona))
    assert turnout.status_code == 404
    assert Campaign.objects.get(pk=campaign.pk).uses_slips
    assert campaign.rater_categories.count() == 2
