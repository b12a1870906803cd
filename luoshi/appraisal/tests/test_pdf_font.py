"""The registration form as PDF on a server without a font for PDFs: a clear 503, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.appraisal.models import AnnualCycle

from .conftest import part

pytestmark = pytest.mark.django_db


def test_no_font_answers_503_naming_the_fix(
    org: Any, cycle: AnnualCycle, client_for: Any, tmp_path: Path, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]  # an empty place: no font to find
    p = part(cycle, org, "staff")
    response = client_for("staff").get(f"/appraisal/participants/{p.pk}/form.pdf")
    assert response.status_code == 503
    page = response.content.decode()
    assert "apt-get install fonts-noto-cjk" in page and "LUOSHI_PDF_FONT" in page
    # the Word form needs no font and still comes
    assert client_for("staff").get(f"/appraisal/participants/{p.pk}/form.docx").status_code == 200
