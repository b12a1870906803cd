"""The pages hand the official forms the data from the database (documents.py lays them out)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from luoshi.appraisal import docbuild, services
from luoshi.appraisal.models import AnnualCycle
from luoshi.core.models import AuditEntry

from .conftest import part

pytestmark = pytest.mark.django_db


def _final(org: Any, cycle: AnnualCycle) -> AnnualCycle:
    leader, hr = org.users["leader"], org.users["hr"]
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.person_id != org.people["leader"].pk:
            grade = "excellent" if p.person_id == org.people["staff"].pk else "competent"
            services.propose(actor=leader, participant=p, grade=grade, comments="评语")
    services.cycle_to_committee(actor=hr, cycle=cycle, override_reason="个人总结为纸质材料")
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=dt.date(2025, 12, 1), members_present="甲"
    )
    services.decide_as_proposed(actor=hr, cycle=cycle)
    services.decide(actor=hr, participant=part(cycle, org, "leader"), grade="competent")
    day = dt.date(2025, 12, 1)
    cycle = services.publicity_start(actor=hr, cycle=cycle, start=day, today=day)
    services.finalize_cycle(cycle, dt.date(2025, 12, 8))
    cycle.refresh_from_db()
    services.notices_send(actor=hr, cycle=cycle)
    return cycle


def test_forms_and_tables(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    cycle = _final(org, cycle)
    p = part(cycle, org, "staff")
    data = docbuild.registration_data(p)
    assert data.proposed_grade == "优秀" and data.committee_grade == "优秀"
    assert data.form_title == "2025年度公务员年度考核登记表"
    notice = docbuild.notice_data(p)
    assert notice.grade == "优秀" and notice.consequences == ["嘉奖"]
    assert notice.review_deadline is not None
    staff = client_for("staff")
    for kind, magic in (("form.docx", b"PK"), ("form.pdf", b"%PDF"), ("notice.docx", b"PK")):
        resp = staff.get(f"/appraisal/participants/{p.pk}/{kind}")
        assert resp.status_code == 200, kind
        assert resp.content.startswith(magic), kind
    assert staff.get(f"/appraisal/participants/{p.pk}/other.txt").status_code == 404
    other = part(cycle, org, "econ_colleague")
    assert staff.get(f"/appraisal/participants/{other.pk}/form.docx").status_code == 404
    assert staff.get(f"/appraisal/{cycle.pk}/results.xlsx").status_code == 403
    hr = client_for("hr")
    before = AuditEntry.objects.filter(action="appraisal.view").count()
    resp = hr.get(f"/appraisal/{cycle.pk}/results.xlsx")
    assert resp.status_code == 200
    assert AuditEntry.objects.filter(action="appraisal.view").count() == before + 1
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(resp.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert org.people["staff"].name in text and "优秀" in text


def test_public_institution_words(org: Any, client_for: Any) -> None:
    from luoshi.orgs.models import StaffCategory

    person = org.people["staff"]
    person.staff_category = StaffCategory.objects.get(name="事业单位")
    person.save()
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    p = part(cycle, org, "staff")
    p = services.propose(actor=org.users["leader"], participant=p, grade="competent", comments="好")
    data = docbuild.registration_data(p)
    assert data.proposed_grade == "合格"
    assert "事业单位" in data.form_title
