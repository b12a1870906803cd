"""The decision document (表彰决定): .docx in the official layout, honourees by category in the
org tree's unit order, from the page and the API, read back to check what it says."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from luoshi.honors import exports, selectors, services
from luoshi.honors.models import Program
from luoshi.orgs import services as org_services

pytestmark = pytest.mark.django_db

DEEDS = "工作积极主动，圆满完成年度各项任务。"


def decided_program(org: Any, inspector: Any) -> Program:
    """A program with 嘉奖 and 先进集体 decided: people of three units and a collective."""
    hr = org.users["hr"]
    p = services.program_create(
        actor=hr,
        agency=org.agency,
        year=timezone.localdate().year,
        title="年度表彰",
        scope="internal",
    )
    services.quota_set(actor=hr, program=p, kind="commendation", family="civil_servant", places=2)
    services.quota_set(actor=hr, program=p, kind="advanced_collective", places=1)
    for quota in p.quotas.all():
        for a in quota.allocations.all():  # every unit one place, so that all can be nominated
            if a.places == 0:
                a.places = 1
                a.save()
    p.quotas.filter(kind="commendation").update(places=3)
    services.program_open(actor=hr, program=p)
    noms = [
        services.nominate(
            actor=hr, program=p, kind="commendation", person=org.people[k], deeds_brief=DEEDS
        )
        for k in ("liaison_staff", "staff", "office_staff")
    ]
    noms.append(
        services.nominate(
            actor=hr, program=p, kind="advanced_collective", unit=org.econ, deeds_brief=DEEDS
        )
    )
    for n in noms:
        services.nomination_submit(actor=hr, nomination=n)
    services.nominations_close(actor=hr, program=p)
    for n in noms:
        services.vet(actor=inspector, nomination=n, body="discipline", verdict="pass")
        services.vet(actor=hr, nomination=n, body="personnel", verdict="pass")
    services.decide(
        actor=hr,
        program=p,
        approved=[n.pk for n in noms],
        decision_body="机关党组",
        decision_date=timezone.localdate(),
        record="党组会议研究",
    )
    return services.decision_number_set(actor=hr, program=p, number="侨联发〔2026〕8号")


def texts(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def test_the_document_lists_honourees_by_category_in_the_trees_unit_order(
    org: Any, inspector: Any
) -> None:
    # The tree shows 组织联络部, 办公室, 经济科技部 in that order once their display order says so.
    for unit, order in ((org.liaison, 1), (org.office, 2), (org.econ, 3)):
        org_services.org_unit_update(actor=None, unit=unit, sort_order=order)
    program = decided_program(org, inspector)
    lines = texts(exports.decision_docx(program, selectors.decision_honourees(program)))
    body = "\n".join(lines)
    assert org.agency.name + "文件" in lines[0]
    assert "侨联发〔2026〕8号" in body
    assert "关于年度表彰的表彰决定" in body
    first = lines.index("一、嘉奖（3名）")
    second = lines.index("二、先进集体（1个）")
    names = [line.split("　")[0] for line in lines[first + 1 : second]]
    assert names == ["庚科员", "丁科员", "戊科员"]  # 组织联络部, 办公室, 经济科技部
    assert lines[second + 1] == org.econ.name
    assert lines[-1].endswith("日") and lines[-2] == org.agency.name  # signature and date


def test_the_page_and_the_api_send_the_docx_to_the_officer_only(
    org: Any, inspector: Any, client_for: Any, token_for: Any
) -> None:
    program = decided_program(org, inspector)
    r = client_for("hr").get(f"/honors/{program.pk}/decision.docx")
    assert r.status_code == 200
    assert "wordprocessingml" in r["Content-Type"]
    assert "嘉奖（3名）" in "\n".join(texts(r.content))
    page = client_for("hr").get(f"/honors/{program.pk}/").content.decode()
    assert 'id="decision-docx"' in page
    api = client_for("hr").get(
        f"/api/v1/honors/programs/{program.pk}/decision-document", **token_for("hr")
    )
    assert api.status_code == 200 and "wordprocessingml" in api["Content-Type"]
    for persona in ("staff", "head"):
        assert client_for(persona).get(f"/honors/{program.pk}/decision.docx").status_code == 404
        r = client_for(persona).get(
            f"/api/v1/honors/programs/{program.pk}/decision-document", **token_for(persona)
        )
        assert r.status_code == 404


def test_before_the_decision_there_is_no_document(
    org: Any, client_for: Any, token_for: Any
) -> None:
    hr = org.users["hr"]
    p = services.program_create(actor=hr, agency=org.agency, year=2026, title="t", scope="internal")
    r = client_for("hr").get(f"/api/v1/honors/programs/{p.pk}/decision-document", **token_for("hr"))
    assert r.status_code == 422
    r = client_for("hr").get(f"/honors/{p.pk}/decision.docx")
    assert r.status_code == 302


def test_the_honourees_table_follows_the_same_order(org: Any, inspector: Any) -> None:
    program = decided_program(org, inspector)
    rows = selectors.decision_honourees(program)
    assert [n.kind for n in rows] == ["commendation"] * 3 + ["advanced_collective"]
