"""Browser: commendation from nomination to the certificate (issue 16) — a unit head nominates on
a phone, the discipline inspector and the personnel officer vet, the officer records the decision,
publishes, numbers the certificates, and anyone verifies a certificate on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.honors import services
from luoshi.honors.models import Certificate, Nomination, Program
from luoshi.orgs import services as org_services
from luoshi.orgs.roles import Role

from .conftest import login, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_nominate_vet_decide_publish_certify_and_verify(org: Any, window: Any) -> None:
    hr_user = org.users["hr"]
    program = services.program_create(
        actor=hr_user,
        agency=org.agency,
        year=timezone.localdate().year,
        title="机关先进工作者评选",
        scope="internal",
    )
    services.quota_set(actor=hr_user, program=program, kind="commendation", family="civil_servant")
    services.program_open(actor=hr_user, program=program)
    inspector = org_services.user_create(actor=None, username="inspector", password=PASSWORD)
    org_services.role_assign(
        actor=None, user=inspector, role=Role.DISCIPLINE_INSPECTOR, anchor=org.agency
    )
    base = f"/honors/{program.pk}/"

    # The unit head nominates on a phone, with the counter under the brief deeds.
    head = window(PHONE, confirm=True)
    login(head, "head", PASSWORD)
    head.goto(head.base_url + base + "nominate/")
    no_sideways_scroll(head)
    head.select_option("select[name=kind]", "commendation")
    head.select_option("select[name=person]", str(org.people["office_staff"].pk))
    head.fill("textarea[name=deeds_brief]", "工作突出，成效明显。")
    assert head.locator(".ls-counter").first.inner_text() == "10 / 300"
    head.click("#nomination-form button[type=submit]:not([name=intent])")
    head.wait_for_url("**/honors/nominations/**")
    head.click("#submit-nomination")
    head.wait_for_load_state()
    nomination = Nomination.objects.get()
    assert nomination.status == Nomination.Status.SUBMITTED

    # The discipline inspector signs the discipline body's opinion from the queue.
    vetter = window(DESKTOP, confirm=True)
    login(vetter, "inspector", PASSWORD)
    vetter.goto(vetter.base_url + "/honors/vetting/")
    vetter.click("#vetting-queue a")
    vetter.check("#vet-form input[value=pass]")
    vetter.click("#vet-form button[type=submit]")
    vetter.wait_for_url("**/honors/vetting/")

    # The officer signs for personnel, closes nominations, decides, publishes.
    hr = window(DESKTOP, confirm=True)
    login(hr, "hr", PASSWORD)
    hr.goto(hr.base_url + f"/honors/nominations/{nomination.pk}/")
    hr.check("#vet-form input[value=pass]")
    hr.click("#vet-form button[type=submit]")
    hr.goto(hr.base_url + base)
    hr.click("#officer-actions form:has(input[value=close]) button")
    hr.wait_for_load_state()
    hr.goto(hr.base_url + base + "decision/")
    assert not hr.is_checked("input[name=approved]")  # nobody preselected
    hr.check("input[name=approved]")
    hr.fill("input[name=decision_body]", "机关党组会议")
    hr.fill("input[name=decision_date]", timezone.localdate().isoformat())
    hr.fill("textarea[name=record]", "第12次党组会议研究同意")
    hr.click("#decision-form button[type=submit]")
    hr.wait_for_url(hr.base_url + base)
    assert hr.inner_text("#stage").strip() == "已决定"
    hr.fill("input[name=publicity-start]", timezone.localdate().isoformat())
    hr.click("#officer-actions form:has(input[value=publicity]) button")
    hr.wait_for_load_state()
    program.refresh_from_db()
    assert program.status == Program.Status.PUBLICITY and program.publicity_end is not None

    # Publicity ends; the officer numbers the certificates.
    services.finalize(program, program.publicity_end + dt.timedelta(days=1))
    hr.goto(hr.base_url + base)
    hr.click("#officer-actions form:has(input[value=certificates]) button")
    hr.wait_for_load_state()
    certificate = Certificate.objects.get()
    assert hr.locator("a[href$='certificates.pdf?mode=overprint']").count() == 1

    # Anyone verifies the number on a phone, without signing in.
    visitor = window(PHONE, confirm=True)
    visitor.goto(visitor.base_url + "/verify/")
    visitor.fill("input[name=number]", certificate.number)
    visitor.click("#verify-form button[type=submit]")
    visitor.wait_for_selector("#verification")
    text = visitor.inner_text("#verification")
    assert "有效" in text and "丁科员" in text and certificate.number in text
    no_sideways_scroll(visitor)
