"""PDF building blocks: the CJK font is found, embedded, and its absence is a clear error."""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
from django.utils import translation

from luoshi.documents import pdf


def _font_names(data: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", data)}


def _has_embedded_font(data: bytes) -> bool:
    return b"/FontFile2" in data


def test_a_pdf_embeds_the_cjk_font() -> None:
    font = pdf.cjk_font()
    s = pdf.styles(font)
    data = pdf.build_pdf(
        [
            pdf.paragraph("民主测评票 · 測評", s["title"]),
            pdf.table([["姓名", "代码"], ["张三", "ABCD-EFGH"]], font, col_widths=[200, 200]),
        ],
        title="测试",
    )
    assert data.startswith(b"%PDF-")
    names = _font_names(data)
    # reportlab embeds subsets: each base font is "<6 letters>+<face name>-<subset number>"
    assert any(re.fullmatch(rf"[A-Z]{{6}}\+{font.face}-\d+", name) for name in names), names
    assert _has_embedded_font(data)


def test_the_text_is_in_the_pdf() -> None:
    font = pdf.cjk_font()
    data = pdf.build_pdf([pdf.paragraph("测评 <b>&", pdf.styles(font)["body"])])
    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
    text = b"".join(_inflate(s) for s in streams)
    assert b"Tj" in text or b"TJ" in text


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data


def test_a_missing_font_says_how_to_install_one() -> None:
    with translation.override("en"), pytest.raises(pdf.FontMissing) as info:
        pdf.cjk_font([("/nonexistent/font.ttf", 0)])
    message = str(info.value.message)
    assert "apt-get install fonts-wqy-microhei" in message
    assert "LUOSHI_PDF_FONT" in message


def test_a_cff_font_is_refused_with_the_reason() -> None:
    noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    import os

    if not os.path.exists(noto):
        pytest.skip("fonts-noto-cjk is not installed")
    with pytest.raises(pdf.FontMissing) as info:
        pdf.cjk_font([(noto, 2)])
    assert "postscript outlines" in str(info.value.details).lower()


def test_a_configured_font_that_does_not_load_is_an_error(settings: Any) -> None:
    settings.LUOSHI_PDF_FONT = "/nonexistent/custom.ttf"
    with translation.override("en"), pytest.raises(pdf.FontMissing, match="LUOSHI_PDF_FONT"):
        pdf.cjk_font()


def test_a_configured_font_is_used(settings: Any) -> None:
    found = pdf.cjk_font()
    settings.LUOSHI_PDF_FONT = f"{found.path}#{found.subfont_index}"
    assert pdf.cjk_font().path == found.path
