"""Building blocks for PDF documents with Chinese text (reportlab), with the font embedded.

A PDF is readable on any machine only if the CJK font travels inside it, so a font is found and
registered once per process and every document embeds (a subset of) it. reportlab embeds
TrueType outlines only; see docs/pdf-fonts.md for why and how the font is chosen:

1. `LUOSHI_PDF_FONT`, when set: the path of a TrueType font file (.ttf, or .ttc with
   `#<index>` after the path for a font other than the first of the collection); it wins;
2. else the first CJK font found under the font directories (`LUOSHI_PDF_FONT_DIRS`, by
   default the system's): Noto Sans CJK SC as Debian's fonts-noto-cjk ships it (OpenType/CFF),
   converted once to TrueType outlines with fontTools and kept in `LUOSHI_PDF_FONT_CACHE`
   (by default `<LUOSHI_VAR_DIR>/fonts`); then TrueType CJK fonts used as they are (WenQuanYi,
   AR PL UMing, Droid Sans Fallback, Windows and macOS fonts).

With none of them there, `FontMissing` (503) says how to get one. Nothing here knows about any
domain.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from luoshi.core.errors import ServiceUnavailable

PDF_CONTENT_TYPE = "application/pdf"

# Where fonts are looked for unless LUOSHI_PDF_FONT_DIRS says otherwise.
SYSTEM_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "C:/Windows/Fonts",
    "/System/Library/Fonts",
    "/Library/Fonts",
)

# OpenType fonts with PostScript (CFF) outlines, converted to TrueType before use:
# (file name, subfont index), in order of preference. Index 2 of Debian's collection is SC.
CFF_FONTS: tuple[tuple[str, int], ...] = (
    ("NotoSansCJK-Regular.ttc", 2),
    ("NotoSansCJKsc-Regular.otf", 0),
    ("NotoSansSC-Regular.otf", 0),
    ("SourceHanSansSC-Regular.otf", 0),
)

# CJK fonts with TrueType outlines, used as they are: (file name, subfont index).
TRUETYPE_FONTS: tuple[tuple[str, int], ...] = (
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("uming.ttc", 0),
    ("DroidSansFallbackFull.ttf", 0),
    ("NotoSansSC-Regular.ttf", 0),
    ("NotoSansCJKsc-Regular.ttf", 0),
    ("simhei.ttf", 0),
    ("msyh.ttc", 0),
    ("STHeiti Light.ttc", 0),
)

# Bump when the conversion changes, so that fonts converted before are made again.
CONVERTER_VERSION = "1"

INSTALL_HINT = _(
    "No Chinese font for PDFs was found. Install Noto CJK (on Debian or Ubuntu: "
    "apt-get install fonts-noto-cjk) or set LUOSHI_PDF_FONT to the path of a TrueType "
    "(.ttf or .ttc) Chinese font."
)


class FontMissing(ServiceUnavailable):
    """No usable CJK font: the server lacks something an administrator can install."""

    code = "pdf_font_missing"
    default_message = INSTALL_HINT


@dataclass(frozen=True)
class PdfFont:
    """A registered reportlab font: `name` to use in styles, `face` as embedded in the PDF.

    `path` is the TrueType file reportlab reads; `source` the font it was made from (the same
    path unless it was converted from CFF outlines).
    """

    name: str
    path: str
    subfont_index: int
    face: str
    source: str = ""


_lock = threading.Lock()
_registered: dict[tuple[str, int], PdfFont] = {}


def _configured() -> list[tuple[str, int]]:
    value = str(settings.LUOSHI_PDF_FONT or "").strip()
    if not value:
        return []
    path, _sep, index = value.partition("#")
    return [(path, int(index) if index.isdigit() else 0)]


def font_dirs() -> list[Path]:
    """The directories searched for fonts (LUOSHI_PDF_FONT_DIRS, else the system's)."""
    value = settings.LUOSHI_PDF_FONT_DIRS
    dirs: Sequence[str]
    if value == "":
        dirs = SYSTEM_FONT_DIRS
    elif isinstance(value, str):
        dirs = [part for part in value.split(os.pathsep) if part.strip()]
    else:
        dirs = value
    return [Path(str(d)).expanduser() for d in dirs]


def cache_dir() -> Path:
    """Where fonts converted to TrueType are kept (LUOSHI_PDF_FONT_CACHE)."""
    return Path(str(settings.LUOSHI_PDF_FONT_CACHE)).expanduser()


def _find(dirs: Iterable[Path], names: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The paths of the fonts `names` under `dirs` (any depth), in the order of `names`."""
    wanted = {name.lower(): (name, index) for name, index in names}
    found: dict[str, str] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for root, _dirs, files in os.walk(d, followlinks=True):  # font dirs are often links
            for file in files:
                key = file.lower()
                if key in wanted and key not in found:
                    found[key] = os.path.join(root, file)
    return [(found[n.lower()], i) for n, i in names if n.lower() in found]


def _register(path: str, index: int, source: str = "") -> PdfFont:
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
        source=source or path,
    )
    _registered[key] = found
    return found


def converted_path(source: str, index: int) -> Path:
    """Where the TrueType conversion of the CFF font `source`#`index` is kept."""
    stat = os.stat(source)
    key = f"{CONVERTER_VERSION}|{os.path.abspath(source)}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"{Path(source).stem}-{index}-{digest}.ttf"


def convert_to_truetype(source: str, index: int, dest: Path) -> None:
    """Write to `dest` a TrueType font with the outlines of the CFF font `source`#`index`.

    Every glyph that the font's character map reaches is kept (for Noto Sans CJK SC some
    44,000: Simplified and Traditional Chinese, kana, Hangul, Latin), its cubic curves turned
    into quadratic ones within 1/1000 em; metrics, names and the embedding permission (OS/2
    fsType) are copied. The file is written beside `dest` and renamed, so that processes that
    convert at the same time never read half a font.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as OpenTypeFont

    src = OpenTypeFont(source, fontNumber=index, lazy=True)
    if "CFF " not in src:
        raise ValueError(f"{source}: no CFF outlines to convert")
    cmap = src.getBestCmap()
    order = src.getGlyphOrder()
    position = {name: i for i, name in enumerate(order)}
    keep = [order[0], *sorted(set(cmap.values()) - {order[0]}, key=position.__getitem__)]
    glyph_set = src.getGlyphSet()
    glyphs = {}
    for name in keep:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    builder = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(keep)
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(glyphs)
    glyf = builder.font["glyf"]
    hmtx = src["hmtx"]
    builder.setupHorizontalMetrics({n: (hmtx[n][0], getattr(glyf[n], "xMin", 0)) for n in keep})
    hhea = src["hhea"]
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    builder.font["name"] = src["name"]
    builder.font["OS/2"] = src["OS/2"]
    post = src["post"]
    builder.setupPost(
        keepGlyphNames=False,
        italicAngle=post.italicAngle,
        underlinePosition=post.underlinePosition,
        underlineThickness=post.underlineThickness,
        isFixedPitch=post.isFixedPitch,
    )
    head = builder.font["head"]
    head.fontRevision = src["head"].fontRevision
    head.macStyle = src["head"].macStyle
    builder.setupMaxp()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            builder.save(out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _from_cff(source: str, index: int) -> PdfFont:
    dest = converted_path(source, index)
    if not dest.is_file():
        convert_to_truetype(source, index, dest)
    return _register(str(dest), 0, source=source)


def cjk_font(candidates: Sequence[tuple[str, int]] | None = None) -> PdfFont:
    """The CJK font for PDFs, registered with reportlab (FontMissing when there is none).

    `candidates`, when given, are TrueType font paths tried instead of the configured font and
    the font directories. A configured font that cannot be loaded is an error of its own (the
    setting is wrong), not a reason to fall back silently to another font.
    """
    configured = _configured()
    if candidates is None and configured:
        path, index = configured[0]
        with _lock:
            try:
                return _register(path, index)
            except Exception as exc:
                raise FontMissing(
                    _("LUOSHI_PDF_FONT (%(path)s) cannot be used: %(reason)s")
                    % {"path": path, "reason": exc}
                ) from exc
    problems: list[str] = []
    with _lock:
        if candidates is None:
            dirs = font_dirs()
            for path, index in _find(dirs, CFF_FONTS):
                try:
                    return _from_cff(path, index)
                except Exception as exc:
                    problems.append(f"{path}: {exc}")
            truetype = _find(dirs, TRUETYPE_FONTS)
        else:
            truetype = [(p, i) for p, i in candidates if Path(p).is_file()]
        for path, index in truetype:
            try:
                return _register(path, index)
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
