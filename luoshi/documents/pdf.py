"""Building blocks for PDF documents with Chinese text (reportlab), with the font embedded.

A PDF is readable on any machine only if the CJK font travels inside it, so a font is found and
registered once per process and every document embeds (a subset of) it:

1. `LUOSHI_PDF_FONT`, when set: the path of a TrueType font file (.ttf, or .ttc with
   `#<index>` after the path for a font other than the first of the collection);
2. else the first of the well-known system CJK fonts that reportlab can embed (TrueType
   outlines: WenQuanYi Micro Hei / Zen Hei, AR PL UMing, Droid Sans Fallback, Noto Sans SC
   TrueType builds).

The Noto CJK collections of Debian's fonts-noto-cjk (NotoSansCJK-Regular.ttc) use PostScript
(CFF) outlines, which reportlab cannot embed; they are tried last and, if nothing else is there,
the error says so and how to install a font that works. Nothing here knows about any domain.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from luoshi.core.errors import DomainError

PDF_CONTENT_TYPE = "application/pdf"

# (path, subfont index) in order of preference; all have TrueType outlines except the last ones.
SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.ttf", 0),
    ("/usr/local/share/fonts/NotoSansSC-Regular.ttf", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    # CFF-outlined: tried so that the error can name them, never usable by reportlab today
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
)

INSTALL_HINT = _(
    "No Chinese font that can be embedded in a PDF was found. Install one (on Debian or "
    "Ubuntu: apt-get install fonts-wqy-microhei) or set LUOSHI_PDF_FONT to the path of a "
    "TrueType (.ttf or .ttc) Chinese font. The Noto CJK OpenType fonts cannot be embedded: "
    "their outlines are PostScript (CFF)."
)


class FontMissing(DomainError):
    code = "pdf_font_missing"
    status = 500
    default_message = INSTALL_HINT


@dataclass(frozen=True)
class PdfFont:
    """A registered reportlab font: `name` to use in styles, `face` as embedded in the PDF."""

    name: str
    path: str
    subfont_index: int
    face: str


_lock = threading.Lock()
_registered: dict[tuple[str, int], PdfFont] = {}


def _configured() -> list[tuple[str, int]]:
    value = str(settings.LUOSHI_PDF_FONT or "").strip()
    if not value:
        return []
    path, _sep, index = value.partition("#")
    return [(path, int(index) if index.isdigit() else 0)]


def _load(path: str, index: int) -> PdfFont:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = (path, index)
    found = _registered.get(key)
    if found is not None:
        return found
    name = f"LuoshiCJK{len(_registered) + 1}"
    font = TTFont(name, path, subfontIndex=index)
    pdfmetrics.registerFont(font)
    face = font.face.name
    found = PdfFont(
        name=name,
        path=path,
        subfont_index=index,
        face=face.decode("latin-1") if isinstance(face, bytes) else str(face),
    )
    _registered[key] = found
    return found


def cjk_font(candidates: Sequence[tuple[str, int]] | None = None) -> PdfFont:
    """The CJK font for PDFs, registered with reportlab (FontMissing when there is none).

    A configured font that cannot be loaded is an error of its own (the setting is wrong), not
    a reason to fall back silently to another font.
    """
    configured = _configured()
    if candidates is None and configured:
        path, index = configured[0]
        with _lock:
            try:
                return _load(path, index)
            except Exception as exc:
                raise FontMissing(
                    _("LUOSHI_PDF_FONT (%(path)s) cannot be used: %(reason)s")
                    % {"path": path, "reason": exc}
                ) from exc
    problems: list[str] = []
    with _lock:
        for path, index in candidates if candidates is not None else SYSTEM_FONTS:
            if not Path(path).is_file():
                continue
            try:
                return _load(path, index)
            except Exception as exc:
                problems.append(f"{path}: {exc}")
    raise FontMissing(details=[{"font": p} for p in problems])


# --- building documents -----------------------------------------------------------------------


def styles(font: PdfFont, *, size: float = 11) -> dict[str, Any]:
    """Paragraph styles in the CJK font: title, heading, body, small, cell, code."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    def style(name: str, font_size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font.name,
            fontSize=font_size,
            leading=font_size * 1.5,
            wordWrap="CJK",
            **kw,
        )

    return {
        "title": style("title", size * 1.6, alignment=TA_CENTER, spaceAfter=size),
        "heading": style("heading", size * 1.2, spaceBefore=size * 0.6, spaceAfter=size * 0.4),
        "body": style("body", size),
        "small": style("small", size * 0.8),
        "cell": style("cell", size * 0.95),
        "code": style("code", size * 1.6, alignment=TA_CENTER),
    }


def table(
    rows: Sequence[Sequence[Any]],
    font: PdfFont,
    *,
    col_widths: Sequence[float] | None = None,
    header: bool = True,
    repeat_header: bool = True,
    padding: float = 4,
) -> Any:
    """A ruled table; plain strings are wrapped in the CJK cell style."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = styles(font)["cell"]
    data = [[Paragraph(_escape(v), cell) if isinstance(v, str) else v for v in row] for row in rows]
    result = Table(
        data,
        colWidths=list(col_widths) if col_widths else None,
        repeatRows=1 if header and repeat_header else 0,
    )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font.name),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    result.setStyle(TableStyle(commands))
    return result


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text: str, style: Any) -> Any:
    """A paragraph of plain text (escaped; line breaks kept)."""
    from reportlab.platypus import Paragraph

    return Paragraph(_escape(text).replace("\n", "<br/>"), style)


def build_pdf(
    flowables: Sequence[Any],
    *,
    title: str = "",
    author: str = "",
    pagesize: Any = None,
    margins_mm: tuple[float, float, float, float] = (20, 18, 20, 18),
) -> bytes:
    """The bytes of a PDF from reportlab flowables (A4 portrait by default).

    margins_mm: top, right, bottom, left.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    top, right, bottom, left = margins_mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize or A4,
        topMargin=top * mm,
        rightMargin=right * mm,
        bottomMargin=bottom * mm,
        leftMargin=left * mm,
        title=title,
        author=author,
        creator="Luoshi",
    )
    doc.build(list(flowables))
    return buffer.getvalue()
