"""Issue 15 findings 5 and 6: the readiness check before the committee, the committee's one-page
decisions (nothing preselected, one transaction, the quota over the whole list), the routine
quarter confirmed on one page, the quota's percent and the stage counts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from luoshi.appraisal import rules, selectors, services
from luoshi.appraisal.models import AnnualCycle, Participant, RoutineCycle
from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.evaluation.tests.conftest import make_campaign

from .conftest import part

pytestmark = pytest.mark.django_db
API = "/api/v1/appraisal"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _propose_all_but_leader(org: Any, cycle: AnnualCycle, excellent: tuple[str, ...] = ()) -> None:
    names = {org.people[k].pk for k in excellent}
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.person_id == org.people["leader"].pk:
            continue
        grade = rules.EXCELLENT if p.person_id in names else rules.COMPETENT
        services.propose(actor=org.users["leader"], participant=p, grade=grade, comments="同意")


def _in_committee(org: Any, cycle: AnnualCycle, excellent: tuple[str, ...] = ()) -> AnnualCycle:
    _propose_all_but_leader(org, cycle, excellent)
    return services.cycle_to_committee(
        actor=org.users["hr"], cycle=cycle, override_reason="个人总结为纸质材料"
    )


def _api(headers: Any, method: str, path: str, body: Any = None) -> Any:
    client = Client(**headers)
    if method == "get":
        return client.get(API + path)
    return client.post(API + path, data=json.dumps(body or {}), content_type="application/json")


# --- finding 5: readiness -----------------------------------------------------------------------


def test_issue_15_finding_5_readiness_names_what_is_missing_and_asks_for_a_reason(
    org: Any, cycle: AnnualCycle
) -> None:
    """0 of 13 self-summaries, 12 of 13 proposals: named with their counts; sent to the
    committee only with a reason, which the audit log keeps."""
    staff = part(cycle, org, "staff")
    services.summary_submit(
        actor=org.users["staff"], participant=staff, duties="", self_summary="总结", version=None
    )
    _propose_all_but_leader(org, cycle)
    items = {i.key: i for i in services.committee_readiness(cycle)}
    assert set(items) == {rules.SUMMARIES, rules.PROPOSALS}
    assert (items[rules.SUMMARIES].missing, items[rules.SUMMARIES].total) == (12, 13)
    assert (items[rules.PROPOSALS].missing, items[rules.PROPOSALS].total) == (1, 13)
    assert items[rules.PROPOSALS].names == (org.people["leader"].name,)
    assert org.people["staff"].name not in items[rules.SUMMARIES].names
    assert "12 of 13" in items[rules.SUMMARIES].message
    assert all(i.overridable for i in items.values())

    with pytest.raises(InvalidInput) as exc:
        services.cycle_to_committee(actor=org.users["hr"], cycle=cycle)
    assert exc.value.code == "override_required"
    assert {d["field"] for d in exc.value.details} >= {"summaries", "proposals", "override_reason"}
    assert AnnualCycle.objects.get(pk=cycle.pk).status == AnnualCycle.Status.OPEN
    with pytest.raises(InvalidInput):
        services.cycle_to_committee(actor=org.users["hr"], cycle=cycle, override_reason="  ")

    cycle = services.cycle_to_committee(
        actor=org.users["hr"], cycle=cycle, override_reason="个人总结为纸质材料，已存档"
    )
    assert cycle.status == AnnualCycle.Status.COMMITTEE
    after = AuditEntry.objects.get(action="appraisal.to_committee").after or {}
    assert after["override_reason"] == "个人总结为纸质材料，已存档"
    assert after["readiness"] == {"summaries": "12/13", "proposals": "1/13"}


def test_issue_15_finding_5_ready_cycle_needs_no_reason(org: Any, cycle: AnnualCycle) -> None:
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        services.summary_submit(
            actor=org.users["hr"], participant=p, duties="", self_summary="总结", version=None
        )
    _propose_all_but_leader(org, cycle)
    # the agency leader is not graded this year (nobody above proposes here)
    services.eligibility_change(
        actor=org.users["hr"],
        participant=part(cycle, org, "leader"),
        reason="挂职",
        override=rules.UNGRADED,
    )
    assert services.committee_readiness(cycle) == []
    cycle = services.cycle_to_committee(actor=org.users["hr"], cycle=cycle)
    assert cycle.status == AnnualCycle.Status.COMMITTEE
    after = AuditEntry.objects.get(action="appraisal.to_committee").after or {}
    assert after == {"status": "committee"}


def test_issue_15_finding_5_open_evaluation_is_refused_even_with_a_reason(
    org: Any, cycle: AnnualCycle
) -> None:
    campaign = make_campaign(org, year=2025, title="2025年度民主测评")  # published: open
    services.campaign_link(actor=org.users["hr"], cycle=cycle, campaign=campaign)
    _propose_all_but_leader(org, cycle)
    items = {i.key: i for i in services.committee_readiness(AnnualCycle.objects.get(pk=cycle.pk))}
    assert not items[rules.EVALUATION].overridable
    assert "2025年度民主测评" in items[rules.EVALUATION].message
    with pytest.raises(InvalidInput) as exc:
        services.cycle_to_committee(actor=org.users["hr"], cycle=cycle, override_reason="赶时间")
    assert exc.value.code == "not_ready"
    assert AnnualCycle.objects.get(pk=cycle.pk).status == AnnualCycle.Status.OPEN


def test_issue_15_finding_5_quota_outside_the_rules_is_refused(
    org: Any, cycle: AnnualCycle, settings: Any
) -> None:
    """A quota raised while the rule allowed it, above the default once the rule changed, with
    no approval record: refused, not overridable."""
    AnnualCycle.objects.filter(pk=cycle.pk).update(quota_percent=Decimal("22.5"))
    items = {i.key: i for i in services.committee_readiness(AnnualCycle.objects.get(pk=cycle.pk))}
    assert not items[rules.QUOTA].overridable
    assert "22.5%" in items[rules.QUOTA].message and "20%" in items[rules.QUOTA].message
    with pytest.raises(InvalidInput) as exc:
        services.cycle_to_committee(
            actor=org.users["hr"], cycle=AnnualCycle.objects.get(pk=cycle.pk), override_reason="x"
        )
    assert exc.value.code == "not_ready"


def test_issue_15_finding_5_no_decision_while_the_evaluation_is_open(
    org: Any, cycle: AnnualCycle
) -> None:
    cycle = _in_committee(org, cycle)
    campaign = make_campaign(org, year=2025, title="2025年度民主测评")
    cycle = services.campaign_link(actor=org.users["hr"], cycle=cycle, campaign=campaign)
    staff = part(cycle, org, "staff")
    with pytest.raises(InvalidInput) as exc:
        services.decide(actor=org.users["committee"], participant=staff, grade="competent")
    assert exc.value.code == "evaluation_open"
    with pytest.raises(InvalidInput) as exc:
        services.decide_bulk(
            actor=org.users["committee"], cycle=cycle, decisions=[(staff.pk, "proposed", "")]
        )
    assert exc.value.code == "evaluation_open"
    assert not Participant.objects.filter(cycle=cycle, decided_at__isnull=False).exists()


def test_issue_15_finding_5_cycle_page_shows_readiness_before_the_button(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    _propose_all_but_leader(org, cycle)
    hr = client_for("hr")
    page = hr.get(f"/appraisal/{cycle.pk}/").content.decode()
    assert 'id="readiness"' in page
    assert page.index('id="readiness-items"') < page.index('id="to-committee"')
    assert "未提交个人总结：13人（共13人）。" in page  # the pages speak Chinese
    assert "主管领导未提出等次建议：1人（共13人）。" in page
    assert org.people["leader"].name in page
    assert 'name="override_reason"' in page
    # without a reason: refused, the page says why
    resp = hr.post(f"/appraisal/{cycle.pk}/", {"action": "to_committee"}, follow=True)
    assert "请说明理由" in resp.content.decode()
    assert AnnualCycle.objects.get(pk=cycle.pk).status == AnnualCycle.Status.OPEN
    resp = hr.post(
        f"/appraisal/{cycle.pk}/", {"action": "to_committee", "override_reason": "纸质存档"}
    )
    assert resp.status_code == 302
    assert AnnualCycle.objects.get(pk=cycle.pk).status == AnnualCycle.Status.COMMITTEE


def test_issue_15_finding_5_cycle_page_refuses_while_the_evaluation_is_open(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    campaign = make_campaign(org, year=2025, title="2025年度民主测评")
    services.campaign_link(actor=org.users["hr"], cycle=cycle, campaign=campaign)
    page = client_for("hr").get(f"/appraisal/{cycle.pk}/").content.decode()
    assert 'data-readiness="evaluation"' in page
    assert 'id="readiness-refused"' in page and 'id="to-committee"' not in page


def test_issue_15_finding_5_readiness_over_the_api(
    org: Any, cycle: AnnualCycle, token_for: Any
) -> None:
    hr = token_for("hr")
    body = _api(hr, "get", f"/cycles/{cycle.pk}/readiness").json()
    assert body["ready"] is False and body["needs_override"] is True and body["refused"] is False
    keyed = {i["key"]: i for i in body["items"]}
    assert (keyed["summaries"]["missing"], keyed["summaries"]["total"]) == (13, 13)
    assert _api(token_for("staff"), "get", f"/cycles/{cycle.pk}/readiness").status_code == 404
    resp = _api(hr, "post", f"/cycles/{cycle.pk}/to-committee", {})
    assert resp.status_code == 422 and resp.json()["code"] == "override_required"
    resp = _api(hr, "post", f"/cycles/{cycle.pk}/to-committee", {"override_reason": "纸质存档"})
    assert resp.status_code == 200 and resp.json()["status"] == "committee"


# --- finding 5 (defaults, bulk) -----------------------------------------------------------------


def test_issue_15_finding_5_no_grade_is_preselected_for_an_undecided_person(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    """The agency leader has no proposal: their choice starts empty and is required; the
    others start "as proposed"; 不定等次 is offered only to those the rules do not grade."""
    cycle = _in_committee(org, cycle)
    lead = part(cycle, org, "leader")
    staff = part(cycle, org, "staff")
    cm = client_for("committee")
    resp = cm.get(f"/appraisal/{cycle.pk}/committee/")
    rows = {r.pk: r for r in resp.context["rows"]}
    assert rows[lead.pk].chosen == ""
    assert rows[staff.pk].chosen == "proposed"
    assert "none" not in [code for code, _label in rows[lead.pk].choices]
    html = resp.content.decode()
    select = html[html.index(f'id="grade-{lead.pk}"') :]
    select = select[: select.index("</select>")]
    assert "required" in select and '<option value="" selected>' in select
    assert select.count("selected") == 1
    # the participant page's decision form too
    page = cm.get(f"/appraisal/participants/{lead.pk}/")
    form = page.context["decision_form"]
    assert form["grade"].value() == ""
    assert form.fields["grade"].required
    resp = cm.post(f"/appraisal/participants/{lead.pk}/", {"action": "decide", "grade": ""})
    assert resp.status_code == 422
    assert Participant.objects.get(pk=lead.pk).decided_at is None


def test_issue_15_finding_5_one_page_decides_everyone_in_one_transaction(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    cycle = _in_committee(org, cycle, excellent=("staff",))
    lead = part(cycle, org, "leader")
    head = part(cycle, org, "head")
    cm = client_for("committee")
    url = f"/appraisal/{cycle.pk}/committee/"
    rows = {f"grade-{p.pk}": "proposed" for p in cycle.participants.all()}
    # the agency leader left without a choice: nothing is written, the name is given
    resp = cm.post(url, {"action": "decide_all", **rows, f"grade-{lead.pk}": ""})
    assert resp.status_code == 422
    assert lead.person.name in resp.content.decode()
    assert not Participant.objects.filter(cycle=cycle, decided_at__isnull=False).exists()
    # three Excellent over a cap of two: refused as a whole
    resp = cm.post(
        url,
        {
            "action": "decide_all",
            **rows,
            f"grade-{lead.pk}": "excellent",
            f"grade-{head.pk}": "excellent",
        },
    )
    assert resp.status_code == 422
    assert "名额为2名（定等次人数13名的20%）" in resp.content.decode()
    assert not Participant.objects.filter(cycle=cycle, decided_at__isnull=False).exists()
    # one submit: everyone decided, each decision audited
    resp = cm.post(url, {"action": "decide_all", **rows, f"grade-{lead.pk}": "competent"})
    assert resp.status_code == 302
    decided = dict(cycle.participants.values_list("person_id", "decided_grade"))
    assert decided[org.people["staff"].pk] == "excellent"
    assert decided[org.people["leader"].pk] == "competent"
    assert set(decided.values()) == {"excellent", "competent"}
    assert AuditEntry.objects.filter(action="appraisal.decide").count() == 13
    # a second submit changes only what differs
    resp = cm.post(url, {"action": "decide_all", **rows, f"grade-{head.pk}": "basic"})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="appraisal.decide").count() == 14
    assert Participant.objects.get(pk=head.pk).decided_grade == "basic"
    page = cm.get(url).content.decode()
    assert "js/committee.js" in page and 'data-quota-cap="2"' in page


def test_issue_15_finding_5_bulk_decisions_over_the_api(
    org: Any, cycle: AnnualCycle, token_for: Any
) -> None:
    cycle = _in_committee(org, cycle)
    cm = token_for("committee")
    lead = part(cycle, org, "leader")
    decisions = [
        {"participant": p.pk, "grade": "proposed"} for p in cycle.participants.exclude(pk=lead.pk)
    ]
    resp = _api(
        cm,
        "post",
        f"/cycles/{cycle.pk}/decisions",
        {"decisions": [*decisions, {"participant": lead.pk, "grade": "proposed"}]},
    )
    assert resp.status_code == 422
    assert resp.json()["details"][0]["field"] == f"grade-{lead.pk}"
    assert not Participant.objects.filter(cycle=cycle, decided_at__isnull=False).exists()
    resp = _api(
        cm,
        "post",
        f"/cycles/{cycle.pk}/decisions",
        {"decisions": [*decisions, {"participant": lead.pk, "grade": "competent"}]},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["decided"] == 13
    # the cycle is visible to a participant, who may not decide (403); hidden from outsiders
    for persona, status in (("staff", 403), ("outsider", 404)):
        resp = _api(
            token_for(persona),
            "post",
            f"/cycles/{cycle.pk}/decisions",
            {"decisions": [{"participant": lead.pk, "grade": "competent"}]},
        )
        assert resp.status_code == status


def test_issue_15_finding_5_routine_quarter_confirmed_on_one_page(
    org: Any, client_for: Any
) -> None:
    cycle = services.routine_open(actor=org.users["head"], unit=org.office, year=2025, quarter=4)
    entries = list(cycle.entries.select_related("person").order_by("id"))
    services.routine_propose(
        actor=org.users["head"], entry=entries[0], grade="fairly_good", comments=""
    )
    leader = client_for("leader")
    url = f"/appraisal/routine/{cycle.pk}/"
    page = leader.get(url).content.decode()
    assert 'id="routine-confirm"' in page and 'data-quota-grade="good"' in page
    assert page.count('name="grade-') == len(entries)
    assert 'value="proposed" selected' in page  # the proposed row starts "as proposed"
    # a row without a proposal and without a choice: refused by name, nothing confirmed
    posted = {f"grade-{e.pk}": "proposed" for e in entries[:1]}
    posted.update({f"grade-{e.pk}": "" for e in entries[1:]})
    resp = leader.post(url, {"action": "confirm", **posted}, follow=True)
    assert entries[1].person.name in resp.content.decode()
    assert RoutineCycle.objects.get(pk=cycle.pk).status == RoutineCycle.Status.OPEN
    # one submit: the rest chosen, the proposal kept, confirmed
    posted.update({f"grade-{e.pk}": "average" for e in entries[1:]})
    resp = leader.post(url, {"action": "confirm", **posted})
    assert resp.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == RoutineCycle.Status.CONFIRMED
    grades = dict(cycle.entries.values_list("pk", "grade"))
    assert grades[entries[0].pk] == "fairly_good"
    assert {grades[e.pk] for e in entries[1:]} == {"average"}
    assert AuditEntry.objects.filter(action="appraisal.routine_adjust").count() == len(entries) - 1


def test_issue_15_finding_5_routine_confirmation_keeps_the_good_cap(org: Any) -> None:
    cycle = services.routine_open(actor=org.users["head"], unit=org.office, year=2025, quarter=4)
    entries = list(cycle.entries.order_by("id"))
    cap = rules.routine_good_cap(len(entries), rules.policy())
    grades = {e.pk: "good" for e in entries}
    with pytest.raises(InvalidInput) as exc:
        services.routine_confirm(actor=org.users["leader"], cycle=cycle, grades=grades)
    assert exc.value.code == "quota_full"
    assert not cycle.entries.exclude(grade="").exists()
    grades = {e.pk: "good" if i < cap else "fairly_good" for i, e in enumerate(entries)}
    services.routine_confirm(actor=org.users["leader"], cycle=cycle, grades=grades)
    assert RoutineCycle.objects.get(pk=cycle.pk).status == RoutineCycle.Status.CONFIRMED


# --- finding 6 ----------------------------------------------------------------------------------


def test_issue_15_finding_6_quota_message_shows_the_percent_as_written(
    org: Any, cycle: AnnualCycle
) -> None:
    """名额为2名（定等次人数13名的20%）, not 2E+1%."""
    AnnualCycle.objects.filter(pk=cycle.pk).update(status=AnnualCycle.Status.COMMITTEE)
    cycle = AnnualCycle.objects.get(pk=cycle.pk)
    cm = org.users["committee"]
    services.decide(actor=cm, participant=part(cycle, org, "staff"), grade="excellent")
    services.decide(actor=cm, participant=part(cycle, org, "head"), grade="excellent")
    with pytest.raises(InvalidInput) as exc:
        services.decide(actor=cm, participant=part(cycle, org, "hr"), grade="excellent")
    assert "(20% of 13 graded" in str(exc.value.message)
    assert "E+" not in str(exc.value.message)
    with translation.override("zh-hans"):
        with pytest.raises(InvalidInput) as exc:
            services.decide(actor=cm, participant=part(cycle, org, "hr"), grade="excellent")
        assert "名额为2名（定等次人数13名的20%）" in str(exc.value.message)


def test_issue_15_finding_6_stage_counts_add_up_to_the_total(org: Any, cycle: AnnualCycle) -> None:
    """Everyone decided by the committee, most without a proposal or a summary: all 13 are at
    'decided' and none still 'drawn' (it read 已列入 150 and 已审定 161 of 161)."""
    staff = part(cycle, org, "staff")
    services.summary_submit(
        actor=org.users["staff"], participant=staff, duties="", self_summary="总结", version=None
    )
    cycle.participants.update(decided_at=timezone.now(), decided_grade=rules.COMPETENT)
    counts = {k: n for k, _label, n in selectors.step_counts(cycle.participants.all())}
    assert counts["decided"] == 13
    assert counts["drawn"] == 0 and counts["summary"] == 0
    assert sum(counts.values()) == cycle.participants.count()
    assert {p.step for p in cycle.participants.all()} == {"decided"}
    # and at each later step the counts still add up
    cycle.participants.filter(pk=staff.pk).update(is_final=True, notified_at=timezone.now())
    counts = {k: n for k, _label, n in selectors.step_counts(cycle.participants.all())}
    assert (counts["notified"], counts["decided"]) == (1, 12)
    assert sum(counts.values()) == 13


def test_percent_text() -> None:
    assert rules.percent_text(Decimal("20.00")) == "20"
    assert rules.percent_text(Decimal("2E+1")) == "20"
    assert rules.percent_text(Decimal("22.50")) == "22.5"
    assert rules.percent_text(Decimal("0")) == "0"
