"""Table cards (桌签) as a PDF: one sheet per seat, folded into a tent along its middle.

Each sheet (A4 landscape by default) carries the same face twice: on its lower half upright,
and on its upper half turned by 180° (the canvas transform `-1 0 0 -1 W H cm`), so that once
the sheet is folded along the dashed middle line and stood on the table, both faces read the
right way up — one to the hall, one to the person seated:

    ┌───────────────────────────────┐
    │      张三  (upside down)      │  ← upper half, rotated 180°
    │     副局长  (upside down)     │
    ├ ─ ─ ─ ─ ─ fold here ─ ─ ─ ─ ─ ┤
    │          副局长               │  ← lower half, upright
    │           张三                │
    └───────────────────────────────┘

A face is an optional title line (a post, a body) above a large name that shrinks to fit the
width. Two-character names get a full-width space between their characters by default, as
table cards customarily print them ([practice]; `space_two_character_names=False` turns it
off). Input: `TableCard` (nothing domain-specific); the CJK font from `luoshi.documents.pdf`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from luoshi.documents import pdf

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)
FULL_WIDTH_SPACE = "\u3000"


@dataclass(frozen=True)
class TableCard:
    """One card: `name` printed large, `title` an optional smaller line above it."""

    name: str
    title: str = ""


def card_name(name: str, *, space_two_character_names: bool = True) -> str:
    """The name as the card prints it: 张三 → 张　三 (a full-width space) by default."""
    name = name.strip()
    if space_two_character_names and len(name) == 2 and all(ord(c) > 0x2E80 for c in name):
        return name[0] + FULL_WIDTH_SPACE + name[1]
    return name


def _fit(text: str, font: str, width: float, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, font, size) if text else 0
    return size if natural <= width else size * width / natural


def _face(c: Any, font: str, card: TableCard, w: float, h: float, spaced: bool) -> None:
    """One face in the box (0, 0)–(w, h): the title line above, the name large below."""
    name = card_name(card.name, space_two_character_names=spaced)
    inner = w * 0.86
    if card.title:
        title_size = _fit(card.title, font, inner, min(h * 0.16, 30))
        name_size = _fit(name, font, inner, h * 0.5)
        c.setFont(font, title_size)
        c.drawCentredString(w / 2, h * 0.72, card.title)
        c.setFont(font, name_size)
        c.drawCentredString(w / 2, h * 0.14, name)
    else:
        name_size = _fit(name, font, inner, h * 0.58)
        c.setFont(font, name_size)
        c.drawCentredString(w / 2, (h - name_size * 0.86) / 2, name)


def write_table_cards(
    cards: Iterable[TableCard],
    target: IO[bytes],
    *,
    font: pdf.PdfFont | None = None,
    pagesize: tuple[float, float] = A4_LANDSCAPE,
    space_two_character_names: bool = True,
    title: str = "桌签",
) -> int:
    """Write the cards, one sheet each, to `target`; returns the number of sheets."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    font = font or pdf.cjk_font()
    w, h = pagesize
    half = h / 2
    c = Canvas(target, pagesize=pagesize, pageCompression=1)
    c.setTitle(title)
    c.setCreator("Luoshi")
    count = 0
    for card in cards:
        # the fold line
        c.saveState()
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.3)
        c.setDash(3, 3)
        c.line(6 * MM, half, w - 6 * MM, half)
        c.restoreState()
        # the lower half, upright
        _face(c, font.name, card, w, half, space_two_character_names)
        # the upper half, turned by 180° about the sheet's centre: (x, y) → (w - x, h - y)
        c.saveState()
        c.transform(-1, 0, 0, -1, w, h)
        _face(c, font.name, card, w, half, space_two_character_names)
        c.restoreState()
        c.showPage()
        count += 1
    if not count:  # a PDF needs a page: an empty sheet says there is nothing to print
        c.showPage()
    c.save()
    return count


def table_cards_pdf(
    cards: Iterable[TableCard],
    *,
    font: pdf.PdfFont | None = None,
    pagesize: tuple[float, float] = A4_LANDSCAPE,
    space_two_character_names: bool = True,
) -> bytes:
    """The cards as the bytes of a PDF, one sheet per card (FontMissing without a CJK font)."""
    buffer = io.BytesIO()
    write_table_cards(
        cards,
        buffer,
        font=font,
        pagesize=pagesize,
        space_two_character_names=space_two_character_names,
    )
    return buffer.getvalue()
