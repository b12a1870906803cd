"""The certificate batch (design, overprint with its calibration offset, alignment preview)
and the honourees' table, read back from the files themselves."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.documents.tests.pdfcheck import _objects, _stream, embedded_fonts
from luoshi.honors import exports, rules, services
from luoshi.honors.models import Certificate

TM = re.compile(rb"1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm")
MM = 72 / 25.4


def _certificates(org: Any) -> list[Certificate]:
    hr = org.users["hr"]
    honours = [
        services.external_record(
            actor=hr,
            agency=org.agency,
            unit=p.unit,
            person=p,
            kind="advanced_individual",
            title="全省侨联系统先进个人",
            approving_body="测试省归国华侨联合会",
            document_number="d",
            awarded_on=timezone.localdate(),
        )
        for p in (org.people["staff"], org.people["head"])
    ]
    return services.certificates_issue(actor=hr, honours=honours)


def _texts(certs: list[Certificate]) -> list[exports.CertificateText]:
    return [exports.certificate_text(c, f"https://example.org/verify/{c.pk}") for c in certs]


def _positions(data: bytes) -> list[tuple[float, float]]:
    found: list[tuple[float, float]] = []
    for obj in _objects(data).values():
        if b"/Length" in obj and b"stream" in obj:
            for x, y in TM.findall(_stream(obj)):
                found.append((float(x), float(y)))
    return found


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", data))


@pytest.mark.django_db
def test_the_design_draws_every_holder_and_number_one_page_each(org: Any) -> None:
    certs = _certificates(org)
    data = exports.certificates_pdf(_texts(certs), rules.Policy(), mode="design")
    assert data.startswith(b"%PDF") and _pages(data) == 2
    (font,) = [f for f in embedded_fonts(data) if "+Helvetica" not in f.base_font]
    text = "丙主任戊科员荣誉证书全省侨联系统先进个人测试省归国华侨联合会" + certs[0].number
    assert not font.missing(text)


@pytest.mark.django_db
def test_the_overprint_moves_every_field_by_the_calibration_offset(org: Any) -> None:
    texts = _texts(_certificates(org))[:1]
    plain = _positions(exports.certificates_pdf(texts, rules.Policy(), mode="overprint"))
    moved_policy = rules.policy_from({"certificate_offset_mm": [10, -5]})
    moved = _positions(exports.certificates_pdf(texts, moved_policy, mode="overprint"))
    assert plain and len(plain) == len(moved)
    for (x0, y0), (x1, y1) in zip(plain, moved, strict=True):
        assert x1 - x0 == pytest.approx(10 * MM, abs=0.01)
        assert y1 - y0 == pytest.approx(-5 * MM, abs=0.01)
    holder_x, holder_y, _size = rules.Policy().certificate_overprint["holder"]
    assert (holder_x * MM, holder_y * MM) == pytest.approx(plain[0], abs=0.01)


@pytest.mark.django_db
def test_the_preview_says_it_is_a_preview_and_the_overprint_has_no_design(org: Any) -> None:
    texts = _texts(_certificates(org))[:1]
    preview = exports.certificates_pdf(texts, rules.Policy(), mode="preview")
    overprint = exports.certificates_pdf(texts, rules.Policy(), mode="overprint")
    design = exports.certificates_pdf(texts, rules.Policy(), mode="design")
    assert len(_positions(preview)) == len(_positions(overprint)) + 1  # the preview's label
    assert len(_positions(design)) > len(_positions(overprint))  # title, signature, labels
    with pytest.raises(ValueError, match="unknown certificate mode"):
        exports.certificates_pdf(texts, rules.Policy(), mode="poster")


@pytest.mark.django_db
def test_the_honourees_table_lists_each_honour_with_its_certificate(org: Any) -> None:
    certs = _certificates(org)
    program = services.program_create(
        actor=org.users["hr"], agency=org.agency, year=2026, title="t", scope="internal"
    )
    honours = [c.honour for c in certs]
    services.revoke(actor=org.users["hr"], honour=honours[0], reason="r", document_number="d")
    honours[0].refresh_from_db()
    export = exports.HonoureesXlsx(org.users["hr"], program, honours).render()
    ws = load_workbook(io.BytesIO(export.file.read())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1][:3] == ["先进个人", "戊科员", "经济科技部"]
    assert rows[1][5] == certs[0].number and rows[1][6]
    assert rows[2][1] == "丙主任" and not rows[2][6]
