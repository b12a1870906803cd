"""Issue 15, findings 1, 12 (part) and 13: the publicity's dates follow the process, the cycle is
opened by the organization's own personnel officer, and a cycle's objections and consequences
answer "not found" to whoever may not read them — on the service, the page and the API alike."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD
from luoshi.appraisal import rules, services
from luoshi.appraisal.models import AnnualCycle, Objection
from luoshi.core import publicity
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.orgs import services as org_services
from luoshi.orgs.models import Person, StaffCategory
from luoshi.orgs.roles import Role

from .conftest import part

pytestmark = pytest.mark.django_db

MONDAY = "2026-12-07 10:00 +08:00"  # the day of the finding: Monday 7 December 2026
D = dt.date
API = "/api/v1/appraisal"
LANG: Any = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _committee(org: Any, year: int = 2026, meeting: dt.date | None = None) -> AnnualCycle:
    """The agency's cycle with the committee: everyone decided at the meeting of `meeting`
    (default: Thursday 3 December 2026)."""
    meeting = meeting or D(2026, 12, 3)
    hr, leader = org.users["hr"], org.users["leader"]
    cycle = services.cycle_open(actor=hr, agency=org.agency, year=year, as_of=D(year, 12, 31))
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.person_id == org.people["leader"].pk:
            continue
        grade = rules.EXCELLENT if p.person_id == org.people["staff"].pk else rules.COMPETENT
        if p.eligibility != rules.GRADED:
            grade = ""
        services.propose(actor=leader, participant=p, grade=grade, comments="同意")
    # Self-summaries are not this test's business: sent on with a recorded reason.
    services.cycle_to_committee(actor=hr, cycle=cycle, override_reason="个人总结线下提交")
    services.committee_record(actor=hr, cycle=cycle, meeting_date=meeting, members_present="甲")
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.decided_at is None:
            services.decide(
                actor=hr,
                participant=p,
                grade=p.proposed_grade or (rules.COMPETENT if p.eligibility == "graded" else ""),
            )
    return AnnualCycle.objects.get(pk=cycle.pk)


def _api(headers: Any, method: str, path: str, body: Any = None) -> Any:
    client = Client(**headers)
    if method == "get":
        return client.get(API + path, **LANG)
    return client.post(API + path, json.dumps(body or {}), content_type="application/json", **LANG)


# --- finding 1: the publicity's dates -----------------------------------------------------------


def test_issue_15_finding_1_the_date_guards_are_pure_rules() -> None:
    today = D(2026, 12, 7)
    assert publicity.start_refusal(today, today=today, decided_on=D(2026, 12, 3)) == ""
    assert "2026-12-07" in publicity.start_refusal(D(2026, 11, 1), today=today, decided_on=None)
    assert "2026-12-09" in publicity.start_refusal(
        D(2026, 12, 8), today=today, decided_on=D(2026, 12, 9)
    )
    assert publicity.objection_refusal(D(2026, 12, 11), D(2026, 12, 7), D(2026, 12, 11)) == ""
    assert publicity.objection_refusal(D(2026, 12, 7), D(2026, 12, 7), D(2026, 12, 11)) == ""
    assert "2026-12-11" in publicity.objection_refusal(
        D(2026, 12, 12), D(2026, 12, 7), D(2026, 12, 11)
    )
    assert "2026-12-09" in publicity.objection_refusal(
        D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 15)
    )
    assert publicity.objection_refusal(D(2026, 12, 8), None, None)
    assert rules.default_as_of(2026) == D(2026, 12, 31)


def test_issue_15_finding_1_publicity_may_not_be_backdated(
    org: Any, client_for: Any, token_for: Any
) -> None:
    """On 7 Dec the officer set the publicity to start on 1 Nov, before the committee met: it was
    accepted, the five working days had passed when it was published. Now refused on the
    service, the page and the API with the same reason; the cycle stays with the committee."""
    with time_machine.travel(MONDAY, tick=False):
        cycle = _committee(org)
        hr = org.users["hr"]
        with pytest.raises(InvalidInput, match="2026-12-07") as refused:
            services.publicity_start(actor=hr, cycle=cycle, start=D(2026, 11, 1))
        assert refused.value.code == "publicity_start_date"
        # the day the committee met is in the past as well: today at the earliest
        with pytest.raises(InvalidInput):
            services.publicity_start(actor=hr, cycle=cycle, start=D(2026, 12, 3))

        page = client_for("hr").post(
            f"/appraisal/{cycle.pk}/committee/",
            {"action": "publicity", "start": "2026-11-01"},
            **LANG,
        )
        api = _api(
            token_for("hr"), "post", f"/cycles/{cycle.pk}/publicity", {"start": "2026-11-01"}
        )
        assert api.status_code == 422
        message = api.json()["message"]
        assert "2026-12-07" in message
        assert message in html.unescape(page.content.decode())
        cycle.refresh_from_db()
        assert (cycle.status, cycle.publicity_start) == (AnnualCycle.Status.COMMITTEE, None)

        # from today it is published, for five working days (Mon 7 to Fri 11 December)
        cycle = services.publicity_start(actor=hr, cycle=cycle)
        assert (cycle.publicity_start, cycle.publicity_end) == (D(2026, 12, 7), D(2026, 12, 11))
    # nothing to finalize before the five days are over
    assert not services.finalize_cycle(cycle, D(2026, 12, 11))
    assert services.finalize_cycle(cycle, D(2026, 12, 12))


def test_issue_15_finding_1_publicity_not_before_the_committee_met(org: Any) -> None:
    """A publicity published before the meeting that decided the list is refused (the meeting's
    date is the decision's)."""
    with time_machine.travel(MONDAY, tick=False):
        cycle = _committee(org, meeting=D(2026, 12, 9))
        with pytest.raises(InvalidInput, match="2026-12-09"):
            services.publicity_start(actor=org.users["hr"], cycle=cycle, start=D(2026, 12, 8))
        cycle = services.publicity_start(actor=org.users["hr"], cycle=cycle, start=D(2026, 12, 9))
    assert cycle.publicity_end == D(2026, 12, 15)


def test_issue_15_finding_1_objections_only_inside_the_window(
    org: Any, client_for: Any, token_for: Any
) -> None:
    """An objection after the stated end was accepted (the result was not final yet). Now the
    last working day is the last day to object, on the page and the API alike."""
    with time_machine.travel(MONDAY, tick=False):
        cycle = _committee(org)
        cycle = services.publicity_start(actor=org.users["hr"], cycle=cycle, start=D(2026, 12, 9))
        assert cycle.publicity_end == D(2026, 12, 15)
        # before the list is published: refused
        with pytest.raises(InvalidInput, match="2026-12-09"):
            services.objection_raise(actor=org.users["staff"], cycle=cycle, text="名单有误")
    with time_machine.travel("2026-12-15 17:00 +08:00", tick=False):  # the last day: accepted
        services.objection_raise(actor=org.users["staff"], cycle=cycle, text="名单有误")
    with time_machine.travel("2026-12-16 09:00 +08:00", tick=False):  # the day after: refused
        with pytest.raises(InvalidInput, match="2026-12-15") as refused:
            services.objection_raise(actor=org.users["staff"], cycle=cycle, text="再提异议")
        assert refused.value.code == "objection_outside_publicity"
        api = _api(
            token_for("staff"), "post", f"/cycles/{cycle.pk}/objections", {"text": "再提异议"}
        )
        assert api.status_code == 422
        page = client_for("staff").post(
            f"/appraisal/{cycle.pk}/publicity/",
            {"action": "object", "participant": "", "text": "再提异议"},
            **LANG,
        )
        assert page.status_code == 200
        assert api.json()["message"] in html.unescape(page.content.decode())
    assert list(Objection.objects.filter(cycle=cycle).values_list("text", flat=True)) == [
        "名单有误"
    ]


# --- finding 12 (part): who opens a cycle, as of which day -----------------------------------


def _city_officer(org: Any) -> Any:
    person = org_services.person_create(
        actor=None,
        name="辰人事",
        gender=Person.Gender.FEMALE,
        unit=org.city,
        birth_month=D(1986, 5, 1),
        staff_category=StaffCategory.objects.get(name="参照公务员法管理"),
    )
    user = org_services.user_create(
        actor=None, username="city_hr", password=PASSWORD, person=person
    )
    org_services.role_assign(actor=None, user=user, role=Role.PERSONNEL_OFFICER, anchor=org.city)
    return user


def test_issue_15_finding_12_the_agency_officer_does_not_open_the_city_federations_cycle(
    org: Any, client_for: Any, token_for: Any
) -> None:
    hr = org.users["hr"]
    with pytest.raises(Forbidden):
        services.cycle_open(actor=hr, agency=org.city, year=2026, as_of=D(2026, 12, 31))
    api = _api(
        token_for("hr"),
        "post",
        "/cycles",
        {"agency": org.city.pk, "year": 2026, "as_of": "2026-12-31"},
    )
    assert api.status_code == 404
    page = client_for("hr")
    form = page.get("/appraisal/new/", **LANG).context["form"]
    assert list(form.fields["agency"].queryset) == [org.agency]
    resp = page.post(
        "/appraisal/new/", {"agency": org.city.pk, "year": 2026, "as_of": "2026-12-31"}, **LANG
    )
    assert resp.status_code == 200 and resp.context["form"].errors.get("agency")
    assert not AnnualCycle.objects.filter(agency=org.city).exists()
    # the city federation's own personnel officer opens it, and only it
    city_hr = _city_officer(org)
    cycle = services.cycle_open(actor=city_hr, agency=org.city, year=2026)
    assert {p.person.unit_id for p in cycle.participants.select_related("person")} == {org.city.pk}
    with pytest.raises(Forbidden):
        services.cycle_open(actor=city_hr, agency=org.agency, year=2026)


def test_issue_15_finding_12_the_cut_off_date_defaults_to_31_december(
    org: Any, client_for: Any, token_for: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        form = client_for("hr").get("/appraisal/new/", **LANG).context["form"]
        assert form.initial["as_of"] == D(2026, 12, 31)
    cycle = services.cycle_open(actor=org.users["hr"], agency=org.agency, year=2026)
    assert cycle.as_of == D(2026, 12, 31)
    api = _api(token_for("hr"), "post", "/cycles", {"agency": org.agency.pk, "year": 2025})
    assert api.status_code == 201 and api.json()["as_of"] == "2025-12-31"


# --- finding 13: forbidden reads look like missing ---------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "security", "auditor", "leader", "vice", "staff"])
def test_issue_15_finding_13_objections_and_consequences_answer_as_a_missing_cycle(
    org: Any, persona: str, token_for: Any, client_for: Any
) -> None:
    """`/cycles/{id}/objections` and `/consequences` answered 403 for an existing cycle the
    persona may not read them on, 404 for a missing one. Now the same answer for both; the agency
    leader reads the consequences on the API as on the page."""
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=D(2025, 12, 31)
    )
    headers = token_for(persona)
    missing = AnnualCycle.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    for what in ("objections", "consequences"):
        real = _api(headers, "get", f"/cycles/{cycle.pk}/{what}").status_code
        gone = _api(headers, "get", f"/cycles/{missing}/{what}").status_code
        if persona == "leader" and what == "consequences":
            assert real == 200
        else:
            assert (real, gone) == (404, 404), what
    page = client_for(persona).get(f"/appraisal/{cycle.pk}/consequences/").status_code
    assert page == (200 if persona == "leader" else 404)
    assert _api(token_for("hr"), "get", f"/cycles/{cycle.pk}/objections").status_code == 200
    assert part(cycle, org, "staff").cycle_id == cycle.pk
