"""Links to appraisal: the candidates for 先进集体 ranked by the appraisal's unit performance
scores (program page and API), and the merit candidates page linked from appraisal's
consequences page through core.related (appraisal does not import honors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from luoshi.appraisal import services as appraisal_services
from luoshi.appraisal.models import AnnualCycle, LeadershipScore, YearResult
from luoshi.core.related import links_for
from luoshi.honors import selectors, services

pytestmark = pytest.mark.django_db


def test_collective_candidates_are_ranked_by_unit_score(
    org: Any, client_for: Any, token_for: Any
) -> None:
    hr = org.users["hr"]
    program = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="先进集体评选", scope="internal"
    )
    services.quota_set(actor=hr, program=program, kind="advanced_collective", places=1)
    for unit, score in ((org.office, "70"), (org.econ, "95"), (org.liaison, "80")):
        LeadershipScore.objects.create(
            agency=org.agency, unit=unit, year=2026, score=Decimal(score)
        )
    rows = selectors.collective_candidates(program)
    ranked = [r["unit"] for r in rows if r["leadership"] is not None]
    assert ranked[:3] == [org.econ, org.liaison, org.office]
    assert rows[0]["rank"] == 1
    program_page = client_for("hr").get(f"/honors/{program.pk}/").content.decode()
    assert f'href="/honors/{program.pk}/candidates/"' in program_page
    page = client_for("hr").get(f"/honors/{program.pk}/candidates/").content.decode()
    assert 'id="collective-candidates"' in page
    assert page.index(org.econ.name, page.index("collective-candidates")) < page.index(
        org.office.name, page.index("collective-candidates")
    )
    r = Client().get(
        f"/api/v1/honors/programs/{program.pk}/collective-candidates", **token_for("hr")
    )
    assert r.status_code == 200 and r.json()[0]["unit"] == org.econ.pk
    services.program_open(actor=hr, program=program)
    staff = Client().get(
        f"/api/v1/honors/programs/{program.pk}/collective-candidates", **token_for("staff")
    )
    assert staff.status_code == 404
    assert "/candidates/" not in client_for("staff").get(f"/honors/{program.pk}/").content.decode()
    assert client_for("staff").get(f"/honors/{program.pk}/candidates/").status_code == 404


def test_consequences_page_links_to_the_merit_candidates(org: Any, client_for: Any) -> None:
    for year in (2023, 2024, 2025):
        YearResult.objects.create(
            person=org.people["staff"],
            year=year,
            grade="excellent",
            family="civil_servant",
            source="import",
        )
    import datetime as dt

    cycle = appraisal_services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    links = links_for("appraisal.consequences", org.users["hr"], cycle)
    assert [link.key for link in links] == ["honors-merit"]
    assert links_for("appraisal.consequences", org.users["staff"], cycle) == []
    page = client_for("hr").get(f"/appraisal/{cycle.pk}/consequences/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="related-honors-merit"' in text
    assert f"/honors/merit/?agency={org.agency.pk}&amp;year=2025" in text
    merit = (
        client_for("hr").get(f"/honors/merit/?agency={org.agency.pk}&year=2025").content.decode()
    )
    assert org.people["staff"].name in merit
    r = client_for("hr").post(
        f"/honors/merit/?agency={org.agency.pk}&year=2025",
        {"merit-person": org.people["staff"].pk, "merit-document_number": "侨联〔2026〕2号"},
    )
    assert r.status_code == 302
    assert services.merit_candidates(org.agency, 2025)[0]["confirmed"] is True
    assert client_for("staff").get("/honors/merit/").status_code == 404
    assert AnnualCycle.objects.count() == 1


def test_merit_candidates_api(org: Any, token_for: Any) -> None:
    for year in (2023, 2024, 2025):
        YearResult.objects.create(
            person=org.people["staff"],
            year=year,
            grade="excellent",
            family="civil_servant",
            source="import",
        )
    c = Client()
    url = f"/api/v1/honors/merit-candidates/{org.agency.pk}/2025"
    rows = c.get(url, **token_for("hr")).json()
    assert rows[0]["person"] == org.people["staff"].pk and rows[0]["kind"] == "merit_third"
    r = c.post(
        url,
        '{"person": %d, "document_number": "d1"}' % org.people["staff"].pk,
        content_type="application/json",
        **token_for("hr"),
    )
    assert r.status_code == 201 and r.json()["gbt_code"] == "01114"
    assert c.get(url, **token_for("staff")).status_code == 404
