"""QR codes drawn on the server as SVG (reportlab's QrCodeWidget): no script, no image library,
nothing fetched from elsewhere. Used by the two-factor enrolment page (luoshi.orgs.twofactor)."""

from __future__ import annotations

import base64


def qr_svg(text: str, size: int = 240, level: str = "M") -> str:
    """A QR code of `text` as an SVG document (a string), `size` points square.

    `level` is the error-correction level (L, M, Q, H). The drawing has a white quiet zone, so
    the code reads on a dark page too."""
    # reportlab's graphics load on first use: only the pages that draw a code pay for them
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(text, barLevel=level)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg: str = renderSVG.drawToString(drawing)
    return svg


def qr_data_uri(text: str, size: int = 240, level: str = "M") -> str:
    """The same SVG as a `data:` URI for an `<img src>` (the CSP allows `img-src data:`)."""
    encoded = base64.b64encode(qr_svg(text, size, level).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
