"""Table cards: one sheet per card, the upper half turned by 180° (read back from the content
stream's transform), both faces with the name and the title; two-character names spaced."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from luoshi.documents import pdf
from luoshi.documents.tablecards import TableCard, card_name, table_cards_pdf, write_table_cards

from .pdfread import content, reader, runs, size_mm


def test_one_a4_landscape_sheet_per_card() -> None:
    data = table_cards_pdf([TableCard("张三", "副局长"), TableCard("欧阳明远"), TableCard("李四")])
    assert len(reader(data).pages) == 3
    assert size_mm(data) == (297, 210)
    assert size_mm(data, 2) == (297, 210)


def test_the_upper_half_is_printed_upside_down() -> None:
    data = table_cards_pdf([TableCard("张三", "副局长")])
    page = reader(data).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    (turn,) = re.findall(r"^-1 0 0 -1 ([\d.]+) ([\d.]+) cm$", content(data), re.M)
    assert abs(float(turn[0]) - width) < 0.01 and abs(float(turn[1]) - height) < 0.01
    found = runs(data)
    upright = [r for r in found if not r.upside_down]
    turned = [r for r in found if r.upside_down]
    assert [r.text for r in upright] == ["副局长", "张\u3000三"]
    assert [r.text for r in turned] == ["副局长", "张\u3000三"]
    # the upright face on the lower half, the turned one on the upper half, mirrored through
    # the sheet's centre
    assert all(r.y < height / 2 for r in upright)
    assert all(r.y > height / 2 for r in turned)
    for a, b in zip(upright, turned, strict=True):
        assert abs((a.x + b.x) - width) < 0.01 and abs((a.y + b.y) - height) < 0.01
    # the title above the name when the face is upright
    assert upright[0].y > upright[1].y


def test_the_name_is_large_and_shrinks_to_fit() -> None:
    data = table_cards_pdf([TableCard("张三"), TableCard("阿卜杜热合曼·买买提明")])
    sizes, long_sizes = _font_sizes(data, 0), _font_sizes(data, 1)
    assert max(sizes) > 100  # points: a name to read across the room
    assert max(long_sizes) < max(sizes)


def _font_sizes(data: bytes, page: int) -> list[float]:
    return [float(size) for size in re.findall(r"/F\S+ ([\d.]+) Tf", content(data, page))]


def test_two_character_names_are_spaced() -> None:
    assert card_name("张三") == "张\u3000三"
    assert card_name(" 欧阳明远 ") == "欧阳明远"
    assert card_name("张三", space_two_character_names=False) == "张三"
    assert card_name("Li") == "Li"


def test_write_to_a_file_and_an_empty_list() -> None:
    buffer = io.BytesIO()
    assert write_table_cards([TableCard(f"人员{i}") for i in range(5)], buffer) == 5
    assert len(reader(buffer.getvalue()).pages) == 5
    empty = io.BytesIO()
    assert write_table_cards([], empty) == 0
    assert len(reader(empty.getvalue()).pages) == 1


def test_no_font_is_font_missing(tmp_path: Path, settings: Any) -> None:
    settings.LUOSHI_PDF_FONT = ""
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(pdf.FontMissing):
        table_cards_pdf([TableCard("张三")])
