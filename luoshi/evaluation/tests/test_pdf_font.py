"""Printing ballot codes on a server without a font for PDFs: a clear 503, and no code is voided."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from luoshi.core.models import AuditEntry
from luoshi.documents.tests.pdfcheck import embedded_fonts
from luoshi.evaluation.models import Campaign, Voter

pytestmark = pytest.mark.django_db


def test_no_font_answers_503_naming_the_fix_and_keeps_the_codes(
    org: Any,
    slips: Campaign,
    client_for: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]  # an empty place: no font to find
    campaign = slips
    before = dict(Voter.objects.filter(campaign=campaign).values_list("pk", "code_hash"))
    issued = AuditEntry.objects.filter(action="evaluation.codes_issue").count()
    response = client_for("hr").post(reverse("evaluation:codes_pdf", args=[campaign.pk]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "apt-get install fonts-noto-cjk" in page and "LUOSHI_PDF_FONT" in page
    after = dict(Voter.objects.filter(campaign=campaign).values_list("pk", "code_hash"))
    assert after == before  # the codes already handed out still work
    assert AuditEntry.objects.filter(action="evaluation.codes_issue").count() == issued


def test_the_slips_draw_every_category_and_the_title(
    org: Any, slips: Campaign, client_for: Any
) -> None:
    response = client_for("hr").post(reverse("evaluation:codes_pdf", args=[slips.pk]))
    assert response.status_code == 200
    text = "".join(slips.rater_categories.values_list("name", flat=True)) + slips.title
    (font,) = [f for f in embedded_fonts(response.content) if "+Helvetica" not in f.base_font]
    assert set(text) <= set(font.to_unicode.values())
    assert not font.missing(text)
