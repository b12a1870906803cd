"""Reading PDFs back in tests with pypdf: text runs with their positions and transforms,
the content stream's operators, bookmarks."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader


@dataclass(frozen=True)
class Run:
    """A text run as drawn: its text, the current transform (cm) and the text matrix (tm)."""

    text: str
    cm: tuple[float, ...]
    tm: tuple[float, ...]

    @property
    def x(self) -> float:
        """The page x of the run's origin (cm applied to tm's translation)."""
        cm, tm = self.cm, self.tm
        return cm[0] * tm[4] + cm[2] * tm[5] + cm[4]

    @property
    def y(self) -> float:
        cm, tm = self.cm, self.tm
        return cm[1] * tm[4] + cm[3] * tm[5] + cm[5]

    @property
    def upside_down(self) -> bool:
        return self.cm[0] < 0 and self.cm[3] < 0


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def runs(data: bytes, page: int = 0) -> list[Run]:
    found: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append(Run(text.strip(), tuple(cm), tuple(tm)))

    reader(data).pages[page].extract_text(visitor_text=visit)
    return found


def run_of(data: bytes, text: str, page: int = 0) -> Run:
    (match,) = [r for r in runs(data, page) if r.text == text]
    return match


def page_text(data: bytes, page: int = 0) -> str:
    return reader(data).pages[page].extract_text()


def size_mm(data: bytes, page: int = 0) -> tuple[int, int]:
    box = reader(data).pages[page].mediabox
    return round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)


def content(data: bytes, page: int = 0) -> str:
    """The page's content stream, decoded as Latin-1 (operators and operands)."""
    stream = reader(data).pages[page].get_contents()
    assert stream is not None
    return stream.get_data().decode("latin-1")
