"""The seat chart: A3 landscape, 主席台 at the top marked as seen from the hall, the presidium
left to right as seen from the hall, the hall's grid with names, rows and zones; no font is
FontMissing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.documents import pdf
from luoshi.documents.seatchart import ChartSeat, ChartZone, SeatChart, hall_zone_extents
from luoshi.documents.seatchart import seat_chart_pdf as chart_pdf

from .pdfcheck import embedded_fonts
from .pdfread import reader, run_of, runs, size_mm

PRESIDIUM = (  # five seats, as seen from the hall: 5 3 1 2 4
    ChartSeat(1, 1, "赵五"),
    ChartSeat(1, 2, "钱三"),
    ChartSeat(1, 3, "孙一"),
    ChartSeat(1, 4, "李二"),
    ChartSeat(1, 5, "周四"),
)


def _chart(**kw: Any) -> SeatChart:
    values: dict[str, Any] = {
        "title": "年度机关工作会议座次图",
        "hall_rows": 3,
        "hall_blocks": (2, 3, 2),
        "presidium": PRESIDIUM,
        "hall": (
            ChartSeat(1, 1, "吴甲", "办公室"),
            ChartSeat(1, 7, "郑乙"),
            ChartSeat(3, 4, "王丙"),
        ),
        "zones": (ChartZone("受表彰人员", 1, 1, 1, 7), ChartZone("办公室", 2, 3, 1, 7)),
        "subtitle": "2026年12月30日　机关三楼会议室",
        "footer": "打印：示例",
    }
    values.update(kw)
    return SeatChart(**values)


def test_the_chart_is_one_a3_landscape_page_with_the_font_embedded() -> None:
    data = chart_pdf(_chart())
    assert len(reader(data).pages) == 1
    assert size_mm(data) == (420, 297)
    assert embedded_fonts(data)
    text = " ".join(r.text for r in runs(data))
    for expected in ("年度机关工作会议座次图", "主席台", "（从会场看）", "2026年12月30日"):
        assert expected in text
    for name in ("赵五", "钱三", "孙一", "李二", "周四", "吴甲", "郑乙", "王丙", "办公室"):
        assert name in text
    assert "受表彰人员（1–1排1–7号）" in text and "打印：示例" in text


def test_the_presidium_is_at_the_top_and_reads_left_to_right_from_the_hall() -> None:
    data = chart_pdf(_chart())
    label = run_of(data, "主席台")
    names = [run_of(data, n) for n in ("赵五", "钱三", "孙一", "李二", "周四")]
    assert [r.x for r in names] == sorted(r.x for r in names)  # position 1 on the left
    assert len({round(r.y) for r in names}) == 1
    hall = run_of(data, "王丙")
    assert label.y > names[0].y > hall.y  # 主席台, then its row, then the hall below
    # No. 1 (孙一, position 3) sits in the middle of the page, the row centred on it
    page_width = float(reader(data).pages[0].mediabox.width)
    ends = (names[0].x + names[4].x) / 2
    assert abs(names[2].x - ends) < 1
    assert abs(names[2].x - page_width / 2) < 30


def test_the_hall_grid_front_row_nearest_the_presidium_seats_from_the_left() -> None:
    data = chart_pdf(_chart())
    first, last, back = run_of(data, "吴甲"), run_of(data, "郑乙"), run_of(data, "王丙")
    assert first.x < back.x < last.x  # seat 1, seat 4 (the middle block), seat 7
    assert first.y > back.y  # row 1 above row 3
    rows = [r for r in runs(data) if r.text.endswith("排")]
    assert [r.text for r in rows] == ["1排", "1排", "2排", "2排", "3排", "3排"]
    numbers = [r.text for r in runs(data) if r.text.isdigit()]
    assert numbers[:7] == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_presidium_of_two_rows_puts_the_front_row_nearest_the_hall() -> None:
    chart = _chart(presidium=(*PRESIDIUM, ChartSeat(2, 1, "后排甲"), ChartSeat(2, 2, "后排乙")))
    data = chart_pdf(chart)
    assert run_of(data, "后排甲").y > run_of(data, "孙一").y
    assert run_of(data, "后排甲").x < run_of(data, "后排乙").x


def test_a_hall_of_600_fits_one_page() -> None:
    hall = tuple(ChartSeat(r, n, f"人{r}-{n}") for r in range(1, 21) for n in range(1, 31))
    data = chart_pdf(_chart(hall_rows=20, hall_blocks=(8, 14, 8), hall=hall, zones=()))
    assert len(reader(data).pages) == 1
    found = {r.text for r in runs(data)}
    assert {"人1-1", "人20-30", "人10-15"} <= found
    assert run_of(data, "人20-30").y > 12 / 25.4 * 72  # above the bottom margin


def test_a_seat_outside_the_hall_is_refused() -> None:
    with pytest.raises(ValueError):
        chart_pdf(_chart(hall=(ChartSeat(4, 1, "甲"),)))
    with pytest.raises(ValueError):
        chart_pdf(_chart(hall=(ChartSeat(1, 8, "甲"),)))


def test_an_empty_hall_and_presidium_still_make_a_chart() -> None:
    data = chart_pdf(_chart(hall_rows=0, hall_blocks=(), hall=(), presidium=(), zones=()))
    assert "主席台" in {r.text for r in runs(data)}


def test_zone_extents_from_seats() -> None:
    seats = [("甲", 1, 1), ("甲", 1, 2), ("甲", 2, 1), ("甲", 2, 2), ("乙", 2, 3), ("甲", 3, 1)]
    assert hall_zone_extents(seats) == [
        ChartZone("甲", 1, 2, 1, 2),
        ChartZone("甲", 3, 3, 1, 1),
        ChartZone("乙", 2, 2, 3, 3),
    ]


def test_no_font_is_font_missing(tmp_path: Path, settings: Any) -> None:
    settings.LUOSHI_PDF_FONT = ""
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(pdf.FontMissing):
        chart_pdf(_chart())
