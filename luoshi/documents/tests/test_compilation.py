"""The materials compilation read back with pypdf: cover and contents, parts from a new page,
page numbers running through the appended PDFs, the outline (bookmarks) pointing at the right
pages, parts taken from a generator, bad attachments and a missing font refused, 300 pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from luoshi.documents import pdf
from luoshi.documents.compilation import (
    Compilation,
    CompilationAttachment,
    CompilationError,
    CompilationPart,
    CompilationSection,
    write_compilation,
)
from luoshi.documents.tablecards import TableCard, table_cards_pdf

from .pdfread import Run, runs

TEXT = "一年来，机关各部门认真贯彻落实年度工作要点，扎实推进各项工作，取得了明显成效。" * 5
LONG = "\n".join([TEXT] * 12)  # about two pages


@pytest.fixture
def attachment(tmp_path: Path) -> Path:
    """A two-page PDF (A4 landscape) as a presenter would hand in."""
    path = tmp_path / "speech.pdf"
    path.write_bytes(table_cards_pdf([TableCard("附件第一页"), TableCard("附件第二页")]))
    return path


def _parts(attachment: Path) -> list[CompilationPart]:
    return [
        CompilationPart(
            "主要负责同志在年度工作会议上的讲话",
            (
                CompilationSection("一、过去一年的工作", LONG),
                CompilationSection("二、明年的要求", TEXT),
            ),
            subtitle="2026年12月30日",
        ),
        CompilationPart(
            "办公室年度工作总结",
            (CompilationSection("主要工作和成效", TEXT),),
            attachments=(CompilationAttachment("办公室工作情况表", attachment),),
        ),
        CompilationPart("表彰名单", (CompilationSection("", "先进集体：办公室、经济科技部"),)),
    ]


def _write(tmp_path: Path, parts: Any, **kw: Any) -> tuple[Any, PdfReader]:
    target = tmp_path / "out.pdf"
    result = write_compilation(
        Compilation("年度机关工作会议材料汇编", "2026年12月", "第2版（定稿）", **kw), parts, target
    )
    return result, PdfReader(target)


def _outline(reader: PdfReader) -> list[Any]:
    """[(title, page index, [children…]), …]"""
    items: list[Any] = []
    item: Any
    for item in reader.outline:
        if isinstance(item, list):
            items[-1][2].extend(
                (child.title, reader.get_destination_page_number(child), []) for child in item
            )
        else:
            items.append((item.title, reader.get_destination_page_number(item), []))
    return items


def test_cover_contents_parts_and_the_appended_pdf(tmp_path: Path, attachment: Path) -> None:
    result, reader = _write(tmp_path, _parts(attachment))
    assert result.pages == len(reader.pages)
    assert result.front_pages == 2  # the cover and one page of contents
    cover = reader.pages[0].extract_text()
    assert "年度机关工作会议材料汇编" in cover and "第2版（定稿）" in cover
    contents = reader.pages[1].extract_text()
    assert "目" in contents and "录" in contents
    speech, summary, lists = result.parts
    assert speech.first_page == 1 and speech.last_page >= 2
    assert summary.first_page == speech.last_page + 1
    assert summary.last_page == summary.first_page + 2  # one page of text, two appended
    assert lists.first_page == summary.last_page + 1 == lists.last_page
    assert result.numbered_pages == lists.last_page
    # the contents list every part, section and attachment with its page
    lines: dict[int, list[Run]] = {}
    for run in runs((tmp_path / "out.pdf").read_bytes(), 1):
        lines.setdefault(round(run.y), []).append(run)
    shown = [
        (row[0].text, row[-1].text, row[0].x)
        for _y, row in sorted(lines.items(), reverse=True)
        if len(row) == 3  # title, leader, page number
    ]
    assert [(title, int(page)) for title, page, _x in shown] == [
        (e.title, e.page) for e in result.entries
    ]
    part_x = shown[0][2]
    assert all(
        (x > part_x) == (e.level == 1) for (_t, _p, x), e in zip(shown, result.entries, strict=True)
    )
    assert [e.title for e in result.entries] == [
        "主要负责同志在年度工作会议上的讲话",
        "一、过去一年的工作",
        "二、明年的要求",
        "办公室年度工作总结",
        "主要工作和成效",
        "办公室工作情况表",
        "表彰名单",
    ]


def test_page_numbers_run_through_the_text_and_the_appended_pages(
    tmp_path: Path, attachment: Path
) -> None:
    result, reader = _write(tmp_path, _parts(attachment))
    for number in range(1, result.numbered_pages + 1):
        text = reader.pages[result.front_pages + number - 1].extract_text()
        assert f"— {number} —" in text, number
    for index in range(result.front_pages):  # cover and contents are not numbered
        assert "— 1 —" not in reader.pages[index].extract_text()
    summary = result.parts[1]
    appended = reader.pages[result.front_pages + summary.last_page - 1]
    assert "附件第二页" in appended.extract_text()
    assert appended.mediabox.width > appended.mediabox.height  # kept as it was: landscape
    # each part starts on a page of its own, with its title
    for part in result.parts:
        first = reader.pages[result.front_pages + part.first_page - 1].extract_text()
        assert first.lstrip().startswith(part.title[:6])


def test_bookmarks_per_part_with_their_sections(tmp_path: Path, attachment: Path) -> None:
    result, reader = _write(tmp_path, _parts(attachment))
    front = result.front_pages
    by_title = {e.title: e.page for e in result.entries}
    outline = _outline(reader)
    assert [o[0] for o in outline] == [
        "目录",
        "主要负责同志在年度工作会议上的讲话",
        "办公室年度工作总结",
        "表彰名单",
    ]
    assert outline[0][1] == 1  # the contents, after the cover
    for title, index, children in outline[1:]:
        assert index == front + by_title[title] - 1
        for child, child_index, _ in children:
            assert child_index == front + by_title[child] - 1
    assert [c[0] for c in outline[2][2]] == ["主要工作和成效", "办公室工作情况表"]
    assert reader.page_mode == "/UseOutlines"
    # the second section of the speech starts on a later page than the first
    sections = outline[1][2]
    assert sections[1][1] > sections[0][1]


def test_parts_from_a_generator_and_no_cover(tmp_path: Path) -> None:
    taken: list[int] = []

    def parts() -> Iterator[CompilationPart]:
        for i in range(1, 4):
            taken.append(i)
            yield CompilationPart(f"材料{i}", (CompilationSection("正文", TEXT),))

    result, reader = _write(tmp_path, parts(), cover=False)
    assert taken == [1, 2, 3]
    assert result.front_pages == 1 and "目" in reader.pages[0].extract_text()
    assert [p.first_page for p in result.parts] == [1, 2, 3]
    assert _outline(reader)[0][1] == 0


def test_writes_to_a_file_object_and_an_empty_compilation(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    result = write_compilation(Compilation("空汇编"), [], buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert result.parts == () and result.pages == len(reader.pages) == 2


def test_a_long_contents_goes_over_several_pages(tmp_path: Path) -> None:
    parts = [CompilationPart(f"材料{i}", (CompilationSection("", "正文。"),)) for i in range(60)]
    result, reader = _write(tmp_path, parts)
    assert result.front_pages == 4  # the cover and three pages of contents (27 lines each)
    assert result.parts[0].first_page == 1
    assert _outline(reader)[1][1] == result.front_pages


def test_an_unreadable_or_protected_attachment_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    part = CompilationPart("甲", attachments=(CompilationAttachment("坏文件", broken),))
    with pytest.raises(CompilationError) as error:
        _write(tmp_path, [part])
    assert error.value.code == "compilation_attachment"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as out:
        writer.write(out)
    part = CompilationPart("甲", attachments=(CompilationAttachment("加密", locked),))
    with pytest.raises(CompilationError) as error:
        _write(tmp_path, [part])
    assert error.value.code == "compilation_encrypted"
    assert not (tmp_path / "out.pdf").exists()  # nothing half-written


def test_three_hundred_pages(tmp_path: Path) -> None:
    parts = [
        CompilationPart(f"第{i}份材料", (CompilationSection("正文", LONG),)) for i in range(1, 131)
    ]
    result, reader = _write(tmp_path, parts)
    assert result.numbered_pages >= 300
    assert len(reader.pages) == result.pages
    assert len(_outline(reader)) == 131
    last = reader.pages[-1].extract_text()
    assert f"— {result.numbered_pages} —" in last


def test_no_font_is_font_missing(tmp_path: Path, settings: Any) -> None:
    settings.LUOSHI_PDF_FONT = ""
    settings.LUOSHI_PDF_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(pdf.FontMissing):
        write_compilation(Compilation("汇编"), [], io.BytesIO())


def test_a_rotated_or_offset_appended_page_gets_its_number_too(tmp_path: Path) -> None:
    source = PdfReader(io.BytesIO(table_cards_pdf([TableCard("旋转页")])))
    writer = PdfWriter()
    page = writer.add_page(source.pages[0])
    page.rotate(90)
    moved = writer.add_page(source.pages[0])
    moved.mediabox.lower_left = (100, 100)
    moved.mediabox.upper_right = (941.89, 695.28)
    path = tmp_path / "rotated.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    part = CompilationPart(
        "甲", (CompilationSection("", "正文。"),), (CompilationAttachment("旋转", path),)
    )
    _result, reader = _write(tmp_path, [part])
    rotated, offset = reader.pages[-2], reader.pages[-1]
    assert "— 2 —" in rotated.extract_text() and "— 3 —" in offset.extract_text()
    assert rotated.rotation == 0  # the rotation went into the content
    assert float(rotated.mediabox.width) < float(rotated.mediabox.height)  # displayed: portrait
    (run,) = [r for r in runs((tmp_path / "out.pdf").read_bytes(), 3) if r.text == "— 3 —"]
    assert 100 < run.y < 100 + 20 * 72 / 25.4  # at the foot of the page as displayed
