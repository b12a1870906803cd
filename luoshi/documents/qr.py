"""QR codes drawn on the server: the modules encoded once by reportlab's encoder, then written
as one SVG path (web pages: the meeting door's sign-in code, two-factor enrolment) or one PDF
path (certificates' verification codes). No script, no image library, nothing fetched.

Why not reportlab's QrCodeWidget, which the first versions used: it encodes the text twice
(once for its bounds, once to draw) and makes a shape object for every run of dark modules;
300 certificates took 10.5 s, nine tenths of it in the widget (bench/meeting_docs.py
`certificates_300_design`). Encoding once and drawing one path per code does the same work in
a fraction of that (docs/benchmarks.md).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

BORDER = 4  # modules of white quiet zone around the code, as the standard asks


def qr_modules(text: str, level: str = "M") -> list[list[bool]]:
    """The code's modules, row by row from the top (True: dark), without the quiet zone.

    `level` is the error-correction level (L, M, Q, H); the smallest version that holds
    `text` at that level is chosen."""
    # reportlab's encoder loads on first use: only the requests that draw a code pay for it
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


def dark_runs(modules: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    for r, row in enumerate(modules):
        c, width = 0, len(row)
        while c < width:
            if row[c]:
                start = c
                while c < width and row[c]:
                    c += 1
                yield r, start, c - start
            else:
                c += 1


def qr_svg(text: str, size: int = 240, level: str = "M") -> str:
    """A QR code of `text` as an SVG document (a string), `size` pixels square, with its white
    quiet zone (so the code reads on a dark page too)."""
    modules = qr_modules(text, level)
    n = len(modules) + 2 * BORDER
    path = "".join(
        f"M{c + BORDER} {r + BORDER}h{length}v1h-{length}z" for r, c, length in dark_runs(modules)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def qr_data_uri(text: str, size: int = 240, level: str = "M") -> str:
    """The same SVG as a `data:` URI for an `<img src>` (the CSP allows `img-src data:`)."""
    encoded = base64.b64encode(qr_svg(text, size, level).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def draw_qr(canvas: Any, text: str, x: float, y: float, size: float, level: str = "M") -> None:
    """Draw a QR code of `text` on a reportlab canvas, `size` points square with its quiet
    zone, its lower left corner at (x, y): one filled path."""
    modules = qr_modules(text, level)
    box = size / (len(modules) + 2 * BORDER)
    path = canvas.beginPath()
    for r, c, length in dark_runs(modules):
        path.rect(x + (c + BORDER) * box, y + size - (r + BORDER + 1) * box, length * box, box)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
