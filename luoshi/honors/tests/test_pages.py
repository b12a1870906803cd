"""The commendation pages: the flow from program to certificates as the personnel officer, the
unit head and the discipline inspector, forbidden looking like missing on every page, and the
public verification page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from luoshi.appraisal import services as appraisal
from luoshi.appraisal.models import AnnualCycle, Participant, YearResult
from luoshi.core.models import AuditEntry
from luoshi.honors import services
from luoshi.honors.models import Certificate, Nomination, Program

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user, backend="luoshi.orgs.auth.AccountBackend")
    return c


def test_the_flow_through_the_pages(org: Any, client_for: Any, inspector: Any) -> None:
    hr = client_for("hr")
    year = timezone.localdate().year
    r = hr.post(
        reverse("honors:program_create"),
        {"agency": org.agency.pk, "year": year, "title": "机关先进工作者评选", "scope": "internal"},
    )
    program = Program.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("honors:program", args=[program.pk])
    page = hr.get(r["Location"]).content.decode()
    assert "还未设置名额" in page or "No quota is set yet." in page
    r = hr.post(
        reverse("honors:program", args=[program.pk]),
        {"action": "quota", "quota-kind": "commendation", "quota-family": "civil_servant"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    hr.post(reverse("honors:program", args=[program.pk]), {"action": "open"})
    program.refresh_from_db()
    assert program.status == Program.Status.NOMINATION

    # The unit head nominates someone of their own unit; the form offers no one else.
    head = client_for("head")
    form = head.get(reverse("honors:nominate", args=[program.pk])).content.decode()
    assert "丁科员" in form and "戊科员" not in form and 'data-counter="300"' in form
    r = head.post(
        reverse("honors:nominate", args=[program.pk]),
        {
            "kind": "commendation",
            "person": org.people["office_staff"].pk,
            "deeds_brief": "工作突出。",
        },
    )
    nomination = Nomination.objects.get()
    assert r["Location"] == reverse("honors:nomination", args=[nomination.pk])
    head.post(r["Location"], {"action": "submit"})
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED

    hr.post(reverse("honors:program", args=[program.pk]), {"action": "close"})
    inspector_client = _login(inspector)
    queue = inspector_client.get(reverse("honors:vetting")).content.decode()
    assert "丁科员" in queue
    r = inspector_client.post(
        reverse("honors:nomination", args=[nomination.pk]),
        {"action": "vet", "vet-body": "discipline", "vet-verdict": "pass"},
    )
    assert r.status_code == 302
    hr.post(
        reverse("honors:nomination", args=[nomination.pk]),
        {"action": "vet", "vet-body": "personnel", "vet-verdict": "pass"},
    )
    decision = hr.get(reverse("honors:decision", args=[program.pk])).content.decode()
    assert "丁科员" in decision and "checked" not in decision  # nobody is preselected
    r = hr.post(
        reverse("honors:decision", args=[program.pk]),
        {
            "approved": [nomination.pk],
            "decision_body": "党组会议",
            "decision_date": timezone.localdate().isoformat(),
            "record": "2026年第12次党组会议",
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    past = hr.post(
        reverse("honors:program", args=[program.pk]),
        {
            "action": "publicity",
            "publicity-start": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 200  # the form again, with the reason; nothing published
    assert "公示开始日期不能早于今天" in past.content.decode()
    program.refresh_from_db()
    assert program.status == Program.Status.DECIDED
    hr.post(
        reverse("honors:program", args=[program.pk]),
        {"action": "publicity", "publicity-start": timezone.localdate().isoformat()},
    )
    program.refresh_from_db()
    assert program.status == Program.Status.PUBLICITY
    staff_view = client_for("staff").get(reverse("honors:publicity", args=[program.pk]))
    assert staff_view.status_code == 200 and "丁科员" in staff_view.content.decode()
    assert (
        client_for("outsider").get(reverse("honors:publicity", args=[program.pk])).status_code
        == 404
    )

    assert program.publicity_end is not None
    services.finalize(program, program.publicity_end + dt.timedelta(days=1))
    hr.post(reverse("honors:program", args=[program.pk]), {"action": "certificates"})
    cert = Certificate.objects.get()
    for mode in ("design", "preview", "overprint"):
        pdf = hr.get(reverse("honors:certificates_pdf", args=[program.pk]) + f"?mode={mode}")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(
            b"%PDF"
        )
    assert AuditEntry.objects.filter(action="honors.certificates_print").count() == 3
    xlsx = hr.get(reverse("honors:honourees_xlsx", args=[program.pk]))
    assert xlsx.status_code == 200

    public = Client().get(reverse("honors:verify_number", args=[cert.number]))
    body = public.content.decode()
    assert public.status_code == 200 and "丁科员" in body and cert.number in body
    assert "办公室" not in body  # the unit is internal detail
    assert (
        Client().get(reverse("honors:verify_number", args=["假〔2026〕第1号"])).status_code == 404
    )
    typed = Client().get(reverse("honors:verify"), {"number": cert.number})
    assert typed["Location"] == reverse("honors:verify_number", args=[cert.number])


def test_forbidden_looks_like_missing_on_every_page(org: Any, client_for: Any) -> None:
    hr = org.users["hr"]
    program = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="机关先进工作者", scope="internal"
    )
    services.quota_set(actor=hr, program=program, kind="commendation", family="civil_servant")
    services.program_open(actor=hr, program=program)
    n = services.nominate(
        actor=hr, program=program, kind="commendation", person=org.people["head"], deeds_brief="x"
    )
    pages = [
        ("honors:program", program.pk),
        ("honors:nominate", program.pk),
        ("honors:decision", program.pk),
        ("honors:publicity", program.pk),
        ("honors:certificates_pdf", program.pk),
        ("honors:honourees_xlsx", program.pk),
        ("honors:nomination", n.pk),
        ("honors:person", org.people["head"].pk),
    ]
    for persona in ("admin", "security", "auditor", "outsider", "staff"):
        c = client_for(persona)
        for name, pk in pages:
            real = c.get(reverse(name, args=[pk])).status_code
            missing = c.get(reverse(name, args=[999999])).status_code
            if persona == "staff" and name in ("honors:program", "honors:person"):
                continue  # the agency's own staff see open programs and colleagues' honours
            assert real == missing == 404, (persona, name, real, missing)


def test_a_draft_program_is_not_shown_to_the_staff(org: Any, client_for: Any) -> None:
    program = services.program_create(
        actor=org.users["hr"], agency=org.agency, year=2026, title="草稿", scope="internal"
    )
    assert client_for("staff").get(reverse("honors:program", args=[program.pk])).status_code == 404
    listing = client_for("staff").get(reverse("honors:programs")).content.decode()
    assert "草稿" not in listing
    assert "草稿" in client_for("hr").get(reverse("honors:programs")).content.decode()


def test_drafting_the_deeds_fills_the_form_and_saves_nothing(org: Any, client_for: Any) -> None:
    hr = org.users["hr"]
    program = services.program_create(
        actor=hr, agency=org.agency, year=2025, title="机关先进工作者", scope="internal"
    )
    services.quota_set(actor=hr, program=program, kind="commendation", family="civil_servant")
    services.program_open(actor=hr, program=program)
    YearResult.objects.create(
        person=org.people["staff"],
        year=2025,
        grade="excellent",
        family="civil_servant",
        source="import",
    )
    page = client_for("hr").post(
        reverse("honors:nominate", args=[program.pk]),
        {"intent": "draft", "kind": "commendation", "person": org.people["staff"].pk},
    )
    assert page.status_code == 200
    assert "2025年度考核：优秀" in page.content.decode() or "2025" in page.content.decode()
    assert not Nomination.objects.exists()


def test_the_annual_appraisal_excellent_certificates_are_numbered_and_printed(
    org: Any, client_for: Any
) -> None:
    cycle = appraisal.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    Participant.objects.filter(cycle=cycle, person=org.people["staff"]).update(
        final_grade="excellent"
    )
    AnnualCycle.objects.filter(pk=cycle.pk).update(status="final", finalized_at=timezone.now())
    cycle.refresh_from_db()
    assert services.appraisal_awards(cycle) == 1
    hr = client_for("hr")
    listing = hr.get(reverse("honors:programs")).content.decode()
    assert 'id="appraisal-certificates"' in listing
    url = reverse("honors:appraisal_certificates", args=[2025])
    assert hr.post(url).status_code == 302
    cert = Certificate.objects.get()
    assert cert.honour.person == org.people["staff"] and "嘉奖" in cert.number
    pdf = hr.get(url + "?mode=design")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hr.post(url).status_code == 302 and Certificate.objects.count() == 1  # once
    for persona in ("staff", "outsider", "admin"):
        assert client_for(persona).get(url).status_code == 404


def test_the_lists_cost_the_same_queries_whatever_their_length(org: Any, inspector: Any) -> None:
    """The programs list and the vetting queue: a fixed number of queries for 1 or 6 programs
    with their nominations."""
    hr = org.users["hr"]
    people = ["head", "office_staff", "staff", "econ_colleague", "liaison_staff", "committee"]

    def add_program(i: int) -> None:
        program = services.program_create(
            actor=hr, agency=org.agency, year=2026, title=f"评选{i}", scope="internal"
        )
        services.quota_set(actor=hr, program=program, kind="advanced_individual", places=10)
        services.program_open(actor=hr, program=program)
        n = services.nominate(
            actor=hr,
            program=program,
            kind="advanced_individual",
            person=org.people[people[i]],
            deeds_brief="x",
        )
        services.nomination_submit(actor=hr, nomination=n)

    vetter = _login(inspector)
    counts = []
    for target in (1, 6):
        while Program.objects.count() < target:
            add_program(Program.objects.count())
        for url in (reverse("honors:programs"), reverse("honors:vetting")):
            vetter.get(url)  # warm the navigation's cache
            with CaptureQueriesContext(connection) as queries:
                assert vetter.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts
    assert "评选5" in vetter.get(reverse("honors:vetting")).content.decode()
