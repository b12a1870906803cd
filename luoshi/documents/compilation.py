"""A materials compilation (材料汇编) as one PDF: cover, contents, parts, bookmarks, page numbers.

Input: a `Compilation` (title, subtitle, version) and the parts as any iterable of
`CompilationPart` — a generator that loads one part at a time keeps memory flat in the number
of parts. Each part is its title, its sections (heading and text) and optionally existing PDF
files (`CompilationAttachment`) appended after its text (a speech as submitted, a scanned
list).

The output, in order:
- the cover (title, subtitle, version), unnumbered;
- the contents (目录): every part, and under it its sections and attachments, with dot leaders
  and the page number where each begins; unnumbered;
- the parts, each from a new page, numbered from 1 at the foot ("— 1 —"), the appended PDFs
  numbered in the same run (stamped onto their pages);
- the PDF outline (bookmarks): 目录, then one entry per part with its sections and
  attachments under it.

How it is made, and what it costs: the parts' text is laid out by reportlab into one
temporary PDF in a single pass (one embedded font subset for the whole compilation), one
part's flowables at a time: the next part is taken from the iterable only when the previous
one is laid out. The page numbers of the text pages skip the pages of the attachments before
them (their page counts are read when a part is reached), so the contents can be drawn last
with the final numbers. Then pypdf puts cover, contents, text pages and attachments together,
adds the outline and writes `target`. What grows with the size of the compilation is the
page content (reportlab keeps a document's pages until it saves it, pypdf the pages it
writes), not the parts' text or their number; `bench/meeting_docs.py` measures it.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from luoshi.core.errors import InvalidInput
from luoshi.documents import pdf

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
DASH = "—"
CONTENTS_TITLE = "目　录"


class CompilationError(InvalidInput):
    code = "compilation_invalid"


@dataclass(frozen=True)
class CompilationSection:
    """A section of a part: `heading` (may be empty) and `text` (paragraphs separated by line
    breaks; blank lines are dropped)."""

    heading: str
    text: str = ""


@dataclass(frozen=True)
class CompilationAttachment:
    """An existing PDF appended to a part: `title` for the contents and the outline, `path`
    of the file."""

    title: str
    path: str | Path


@dataclass(frozen=True)
class CompilationPart:
    """A part: its `title` (and `subtitle`, e.g. the unit or the speaker), `sections`, and
    `attachments` appended after its text."""

    title: str
    sections: tuple[CompilationSection, ...] = ()
    attachments: tuple[CompilationAttachment, ...] = ()
    subtitle: str = ""


@dataclass(frozen=True)
class Compilation:
    """The compilation's cover: `title`, `subtitle` (e.g. the meeting and its date),
    `version` (e.g. 第2版 · 2026-12-20 定稿). `cover=False` leaves the cover out."""

    title: str
    subtitle: str = ""
    version: str = ""
    cover: bool = True
    contents_title: str = CONTENTS_TITLE


@dataclass(frozen=True)
class Entry:
    """A line of the contents and an outline item: `level` 0 for a part, 1 for a section or
    an attachment; `page` the printed page number."""

    level: int
    title: str
    page: int


@dataclass(frozen=True)
class PartPages:
    """Where a part lies: printed page numbers, first and last (attachments included)."""

    title: str
    first_page: int
    last_page: int


@dataclass(frozen=True)
class CompilationResult:
    """What was written: `pages` in all (cover and contents included), `numbered_pages` (the
    parts'), `front_pages` (cover and contents), the parts' pages and the contents' entries."""

    pages: int
    numbered_pages: int
    front_pages: int
    parts: tuple[PartPages, ...]
    entries: tuple[Entry, ...] = field(default=())


# --- the text of the parts --------------------------------------------------------------------


@dataclass
class _Attachment:
    title: str
    path: str
    pages: int


@dataclass
class _Part:
    title: str
    attachments: list[_Attachment]
    offset: int  # attachment pages before this part: printed number = body page + offset
    first_body_page: int = 0
    last_body_page: int = 0
    sections: list[tuple[str, int]] = field(default_factory=list)  # (heading, body page)


def _pdf_pages(path: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CompilationError(
                _("An attached PDF is protected by a password: %(name)s")
                % {"name": os.path.basename(path)},
                code="compilation_encrypted",
            )
        return len(reader.pages)
    except CompilationError:
        raise
    except (OSError, PdfReadError, ValueError) as exc:
        raise CompilationError(
            _("An attached PDF cannot be read: %(name)s") % {"name": os.path.basename(path)},
            code="compilation_attachment",
        ) from exc


def _paragraphs(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if line.strip():
            yield line.strip()


def _write_body(
    parts: Iterable[CompilationPart], body_path: str, font: pdf.PdfFont, compilation: Compilation
) -> list[_Part]:
    """Lay out the parts' text into `body_path`, one part at a time; returns where each lies."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Spacer
    from reportlab.platypus.flowables import Flowable

    class Marker(Flowable):
        """A flowable of no size that calls back with the page it lands on."""

        def __init__(self, callback: Callable[[int], None]) -> None:
            super().__init__()
            self.callback = callback

        def wrap(self, *_: Any) -> tuple[float, float]:
            return (0, 0)

        def draw(self) -> None:
            self.callback(self.canv.getPageNumber())

    size = 12.0
    body = ParagraphStyle(
        "body",
        fontName=font.name,
        fontSize=size,
        leading=size * 1.75,
        wordWrap="CJK",
        firstLineIndent=size * 2,
    )
    title = ParagraphStyle(
        "title",
        fontName=font.name,
        fontSize=18,
        leading=28,
        alignment=TA_CENTER,
        wordWrap="CJK",
        spaceAfter=6,
    )
    subtitle = ParagraphStyle(
        "subtitle", parent=title, fontSize=12, leading=20, spaceAfter=12, spaceBefore=0
    )
    heading = ParagraphStyle(
        "heading",
        fontName=font.name,
        fontSize=14,
        leading=22,
        wordWrap="CJK",
        spaceBefore=10,
        spaceAfter=4,
    )
    done: list[_Part] = []
    current: list[_Part | None] = [None]
    source = iter(parts)
    attachment_pages = [0]
    expanded = [0]

    def page_end(canvas: Any, doc: Any) -> None:
        part = current[0]
        number = doc.page + (part.offset if part else 0)
        canvas.saveState()
        canvas.setFont(font.name, 11)
        canvas.drawCentredString(A4[0] / 2, 14 * MM, f"{DASH} {number} {DASH}")
        canvas.restoreState()

    def expand(part: CompilationPart) -> list[Any]:
        state = _Part(
            title=part.title,
            attachments=[
                _Attachment(a.title, str(a.path), _pdf_pages(str(a.path))) for a in part.attachments
            ],
            offset=attachment_pages[0],
        )
        attachment_pages[0] += sum(a.pages for a in state.attachments)

        def begins(page: int) -> None:
            current[0] = state
            state.first_body_page = page

        def ends(page: int) -> None:
            state.last_body_page = page
            done.append(state)

        flowables: list[Any] = [PageBreak()] if expanded[0] else []
        expanded[0] += 1
        flowables += [Marker(begins), pdf.paragraph(part.title, title)]
        if part.subtitle:
            flowables.append(pdf.paragraph(part.subtitle, subtitle))
        else:
            flowables.append(Spacer(1, 8))
        for section in part.sections:
            if section.heading:

                def section_at(page: int, heading_text: str = section.heading) -> None:
                    state.sections.append((heading_text, page))

                flowables += [Marker(section_at), pdf.paragraph(section.heading, heading)]
            flowables += [pdf.paragraph(text, body) for text in _paragraphs(section.text)]
        flowables.append(Marker(ends))
        return flowables

    class Feeder:
        """Stands at the end of the story: replaced by the next part when reached."""

    class Doc(BaseDocTemplate):
        def handle_flowable(self, flowables: list[Any]) -> None:
            if isinstance(flowables[0], Feeder):
                part = next(source, None)
                if part is None:
                    del flowables[0]
                else:
                    flowables[0:1] = [*expand(part), flowables[0]]
                return
            super().handle_flowable(flowables)

    doc = Doc(
        body_path,
        pagesize=A4,
        title=compilation.title,
        creator="Luoshi",
        pageCompression=1,
    )
    frame = Frame(25 * MM, 25 * MM, A4[0] - 50 * MM, A4[1] - 50 * MM, id="text")
    doc.addPageTemplates([PageTemplate(id="text", frames=[frame], onPageEnd=page_end)])
    story: list[Any] = [Feeder()]
    doc.build(story)
    return done


# --- cover and contents -------------------------------------------------------------------------


def _fit_line(text: str, font: str, size: float, width: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _write_front(
    target: Any, compilation: Compilation, entries: list[Entry], font: pdf.PdfFont
) -> int:
    """Cover and contents on a canvas; returns the number of pages."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    w, h = A4
    c = Canvas(target, pagesize=A4, pageCompression=1)
    pages = 0
    if compilation.cover:
        c.setFont(font.name, 26)
        c.drawCentredString(
            w / 2, h * 0.62, _fit_line(compilation.title, font.name, 26, w - 40 * MM)
        )
        if compilation.subtitle:
            c.setFont(font.name, 16)
            c.drawCentredString(w / 2, h * 0.62 - 20 * MM, compilation.subtitle)
        if compilation.version:
            c.setFont(font.name, 12)
            c.drawCentredString(w / 2, h * 0.25, compilation.version)
        c.showPage()
        pages += 1
    left, right = 25 * MM, w - 25 * MM
    top, bottom = h - 30 * MM, 25 * MM

    def new_page() -> float:
        c.setFont(font.name, 20)
        c.drawCentredString(w / 2, h - 25 * MM, compilation.contents_title)
        return top - 12 * MM

    y = new_page()
    for entry in entries:
        size = 13.0 if entry.level == 0 else 11.5
        step = size * 2.0
        if y - step < bottom:
            c.showPage()
            pages += 1
            y = new_page()
        y -= step
        indent = left + entry.level * 2 * size
        number = str(entry.page)
        number_w = stringWidth(number, font.name, size)
        text = _fit_line(entry.title, font.name, size, right - indent - number_w - 8 * size)
        c.setFont(font.name, size)
        c.drawString(indent, y, text)
        start = indent + stringWidth(text, font.name, size) + size * 0.5
        end = right - number_w - size * 0.5
        dot = stringWidth("·", font.name, size)
        if end > start and dot:  # the leader
            c.drawString(start, y, "·" * int((end - start) / dot))
        c.drawRightString(right, y, number)
    c.showPage()
    c.save()
    return pages + 1


# --- putting it together ------------------------------------------------------------------------


def _open_pdf(path: str) -> Any:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")  # checked by _pdf_pages: opens without a password
    return reader


def _write_stamps(path: str, parts: list[_Part], font: pdf.PdfFont) -> None:
    """Page-number stamps for every appended page, in order: one page each, of that page's
    size (as displayed: a rotated page's rotation is turned into its content first)."""
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(path, pageCompression=1)
    for part in parts:
        number = part.last_body_page + part.offset
        for attachment in part.attachments:
            for page in _open_pdf(attachment.path).pages:
                number += 1
                width, height = float(page.mediabox.width), float(page.mediabox.height)
                if page.rotation % 180:
                    width, height = height, width
                c.setPageSize((width, height))
                c.setFont(font.name, 11)
                c.drawCentredString(width / 2, 14 * MM, f"{DASH} {number} {DASH}")
                c.showPage()
    c.showPage()  # a document needs a page even when nothing is appended
    c.save()


def write_compilation(
    compilation: Compilation,
    parts: Iterable[CompilationPart],
    target: IO[bytes] | str | Path,
    *,
    font: pdf.PdfFont | None = None,
) -> CompilationResult:
    """Write the compilation of `parts` to `target` (a path or a binary file).

    FontMissing without a CJK font; CompilationError when an attached PDF cannot be read (or
    is protected by a password). Nothing is written to `target` before every part is laid out.
    """
    from pypdf import PdfReader, PdfWriter, Transformation

    font = font or pdf.cjk_font()
    with tempfile.TemporaryDirectory(prefix="luoshi-compilation-") as tmp:
        body_path = os.path.join(tmp, "body.pdf")
        laid_out = _write_body(parts, body_path, font, compilation)
        gc.collect()  # reportlab's document is a web of cycles: free it before pypdf's turn
        entries: list[Entry] = []
        part_pages: list[PartPages] = []
        for part in laid_out:
            entries.append(Entry(0, part.title, part.first_body_page + part.offset))
            entries += [Entry(1, t, p + part.offset) for t, p in part.sections]
            number = part.last_body_page + part.offset
            for attachment in part.attachments:
                entries.append(Entry(1, attachment.title, number + 1))
                number += attachment.pages
            part_pages.append(PartPages(part.title, part.first_body_page + part.offset, number))
        front_path = os.path.join(tmp, "front.pdf")
        front_pages = _write_front(front_path, compilation, entries, font)

        writer = PdfWriter()
        writer.add_metadata({"/Title": compilation.title, "/Creator": "Luoshi"})
        front = PdfReader(front_path)
        for front_page in front.pages:
            writer.add_page(front_page)
        contents_index = 1 if compilation.cover else 0
        writer.add_outline_item(compilation.contents_title.replace("　", ""), contents_index)
        body = PdfReader(body_path)
        # one document of page-number stamps for every appended page (one font subset)
        stamp_path = os.path.join(tmp, "stamps.pdf")
        _write_stamps(stamp_path, laid_out, font)
        stamps = iter(PdfReader(stamp_path).pages)
        index = front_pages  # the next page's index in the output
        for part in laid_out:
            for page_number in range(part.first_body_page, part.last_body_page + 1):
                writer.add_page(body.pages[page_number - 1])
            parent = writer.add_outline_item(part.title, index)  # once its pages are there
            for heading, at in part.sections:
                writer.add_outline_item(heading, index + at - part.first_body_page, parent)
            index += part.last_body_page - part.first_body_page + 1
            for attachment in part.attachments:
                first_index = index
                for page in _open_pdf(attachment.path).pages:
                    added = writer.add_page(page)
                    if added.rotation:  # stamp the page as it is displayed
                        added.transfer_rotation_to_content()
                    box = added.mediabox
                    added.merge_transformed_page(
                        next(stamps), Transformation().translate(float(box.left), float(box.bottom))
                    )
                    index += 1
                writer.add_outline_item(attachment.title, first_index, parent)
        writer.page_mode = "/UseOutlines"
        if isinstance(target, (str, Path)):
            with open(target, "wb") as out:
                writer.write(out)
        else:
            writer.write(target)
        total = len(writer.pages)
    numbered = total - front_pages
    return CompilationResult(
        pages=total,
        numbered_pages=numbered,
        front_pages=front_pages,
        parts=tuple(part_pages),
        entries=tuple(entries),
    )
