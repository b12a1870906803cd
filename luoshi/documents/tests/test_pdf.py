"""PDF building blocks: the CJK font is found (or made from Debian's Noto CJK), embedded with a
real glyph for every character in both scripts, and its absence is a clear 503 error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

from luoshi.core.errors import ServiceUnavailable
from luoshi.documents import pdf

from .pdfcheck import embedded_fonts

SIMPLIFIED = "民主测评票侨联经济科技部办公室优秀称职"
TRADITIONAL = "民主測評票僑聯經濟科技部辦公室優秀稱職"
RARE = "䶮𠮷"  # CJK Extension A and B: names of people use them


def _sample(font: pdf.PdfFont, text: str) -> bytes:
    s = pdf.styles(font)
    return pdf.build_pdf(
        [
            pdf.paragraph(text, s["title"]),
            pdf.table([["姓名", "代码"], ["张三", "ABCD-EFGH"]], font, col_widths=[200, 200]),
        ],
        title="测试",
    )


def test_a_pdf_embeds_the_cjk_font_with_every_glyph_of_both_scripts() -> None:
    font = pdf.cjk_font()
    text = f"{SIMPLIFIED} · {TRADITIONAL} {RARE} ABC 123 <b>&"
    data = _sample(font, text)
    assert data.startswith(b"%PDF-")
    fonts = embedded_fonts(data)
    # reportlab embeds subsets: each base font is "<6 letters>+<face name>"
    assert fonts and all(re.fullmatch(rf"[A-Z]{{6}}\+{font.face}", f.base_font) for f in fonts)
    drawn = {c for f in fonts for c in f.to_unicode.values()}
    assert set(text.replace(" ", "")) <= drawn
    (font_of_text,) = [f for f in fonts if set(SIMPLIFIED) <= set(f.to_unicode.values())]
    assert not font_of_text.missing(text)


def test_by_default_the_font_is_noto_cjk_made_truetype_and_kept(settings: Any) -> None:
    font = pdf.cjk_font()
    assert Path(font.source).name == "NotoSansCJK-Regular.ttc"
    assert Path(font.path).parent == pdf.cache_dir()
    made = TTFont(font.path, lazy=True)
    assert "glyf" in made and "CFF " not in made
    assert made["OS/2"].fsType & 0x0302 == 0  # embedding and subsetting allowed
    assert pdf.cjk_font() == font  # registered once


def _tiny_cff_font(path: Path) -> None:
    """A CFF-outlined OpenType font with two glyphs: a square for 中 and nothing for space."""
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "space", "zhong"])
    builder.setupCharacterMap({0x20: "space", 0x4E2D: "zhong"})
    charstrings = {}
    for name, square in ((".notdef", False), ("space", False), ("zhong", True)):
        pen = T2CharStringPen(1000, None)
        if square:
            pen.moveTo((100, 0))
            pen.curveTo((100, 400), (500, 800), (900, 800))
            pen.lineTo((900, 0))
            pen.closePath()
        charstrings[name] = pen.getCharString()
    builder.setupCFF("TinyCFF-Regular", {"FullName": "Tiny CFF"}, charstrings, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "space": (250, 0), "zhong": (1000, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Tiny CFF", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))


def test_a_cff_font_is_converted_to_truetype_that_reportlab_embeds(
    tmp_path: Path, settings: Any
) -> None:
    fonts = tmp_path / "fonts" / "opentype"
    fonts.mkdir(parents=True)
    source = fonts / "NotoSansCJKsc-Regular.otf"  # a name the search knows
    _tiny_cff_font(source)
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path / "fonts")]
    settings.LUOSHI_PDF_FONT_CACHE = str(tmp_path / "cache")
    font = pdf.cjk_font()
    assert font.source == str(source)
    assert Path(font.path).parent == tmp_path / "cache"
    made = TTFont(font.path)
    cmap = made.getBestCmap()
    assert sorted(cmap) == [0x20, 0x4E2D]
    assert made["glyf"][cmap[0x4E2D]].numberOfContours == 1
    assert made["hmtx"][cmap[0x4E2D]][0] == 1000
    (embedded,) = embedded_fonts(pdf.build_pdf([pdf.paragraph("中", pdf.styles(font)["body"])]))
    assert "中" in embedded.to_unicode.values() and not embedded.missing("中")
    assert embedded.missing("中A") == {"A"}  # the check sees a glyph the font lacks


def test_no_font_is_a_503_that_says_how_to_get_one(tmp_path: Path, settings: Any) -> None:
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]  # an empty place: nothing to find
    with translation.override("en"), pytest.raises(pdf.FontMissing) as info:
        pdf.cjk_font()
    assert isinstance(info.value, ServiceUnavailable) and info.value.status == 503
    message = str(info.value.message)
    assert "apt-get install fonts-noto-cjk" in message
    assert "LUOSHI_PDF_FONT" in message


def test_missing_candidates_are_the_same_error() -> None:
    with pytest.raises(pdf.FontMissing):
        pdf.cjk_font([("/nonexistent/font.ttf", 0)])


def test_a_configured_font_that_does_not_load_is_an_error(settings: Any) -> None:
    settings.LUOSHI_PDF_FONT = "/nonexistent/custom.ttf"
    with translation.override("en"), pytest.raises(pdf.FontMissing, match="LUOSHI_PDF_FONT"):
        pdf.cjk_font()


def test_a_configured_truetype_font_wins(tmp_path: Path, settings: Any) -> None:
    found = pdf.cjk_font()
    settings.LUOSHI_PDF_FONT = f"{found.path}#{found.subfont_index}"
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]  # the search would find nothing
    assert pdf.cjk_font().path == found.path
