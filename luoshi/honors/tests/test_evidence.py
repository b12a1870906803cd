"""Editing a draft nomination (page and API, with the version read) and its evidence files:
allow-listed types checked by content, the size limit, downloads only for those who see the
nomination, nothing once it is submitted."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client, override_settings

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.core.tests.samples import pdf_bytes, png_bytes
from luoshi.honors import services
from luoshi.honors.models import Nomination, NominationEvidence, Program

pytestmark = pytest.mark.django_db

PDF = pdf_bytes("事迹材料")
PNG = png_bytes()
DEEDS = "工作积极主动，圆满完成年度各项任务。"


def _draft(program: Program, org: Any) -> Nomination:
    return services.nominate(
        actor=org.users["head"],
        program=program,
        kind="commendation",
        person=org.people["office_staff"],
        deeds_brief=DEEDS,
    )


def _file(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def test_the_edit_service_checks_the_version_stage_and_limits(program: Program, org: Any) -> None:
    n = _draft(program, org)
    head = org.users["head"]
    edited = services.nomination_edit(
        actor=head,
        nomination=n,
        deeds_brief="新的简要事迹",
        deeds="",
        unit_opinion="同意",
        version=n.version,
    )
    assert edited.version == n.version + 1 and edited.deeds_brief == "新的简要事迹"
    with pytest.raises(Conflict):
        services.nomination_edit(
            actor=head, nomination=n, deeds_brief="x", deeds="", unit_opinion="", version=n.version
        )
    with pytest.raises(InvalidInput, match="at most 300"):
        services.nomination_edit(
            actor=head,
            nomination=n,
            deeds_brief="字" * 301,
            deeds="",
            unit_opinion="",
            version=edited.version,
        )
    services.nomination_submit(actor=head, nomination=n)
    with pytest.raises(InvalidInput, match="draft"):
        services.nomination_edit(
            actor=head, nomination=n, deeds_brief="x", deeds="", unit_opinion="", version=None
        )
    assert AuditEntry.objects.filter(action="honors.nomination_edit").count() == 1


def test_the_edit_page_saves_with_files_and_refuses_a_stale_version(
    program: Program, org: Any, client_for: Any
) -> None:
    n = _draft(program, org)
    head = client_for("head")
    page = head.get(f"/honors/nominations/{n.pk}/edit/").content.decode()
    assert 'name="version"' in page and 'data-counter="300"' in page
    r = head.post(
        f"/honors/nominations/{n.pk}/edit/",
        {
            "version": n.version,
            "deeds_brief": "改过的事迹",
            "deeds": "",
            "unit_opinion": "同意推荐",
            "evidence": [_file("证明.pdf", PDF)],
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    n.refresh_from_db()
    assert n.deeds_brief == "改过的事迹"
    evidence = n.evidence.get()
    assert evidence.name == "证明.pdf" and evidence.size == len(PDF)
    r = head.post(
        f"/honors/nominations/{n.pk}/edit/",
        {"version": n.version - 1, "deeds_brief": "旧的", "deeds": "", "unit_opinion": ""},
    )
    assert r.status_code == 422
    n.refresh_from_db()
    assert n.deeds_brief == "改过的事迹"
    # a file whose content is not its type: refused, and the text with it (nothing half-written)
    r = head.post(
        f"/honors/nominations/{n.pk}/edit/",
        {
            "version": n.version,
            "deeds_brief": "又改",
            "deeds": "",
            "unit_opinion": "",
            "evidence": [_file("假.pdf", b"not a pdf")],
        },
    )
    assert r.status_code == 422
    n.refresh_from_db()
    assert n.deeds_brief == "改过的事迹" and n.evidence.count() == 1
    # download: the nominator and the officer; another unit's staff: not found
    url = f"/honors/nominations/{n.pk}/evidence/{evidence.pk}/"
    r = head.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert client_for("hr").get(url).status_code == 200
    assert client_for("staff").get(url).status_code == 404
    assert client_for("staff").get(f"/honors/nominations/{n.pk}/edit/").status_code == 404
    # remove, then submitted: no more changes
    head.post(f"/honors/nominations/{n.pk}/edit/", {"action": "remove", "evidence": evidence.pk})
    assert not n.evidence.exists()
    services.nomination_submit(actor=org.users["head"], nomination=n)
    page = head.get(f"/honors/nominations/{n.pk}/edit/").content.decode()
    assert 'id="nomination-edit-form"' not in page


def test_evidence_on_the_nomination_form(program: Program, org: Any, client_for: Any) -> None:
    head = client_for("head")
    form = head.get(f"/honors/{program.pk}/nominate/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="evidence"' in form
    r = head.post(
        f"/honors/{program.pk}/nominate/",
        {
            "kind": "commendation",
            "person": org.people["office_staff"].pk,
            "deeds_brief": DEEDS,
            "evidence": [_file("a.exe", b"MZ")],
        },
    )
    assert r.status_code == 200 and not Nomination.objects.exists()  # nothing half-written
    r = head.post(
        f"/honors/{program.pk}/nominate/",
        {
            "kind": "commendation",
            "person": org.people["office_staff"].pk,
            "deeds_brief": DEEDS,
            "evidence": [_file("事迹材料.pdf", PDF), _file("照片.png", PNG)],
        },
    )
    n = Nomination.objects.get()
    assert r["Location"] == f"/honors/nominations/{n.pk}/"
    assert sorted(n.evidence.values_list("name", flat=True)) == ["事迹材料.pdf", "照片.png"]
    detail = head.get(r["Location"]).content.decode()
    assert "事迹材料.pdf" in detail and 'id="edit-nomination"' in detail


@override_settings(LUOSHI_ATTACHMENT_MAX_BYTES=1024)
def test_the_api_edits_with_the_version_and_takes_evidence(
    program: Program, org: Any, token_for: Any
) -> None:
    n = _draft(program, org)
    head, c = token_for("head"), Client()
    url = f"/api/v1/honors/nominations/{n.pk}"
    body = {"version": n.version, "deeds_brief": "接口修改", "deeds": "", "unit_opinion": ""}
    r = c.patch(url, json.dumps(body), content_type="application/json", **head)
    assert r.status_code == 200 and r.json()["version"] == n.version + 1
    r = c.patch(url, json.dumps(body), content_type="application/json", **head)
    assert r.status_code == 409
    r = c.post(f"{url}/evidence", {"file": _file("材料.pdf", PDF)}, **head)
    assert r.status_code == 201, r.content
    evidence_id = r.json()[0]["id"]
    r = c.post(f"{url}/evidence", {"file": _file("大.pdf", b"%PDF" + b"x" * 2000)}, **head)
    assert r.status_code == 422
    r = c.post(f"{url}/evidence", {"file": _file("a.txt.exe", b"MZ")}, **head)
    assert r.status_code == 422 and r.json()["code"] == "attachment_type"
    assert [e["name"] for e in c.get(f"{url}/evidence", **head).json()] == ["材料.pdf"]
    r = c.get(f"{url}/evidence/{evidence_id}", **head)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF  # type: ignore[attr-defined]
    staff = token_for("staff")
    assert c.get(f"{url}/evidence/{evidence_id}", **staff).status_code == 404
    assert c.get(f"{url}/evidence", **staff).status_code == 404
    assert NominationEvidence.objects.count() == 1
