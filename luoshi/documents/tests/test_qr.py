"""QR codes: the modules are the standard's (finder patterns, the version for the text), and the
SVG and PDF drawings cover exactly the dark modules, inside a quiet zone."""

from __future__ import annotations

import io
import re

import pytest

from luoshi.documents import qr

URL = "https://luoshi.example.org/meetings/sign-in/12/3f9a0c1d2e"


def _finder_at(modules: list[list[bool]], top: int, left: int) -> bool:
    """A 7×7 finder pattern: dark ring, light ring, dark 3×3 centre."""
    for r in range(7):
        for c in range(7):
            ring = max(abs(r - 3), abs(c - 3))
            if modules[top + r][left + c] != (ring != 2):
                return False
    return True


@pytest.mark.parametrize(
    ("text", "level", "size"), [("A", "M", 21), (URL, "M", 33), (URL, "H", 41)]
)
def test_the_modules_are_a_qr_code_of_the_right_version(text: str, level: str, size: int) -> None:
    modules = qr.qr_modules(text, level)
    assert len(modules) == size and all(len(row) == size for row in modules)
    n = size - 7
    assert _finder_at(modules, 0, 0) and _finder_at(modules, 0, n) and _finder_at(modules, n, 0)
    assert not _finder_at(modules, n, n)  # the fourth corner has none
    # the timing patterns alternate between the finders
    assert [modules[6][c] for c in range(8, n)] == [c % 2 == 0 for c in range(8, n)]


def test_the_modules_differ_with_the_text() -> None:
    assert qr.qr_modules(URL) != qr.qr_modules(URL + "x")


def test_the_svg_path_covers_exactly_the_dark_modules() -> None:
    modules = qr.qr_modules(URL)
    svg = qr.qr_svg(URL, size=200)
    n = len(modules) + 2 * qr.BORDER
    assert f'viewBox="0 0 {n} {n}"' in svg and 'width="200"' in svg
    drawn = [[False] * n for _ in range(n)]
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        for c in range(int(x), int(x) + int(length)):
            drawn[int(y)][c] = True
    expected = [[False] * n for _ in range(n)]
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            expected[r + qr.BORDER][c + qr.BORDER] = dark
    assert drawn == expected
    assert "<script" not in svg and "href" not in svg


def test_the_data_uri_is_the_svg() -> None:
    import base64

    uri = qr.qr_data_uri(URL)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == qr.qr_svg(URL)


def test_the_pdf_drawing_is_one_path_of_the_dark_runs_inside_its_square() -> None:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 200), pageCompression=0)
    qr.draw_qr(canvas, URL, 10, 20, 100)
    canvas.showPage()
    canvas.save()
    content = out.getvalue()
    rects = [
        tuple(map(float, m))
        for m in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", content)
    ]
    modules = qr.qr_modules(URL)
    assert len(rects) == sum(1 for _ in qr.dark_runs(modules))
    box = 100 / (len(modules) + 2 * qr.BORDER)
    for x, y, w, h in rects:
        assert 10 + qr.BORDER * box - 1e-3 <= x and x + w <= 110 - qr.BORDER * box + 1e-3
        assert 20 + qr.BORDER * box - 1e-3 <= y and y + h <= 120 - qr.BORDER * box + 1e-3
        assert abs(h - box) < 1e-3
    assert re.findall(rb"\n(f\*?|B\*?|S)\n", content) == [b"f*"]  # one fill, no stroke
