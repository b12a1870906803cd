"""The seat chart of a meeting (座次图) as a PDF: A3 landscape, one page.

The chart is drawn **as seen from the hall**: "主席台" and its rows at the top, the hall below
with its front row nearest the presidium; the left of the page is the left of someone sitting
in the hall and facing the presidium (which is the presidium's right). Positions and seat
numbers in the input count from that left, as `luoshi.meetings.seating` reports them:

    ┌──────────────────────────── A3 landscape ───────────────────────────┐
    │                     title · subtitle (date, venue)                  │
    │                       主席台（从会场看）                             │
    │                 [back row of the presidium, if any]                 │
    │           [pos 1][pos 2] … front row of the presidium … [pos n]     │
    │      seat 1  2  3  4   ┆ 5 … aisle …                     seat n     │
    │ 1排  [  ][  ][  ][  ]  ┆ [  ][  ] …                        [  ]  1排 │
    │ 2排  …                                                          2排 │
    │  zones: tinted and outlined, listed in the legend at the bottom     │
    └─────────────────────────────────────────────────────────────────────┘

Input: `SeatChart` (small frozen dataclasses, nothing domain-specific). Names shrink to fit
their cell. The CJK font comes from `luoshi.documents.pdf` (`FontMissing` when there is none).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from luoshi.documents import pdf

MM = 72 / 25.4
A3_LANDSCAPE = (420 * MM, 297 * MM)
PRESIDIUM_LABEL = "主席台"
VIEW_LABEL = "（从会场看）"

# Zone tints, in turn (light enough to print names over).
ZONE_COLOURS = ("#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#e0e7ff", "#ccfbf1", "#fee2e2")


@dataclass(frozen=True)
class ChartSeat:
    """A named seat. `row`: 1 = the front row (of the presidium, or of the hall); `position`:
    counted from the left as seen from the hall (the hall's seat number, aisles not
    counted); `note`: an optional second, smaller line (a unit, a title)."""

    row: int
    position: int
    name: str
    note: str = ""


@dataclass(frozen=True)
class ChartZone:
    """A zone of the hall outlined and labelled on the chart: rows `first_row`–`last_row`,
    seats `first_seat`–`last_seat` (inclusive, from the hall's left). A zone that is not a
    rectangle is given as several `ChartZone`s with the same label (one legend entry)."""

    label: str
    first_row: int
    last_row: int
    first_seat: int
    last_seat: int


@dataclass(frozen=True)
class SeatChart:
    """The chart: the hall's grid (`hall_rows` rows; `hall_blocks` seats per block from the
    hall's left, an aisle between blocks), the named seats of the presidium and of the hall,
    the zones. The presidium's rows are as long as their seats (`presidium_seats` per row,
    front row first, if empty: the highest position of each row)."""

    title: str
    hall_rows: int
    hall_blocks: tuple[int, ...]
    presidium: tuple[ChartSeat, ...] = ()
    hall: tuple[ChartSeat, ...] = ()
    zones: tuple[ChartZone, ...] = ()
    subtitle: str = ""
    presidium_seats: tuple[int, ...] = ()
    footer: str = ""
    presidium_label: str = PRESIDIUM_LABEL
    view_label: str = VIEW_LABEL


def _fit(text: str, font: str, width: float, size: float, minimum: float = 3.0) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if not text:
        return size
    natural = stringWidth(text, font, size)
    if natural <= width:
        return size
    return max(minimum, size * width / natural)


class _Painter:
    def __init__(self, canvas: Any, font: str) -> None:
        self.c = canvas
        self.font = font

    def text(self, x: float, y: float, text: str, size: float, *, align: str = "center") -> None:
        self.c.setFont(self.font, size)
        if align == "center":
            self.c.drawCentredString(x, y, text)
        elif align == "right":
            self.c.drawRightString(x, y, text)
        else:
            self.c.drawString(x, y, text)

    def seat(
        self, x: float, y: float, w: float, h: float, seat: ChartSeat | None, *, bold: bool
    ) -> None:
        """A seat box with its lower-left corner at (x, y), its name (and note) centred."""
        c = self.c
        c.setLineWidth(0.9 if bold else 0.4)
        c.rect(x, y, w, h, stroke=1, fill=0)
        if seat is None or not (seat.name or seat.note):
            return
        inner = w * 0.9
        if seat.note:
            name_size = _fit(seat.name, self.font, inner, min(h * 0.42, 16))
            note_size = _fit(seat.note, self.font, inner, min(h * 0.25, 9), minimum=2.5)
            self.text(x + w / 2, y + h * 0.48, seat.name, name_size)
            self.text(x + w / 2, y + h * 0.14, seat.note, note_size)
        else:
            name_size = _fit(seat.name, self.font, inner, min(h * 0.5, 18))
            self.text(x + w / 2, y + (h - name_size * 0.8) / 2, seat.name, name_size)


def _check(chart: SeatChart) -> None:
    if chart.hall_rows < 0 or any(b < 1 for b in chart.hall_blocks):
        raise ValueError("a hall needs rows and blocks of at least one seat")
    width = sum(chart.hall_blocks)
    for seat in chart.hall:
        if not (1 <= seat.row <= chart.hall_rows and 1 <= seat.position <= width):
            raise ValueError(f"seat {seat.row}-{seat.position} lies outside the hall")


def _presidium_rows(chart: SeatChart) -> list[int]:
    """The number of seats of each presidium row, front row first."""
    if chart.presidium_seats:
        return list(chart.presidium_seats)
    rows = max((s.row for s in chart.presidium), default=0)
    return [max((s.position for s in chart.presidium if s.row == r), default=0) for r in
            range(1, rows + 1)]  # fmt: skip


def draw_seat_chart(canvas: Any, chart: SeatChart, font: pdf.PdfFont) -> None:
    """Draw `chart` on the current page of a reportlab canvas of A3 landscape."""
    from reportlab.lib import colors

    _check(chart)
    page_w, page_h = A3_LANDSCAPE
    margin = 12 * MM
    p = _Painter(canvas, font.name)
    c = canvas
    top = page_h - margin
    # the title block
    p.text(page_w / 2, top - 20, chart.title, _fit(chart.title, font.name, page_w - 2 * margin, 20))
    top -= 26
    if chart.subtitle:
        p.text(page_w / 2, top - 12, chart.subtitle, 11)
        top -= 18
    label = chart.presidium_label
    label_size = 16
    p.text(page_w / 2, top - label_size, label, label_size)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    half = stringWidth(label, font.name, label_size) / 2
    p.text(page_w / 2 + half + 2, top - label_size, chart.view_label, 10, align="left")
    top -= label_size + 8

    # the presidium: back rows on top, the front row nearest the hall
    rows = _presidium_rows(chart)
    box_w_max = 30 * MM
    box_h = 13 * MM
    usable = page_w - 2 * margin - 24 * MM
    by_row = {(s.row, s.position): s for s in chart.presidium}
    for row in range(len(rows), 0, -1):
        count = rows[row - 1]
        if not count:
            continue
        box_w = min(box_w_max, usable / count)
        x0 = (page_w - box_w * count) / 2
        y = top - box_h
        for position in range(1, count + 1):
            p.seat(x0 + (position - 1) * box_w, y, box_w, box_h, by_row.get((row, position)),
                   bold=True)  # fmt: skip
        top = y - 3 * MM
    top -= 6 * MM

    # the hall
    legend_h = 10 * MM + (7 * MM if chart.footer else 0)
    bottom = margin + legend_h
    if not chart.hall_rows or not chart.hall_blocks:
        _legend(p, chart, margin, page_w)
        return
    label_w = 11 * MM
    aisle_units = 0.6
    seats_per_row = sum(chart.hall_blocks)
    units = seats_per_row + aisle_units * (len(chart.hall_blocks) - 1)
    cell_w = min(30 * MM, (page_w - 2 * margin - 2 * label_w) / units)
    number_h = 5 * MM
    cell_h = min(14 * MM, (top - bottom - number_h) / chart.hall_rows)
    grid_w = cell_w * units
    x_left = (page_w - grid_w) / 2
    xs: list[float] = []  # the left edge of each seat number (1-based: xs[n - 1])
    x = x_left
    for index, block in enumerate(chart.hall_blocks):
        if index:
            x += cell_w * aisle_units
        for _ in range(block):
            xs.append(x)
            x += cell_w
    y_top = top - number_h  # the top edge of the front row

    def row_y(row: int) -> float:
        return y_top - row * cell_h

    # zones first, under the seats
    colour_of: dict[str, str] = {}
    for zone in chart.zones:
        colour = colour_of.setdefault(zone.label, ZONE_COLOURS[len(colour_of) % len(ZONE_COLOURS)])
        first, last = max(1, zone.first_row), min(chart.hall_rows, zone.last_row)
        left, right = max(1, zone.first_seat), min(seats_per_row, zone.last_seat)
        if first > last or left > right:
            continue
        zx, zy = xs[left - 1], row_y(last)
        zw, zh = xs[right - 1] + cell_w - zx, row_y(first - 1) - zy
        c.setFillColor(colors.HexColor(colour))
        c.setStrokeColor(colors.HexColor("#555555"))
        c.setLineWidth(1.2)
        c.rect(zx, zy, zw, zh, stroke=1, fill=1)
    c.setFillColor(colors.black)
    c.setStrokeColor(colors.black)

    number_size = min(8.0, cell_w * 0.45)
    for n, x in enumerate(xs, start=1):
        p.text(x + cell_w / 2, y_top + 1.5 * MM, str(n), number_size)
    by_seat = {(s.row, s.position): s for s in chart.hall}
    row_size = min(9.0, cell_h * 0.5)
    for row in range(1, chart.hall_rows + 1):
        y = row_y(row)
        row_label = f"{row}排"
        p.text(x_left - 2 * MM, y + (cell_h - row_size) / 2, row_label, row_size, align="right")
        p.text(x_left + grid_w + 2 * MM, y + (cell_h - row_size) / 2, row_label, row_size,
               align="left")  # fmt: skip
        for n, x in enumerate(xs, start=1):
            p.seat(x, y, cell_w, cell_h, by_seat.get((row, n)), bold=False)
    _legend(p, chart, margin, page_w, colour_of)


def _legend(
    p: _Painter,
    chart: SeatChart,
    margin: float,
    page_w: float,
    colours: dict[str, str] | None = None,
) -> None:
    from reportlab.lib import colors

    c = p.c
    x = margin
    y = margin + (7 * MM if chart.footer else 0)
    size = 9
    if colours:
        p.text(x, y + 2, "分区：", size, align="left")
        x += 10 * MM
        extents: dict[str, list[str]] = {}
        for zone in chart.zones:
            extents.setdefault(zone.label, []).append(
                f"{zone.first_row}–{zone.last_row}排{zone.first_seat}–{zone.last_seat}号"
            )
        from reportlab.pdfbase.pdfmetrics import stringWidth

        for label, colour in colours.items():
            text = f"{label}（{'，'.join(extents[label])}）"
            width = stringWidth(text, p.font, size)
            if x + 6 * MM + width > page_w - margin:
                break  # the chart shows every zone; the legend what fits on one line
            c.setFillColor(colors.HexColor(colour))
            c.rect(x, y, 4 * MM, 4 * MM, stroke=1, fill=1)
            c.setFillColor(colors.black)
            p.text(x + 5 * MM, y + 2, text, size, align="left")
            x += 5 * MM + width + 6 * MM
    if chart.footer:
        p.text(margin, margin, chart.footer, size, align="left")


def seat_chart_pdf(chart: SeatChart, *, font: pdf.PdfFont | None = None) -> bytes:
    """The seat chart as the bytes of a one-page A3 landscape PDF (FontMissing without a
    CJK font)."""
    from reportlab.pdfgen.canvas import Canvas

    font = font or pdf.cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A3_LANDSCAPE, pageCompression=1)
    canvas.setTitle(chart.title)
    canvas.setCreator("Luoshi")
    draw_seat_chart(canvas, chart, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def hall_zone_extents(
    zone_seats: Sequence[tuple[str, int, int]],
) -> list[ChartZone]:
    """Chart zones from seats: (label, row, seat number) triples → one rectangle per label and
    row run (each row's seats from the first to the last of that label in the row, rows with
    the same span merged). A helper for callers that know each seat's zone."""
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    order: list[str] = []
    for label, row, number in zone_seats:
        if label not in order:
            order.append(label)
        lo, hi = spans.get((label, row), (number, number))
        spans[(label, row)] = (min(lo, number), max(hi, number))
    result: list[ChartZone] = []
    for label in order:
        rows = sorted(r for (lab, r) in spans if lab == label)
        current: ChartZone | None = None
        for row in rows:
            lo, hi = spans[(label, row)]
            if (
                current is not None
                and current.last_row == row - 1
                and (current.first_seat, current.last_seat) == (lo, hi)
            ):
                current = ChartZone(label, current.first_row, row, lo, hi)
                result[-1] = current
            else:
                current = ChartZone(label, row, row, lo, hi)
                result.append(current)
    return result
