"""The appraisal's documents as real files: the registration form (docx, PDF), the result table
(xlsx) and the result notice (docx), read back and checked cell by cell."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

import docx
import openpyxl
import pytest
from django.utils import translation
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml.ns import qn

from luoshi.appraisal import documents
from luoshi.appraisal.docdata import (
    RegistrationFormData,
    ResultNoticeData,
    ResultRow,
    Signature,
)
from luoshi.appraisal.documents import (
    registration_form_docx,
    registration_form_pdf,
    result_notice_docx,
    result_table_xlsx,
)
from luoshi.documents import pdf

SUMMARY = (
    "一年来，本人认真学习贯彻党的路线方针政策，牢固树立“四个意识”，坚定“四个自信”。"
    "在综合协调工作中，牵头完成年度工作要点的起草与分解，督促各部门按期报送进展。"
)
LONG_SUMMARY = "\n".join(f"第{n}段。{SUMMARY * 3}" for n in range(1, 21))  # several pages


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Labels in English (the source strings), whatever the catalogs hold."""
    with translation.override("en"):
        yield


def form(**changes: Any) -> RegistrationFormData:
    values: dict[str, Any] = {
        "year": 2025,
        "form_title": "2025年度公务员年度考核登记表",
        "name": "张三",
        "sex": "男",
        "birth_month": dt.date(1985, 3, 1),
        "political_status": "中共党员",
        "post_since": dt.date(2020, 7, 15),
        "unit": "测试省归国华侨联合会",
        "post_and_rank": "综合处 副处长（二级调研员）",
        "duties": "负责机关综合协调、文稿起草和督查督办工作",
        "self_summary": SUMMARY,
        "self_summary_signature": Signature("张三", dt.date(2026, 1, 8)),
        "leader_comments": "该同志政治坚定，工作勤勉，完成任务出色。",
        "proposed_grade": "优秀",
        "leader_signature": Signature("李四", dt.date(2026, 1, 10)),
        "committee_opinion": "同意主管领导意见。",
        "committee_grade": "优秀",
        "committee_signature": Signature("", dt.date(2026, 1, 15)),
        "seal_text": "测试省归国华侨联合会",
        "acknowledgement": "同意",
        "acknowledgement_signature": Signature("张三", None),
        "ungraded_note": "",
        "staff_category": "公务员",
    }
    values.update(changes)
    return RegistrationFormData(**values)


def open_docx(data: bytes) -> Any:
    assert data.startswith(b"PK")
    return docx.Document(io.BytesIO(data))


def label_value(table: Any, label: str) -> Any:
    """The cell right of the (first) cell whose text is `label`."""
    for row in table.rows:
        cells = row.cells
        for index, cell in enumerate(cells):
            if cell.text == label:
                return cells[index + 1]
    raise AssertionError(f"no cell labelled {label!r}")


def box(table: Any, label: str) -> list[Any]:
    """The cells right of `label` in every row of its box (text row, signature row)."""
    cells: list[Any] = []
    for row in table.rows:
        row_cells = row.cells
        if row_cells[0].text == label and row_cells[1]._tc not in [c._tc for c in cells]:
            cells.append(row_cells[1])
    assert cells, f"no box labelled {label!r}"
    return cells


def box_lines(table: Any, label: str) -> list[str]:
    return [p.text for cell in box(table, label) for p in cell.paragraphs]


# --- registration form, docx ----------------------------------------------------------------------


def test_form_docx_has_the_title_and_every_header_cell() -> None:
    document = open_docx(registration_form_docx(form()))
    texts = [p.text for p in document.paragraphs]
    assert "2025年度公务员年度考核登记表" in texts
    assert "Staff category: 公务员" in texts
    assert len(document.tables) == 1
    table = document.tables[0]
    first = [c.text for c in table.rows[0].cells]
    assert first == ["Name", "张三", "Sex", "男", "Month of birth", "1985.03"]
    assert label_value(table, "Political status").text == "中共党员"
    assert label_value(table, "In current post since").text == "2020.07"
    assert label_value(table, "Unit and post (rank)").text == (
        "测试省归国华侨联合会 综合处 副处长（二级调研员）"
    )
    assert label_value(table, "Work done or overseen").text == (
        "负责机关综合协调、文稿起草和督查督办工作"
    )
    # merged value cells span to the right edge
    assert table.rows[1].cells[3]._tc is table.rows[1].cells[5]._tc
    assert table.rows[2].cells[1]._tc is table.rows[2].cells[5]._tc


def test_form_docx_sections_in_order_with_their_texts_and_signatures() -> None:
    document = open_docx(registration_form_docx(form()))
    table = document.tables[0]
    labels: list[str] = []
    for row in table.rows[4:]:
        if row.cells[0].text not in labels:
            labels.append(row.cells[0].text)
    assert labels == [
        "Personal summary",
        "Comments of the supervising leader and proposed grade",
        "Opinion of the head of the agency or the appraisal committee",
        "Opinion of the person",
        "Explanation of an undetermined grade or of not taking part in the appraisal",
    ]
    # the text in the upper row, the signatures in the row below (no line between them)
    text, signatures = box(table, "Personal summary")
    assert text.text == SUMMARY
    assert signatures.text == "Signature: 张三\u3000\u30002026-1-8"
    bottom = text._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
    assert bottom.get(qn("w:val")) == "nil"
    leader = box_lines(table, "Comments of the supervising leader and proposed grade")
    assert leader[0] == "该同志政治坚定，工作勤勉，完成任务出色。"
    assert "Proposed grade: 优秀" in leader
    assert leader[-1] == "Signature: 李四\u3000\u30002026-1-10"
    committee = box_lines(table, "Opinion of the head of the agency or the appraisal committee")
    assert committee[0] == "同意主管领导意见。"
    assert "Appraisal grade: 优秀" in committee
    assert "测试省归国华侨联合会 (seal)" in committee
    # signed by hand: a blank for the name
    assert committee[-1] == "Head's signature: " + documents.BLANK_NAME + "\u3000\u30002026-1-15"
    person = box_lines(table, "Opinion of the person")
    assert person[0] == "同意"
    # no date yet: blanks for the year, month and day
    assert person[-1].endswith(date_blank())
    note = box_lines(
        table, "Explanation of an undetermined grade or of not taking part in the appraisal"
    )
    assert note == [""]


def date_blank() -> str:
    part = documents.BLANK_PART
    return f"{part * 2}-{part}-{part}"


def test_form_docx_rows_grow_and_a_long_summary_keeps_every_section() -> None:
    document = open_docx(registration_form_docx(form(self_summary=LONG_SUMMARY)))
    table = document.tables[0]
    texts = [t for t in box_lines(table, "Personal summary") if t]
    assert len(texts) == 21
    assert texts[0].startswith("第1段。") and texts[19].startswith("第20段。")
    assert texts[-1].startswith("Signature: 张三")
    rows = table.rows
    summary_row = next(r for r in rows if r.cells[0].text == "Personal summary")
    assert summary_row.height_rule == WD_ROW_HEIGHT_RULE.AT_LEAST  # grows with its text
    assert summary_row._tr.trPr.find(qn("w:cantSplit")) is None  # runs on to the next page
    for label in (
        "Comments of the supervising leader and proposed grade",
        "Opinion of the head of the agency or the appraisal committee",
        "Opinion of the person",
        "Explanation of an undetermined grade or of not taking part in the appraisal",
    ):
        row = next(r for r in rows if r.cells[0].text == label)
        assert row.height_rule == WD_ROW_HEIGHT_RULE.AT_LEAST
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None  # moves to a new page whole
    assert box_lines(table, "Opinion of the person")[0] == "同意"


def test_form_docx_page_fonts_and_borders() -> None:
    document = open_docx(registration_form_docx(form()))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == documents.FORM_MARGIN_LEFT_MM
    table = document.tables[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "left", "bottom", "right", "insideH"}
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    assert layout.get(qn("w:type")) == "fixed"
    width = sum(c.width.mm for c in table.rows[0].cells)
    assert width == pytest.approx(documents.FORM_TEXT_WIDTH_MM, abs=0.5)
    # the title in the title font, the cells in the body font (LUOSHI_FONT_*), East Asian too
    title = next(p for p in document.paragraphs if p.text.startswith("2025年度"))
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    cell_style = table.rows[0].cells[1].paragraphs[0].style
    assert cell_style.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_form_docx_fonts_follow_settings(settings: Any) -> None:
    settings.LUOSHI_FONT_TITLE = "华文中宋"
    settings.LUOSHI_FONT_BODY = "楷体"
    document = open_docx(registration_form_docx(form()))
    title = next(p for p in document.paragraphs if p.text.startswith("2025年度"))
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "华文中宋"
    cell_style = document.tables[0].rows[0].cells[1].paragraphs[0].style
    assert cell_style.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"


def test_form_docx_public_institution_title_and_blank_form() -> None:
    data = form(
        form_title="2025年度事业单位工作人员年度考核登记表",
        staff_category="事业单位",
        self_summary="",
        leader_comments="",
        proposed_grade="",
        committee_opinion="",
        committee_grade="",
        acknowledgement="",
        ungraded_note="该同志2025年度病假累计超过半年，不确定考核等次。",
        birth_month=None,
        post_since=None,
        self_summary_signature=Signature(),
    )
    document = open_docx(registration_form_docx(data))
    texts = [p.text for p in document.paragraphs]
    assert "2025年度事业单位工作人员年度考核登记表" in texts
    table = document.tables[0]
    assert table.rows[0].cells[5].text == ""
    summary = box_lines(table, "Personal summary")
    assert summary[0] == ""  # an empty box, for handwriting
    assert summary[-1] == f"Signature: {documents.BLANK_NAME}\u3000\u3000{date_blank()}"
    assert "Proposed grade: " + documents.BLANK_NAME in box_lines(
        table, "Comments of the supervising leader and proposed grade"
    )
    note = box_lines(
        table, "Explanation of an undetermined grade or of not taking part in the appraisal"
    )
    assert note == ["该同志2025年度病假累计超过半年，不确定考核等次。"]


def test_form_docx_labels_follow_the_language() -> None:
    with translation.override("zh-hans"):
        labels = [p[0] for row in documents.header_rows(form()) for p in row]
    # translated once the catalogs hold them; the English source otherwise — never empty
    assert all(labels)


# --- result table, xlsx ---------------------------------------------------------------------------


def result_rows() -> Iterator[ResultRow]:
    yield ResultRow(1, "张三", "综合处", "副处长", "公务员", "优秀", "93.5", "优秀", "已确定")
    yield ResultRow(2, "王五", "信息中心", "工程师", "事业单位", "合格", "", "", "不定等次", "病假")
    yield ResultRow(3, "=HYPERLINK(1)", "综合处", "", "公务员", "称职", "88", "称职", "已确定")


def test_result_table_xlsx_reads_back() -> None:
    stream = io.BytesIO()
    result_table_xlsx(result_rows(), stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    sheet = book.active
    assert sheet.title == "Appraisal results"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "No.",
        "Name",
        "Unit",
        "Post (rank)",
        "Staff category",
        "Proposed grade",
        "Evaluation score",
        "Grade",
        "Status",
        "Remarks",
    )
    first = (1, "张三", "综合处", "副处长", "公务员", "优秀", 93.5, "优秀", "已确定", None)
    assert rows[1] == first
    assert rows[2][6] is None and rows[2][7] is None and rows[2][9] == "病假"
    assert rows[3][1] == "=HYPERLINK(1)" and rows[3][6] == 88
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    # Excel stores a width with its padding (22 characters are written as 22.71)
    assert abs(sheet.column_dimensions["C"].width - documents.RESULT_WIDTHS[2]) < 1
    assert sheet["B4"].data_type == "s"  # text from people is never a formula


def test_result_table_xlsx_named_sheet_and_no_rows() -> None:
    stream = io.BytesIO()
    result_table_xlsx([], stream, title="2025年度考核结果")
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames == ["2025年度考核结果"]
    assert book.active.max_row == 1


# --- result notice, docx --------------------------------------------------------------------------


def notice(**changes: Any) -> ResultNoticeData:
    values: dict[str, Any] = {
        "year": 2025,
        "issuing_body": "测试省归国华侨联合会考核委员会",
        "document_number": "考核〔2026〕3号",
        "title": "关于2025年度考核结果的通知",
        "recipient_name": "张三",
        "recipient_unit": "综合处",
        "grade": "优秀",
        "body_paragraphs": ["经考核委员会研究，并经公示无异议，现将你的年度考核结果通知如下。"],
        "review_deadline": dt.date(2026, 2, 28),
        "issue_date": dt.date(2026, 1, 29),
        "signer": "测试省归国华侨联合会",
        "consequences": ["嘉奖"],
    }
    values.update(changes)
    return ResultNoticeData(**values)


def test_result_notice_docx_official_layout() -> None:
    document = open_docx(result_notice_docx(notice()))
    texts = [p.text for p in document.paragraphs]
    styles = {p.text: p.style.name for p in document.paragraphs if p.text}
    assert styles["测试省归国华侨联合会考核委员会"] == "Official Mark"
    assert styles["考核〔2026〕3号"] == "Official Number"
    assert styles["关于2025年度考核结果的通知"] == "Official Title"
    assert "Dear 张三 (综合处)：" in texts
    assert "经考核委员会研究，并经公示无异议，现将你的年度考核结果通知如下。" in texts
    assert "Your appraisal grade for 2025: 优秀." in texts
    assert "Consequences of this result: 嘉奖." in texts
    assert (
        "If you disagree with this result, you may apply for a review no later than 2026-2-28."
        in texts
    )
    assert texts[-2:] == ["测试省归国华侨联合会", "2026年1月29日"]
    assert styles["2026年1月29日"] == "Official Signature"
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28


def test_result_notice_docx_ungraded_without_mark() -> None:
    data = notice(
        issuing_body="",
        document_number="",
        grade="",
        consequences=[],
        review_deadline=None,
        recipient_unit="",
        signer="测试省归国华侨联合会",
    )
    document = open_docx(result_notice_docx(data))
    texts = [p.text for p in document.paragraphs]
    styles = {p.style.name for p in document.paragraphs}
    assert "Official Mark" not in styles
    assert "Dear 张三：" in texts
    assert "No appraisal grade was determined for you for 2025." in texts
    assert not any(t.startswith("Consequences") or t.startswith("If you disagree") for t in texts)


# --- registration form, PDF -----------------------------------------------------------------------


def _pdf_stream(obj: bytes) -> bytes:
    head, _sep, rest = obj.partition(b"stream")
    raw = rest.lstrip(b"\r\n")
    raw = raw[: raw.rfind(b"endstream")].rstrip(b"\r\n")
    if b"ASCII85Decode" in head:
        raw = base64.a85decode(raw.strip().removesuffix(b"~>"), adobe=False)
    if b"FlateDecode" in head:
        raw = zlib.decompress(raw)
    return raw


def _pdf_literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The bytes of a PDF string literal whose "(" is just before `start`, and the index
    after its ")"."""
    out = bytearray()
    depth, i = 1, start
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while True:
        c = data[i]
        if c == 0x5C:  # a backslash
            n = data[i + 1]
            octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
            elif n in (0x0D, 0x0A):
                i += 2
            else:
                out.append(escapes.get(n, n))
                i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(c)
        i += 1


def _to_unicode(cmap: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        ranges = re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)
        for low, high, dst in ranges:
            for code in range(int(low, 16), int(high, 16) + 1):
                table[code] = chr(int(dst, 16) + code - int(low, 16))
    return table


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, decoded through the fonts' ToUnicode maps (as a PDF reader
    copies it); one line per text object."""
    objects = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(\d+) 0 obj\r?\n(.*?)endobj", data, re.S)
    }
    fonts: dict[bytes, dict[int, str]] = {}
    for obj in objects.values():
        name = re.search(rb"/Name /(\S+)", obj)
        cmap = re.search(rb"/ToUnicode (\d+) 0 R", obj)
        if name and cmap:
            fonts[name.group(1)] = _to_unicode(_pdf_stream(objects[int(cmap.group(1))]))
    tree = next(o for o in objects.values() if b"/Type /Pages" in o)
    kids = re.search(rb"/Kids \[([^\]]*)\]", tree)
    assert kids
    pages: list[str] = []
    for ref in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(ref)])
        assert contents
        content = _pdf_stream(objects[int(contents.group(1))])
        out: list[str] = []
        font = b""
        i = 0
        while i < len(content):
            if content[i : i + 1] == b"/":
                selected = re.match(rb"/(\S+)\s+[\d.]+\s+Tf", content[i:])
                if selected:
                    font = selected.group(1)
                    i += selected.end()
                    continue
            if content[i : i + 1] == b"(":
                raw, i = _pdf_literal(content, i + 1)
                table = fonts.get(font)
                out.append(
                    "".join(table.get(b, "\ufffd") for b in raw)
                    if table is not None
                    else raw.decode("latin-1")
                )
                continue
            if content[i : i + 2] == b"ET":
                out.append("\n")
            i += 1
        pages.append("".join(out))
    return pages


def squeeze(text: str) -> str:
    """Text without any white space (wrapped English loses its spaces at line ends)."""
    return re.sub(r"\s+", "", text)


def test_form_pdf_embeds_the_cjk_font_and_has_every_label_and_value() -> None:
    data = registration_form_pdf(form())
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data  # the TrueType font travels inside the PDF
    face = pdf.cjk_font().face
    assert re.search(rb"/BaseFont /[A-Z]{6}\+" + re.escape(face.encode()), data)
    pages = pdf_pages(data)
    assert len(pages) == 2  # the form on two A4 pages
    first, second = squeeze(pages[0]), squeeze(pages[1])
    for text in (
        "2025年度公务员年度考核登记表",
        "Staffcategory:公务员",
        "Name",
        "张三",
        "Sex",
        "男",
        "Monthofbirth",
        "1985.03",
        "Politicalstatus",
        "中共党员",
        "Incurrentpostsince",
        "2020.07",
        "Unitandpost(rank)",
        "测试省归国华侨联合会综合处副处长（二级调研员）",
        "Workdoneoroverseen",
        "负责机关综合协调、文稿起草和督查督办工作",
        "Personalsummary",
        squeeze(SUMMARY),
        "Signature:张三2026-1-8",
    ):
        assert text in first, text
    for text in (
        "Commentsofthesupervisingleaderandproposedgrade",
        "该同志政治坚定，工作勤勉，完成任务出色。",
        "Proposedgrade:优秀",
        "Signature:李四2026-1-10",
        "Opinionoftheheadoftheagencyortheappraisalcommittee",
        "同意主管领导意见。",
        "Appraisalgrade:优秀",
        "测试省归国华侨联合会(seal)",
        "Head'ssignature:",
        "2026-1-15",
        "Opinionoftheperson",
        "Explanationofanundeterminedgradeorofnottakingpartintheappraisal",
    ):
        assert text in second, text
    # the order of the boxes
    assert second.index("Commentsofthe") < second.index("Opinionofthehead")
    assert second.index("Opinionofthehead") < second.index("Opinionoftheperson")
    assert second.index("Opinionoftheperson") < second.index("Explanationof")


def test_form_pdf_keeps_the_blanks_for_handwriting() -> None:
    data = registration_form_pdf(form(acknowledgement="", leader_signature=Signature()))
    text = "".join(pdf_pages(data))
    # each blank character is four no-break spaces (copied out as spaces by some fonts)
    name = 4 * len(documents.BLANK_NAME)
    assert re.search(rf"Signature:[ \xa0]{{{name},}}", text)  # the leader signs by hand
    part = 4 * len(documents.BLANK_PART)
    day = rf"[ \xa0]{{{part}}}"
    assert re.search(rf"[ \xa0]{{{2 * part}}}-{day}-{day}", text)  # year, month, day to fill


def test_form_pdf_long_summary_runs_on_and_keeps_every_section() -> None:
    data = registration_form_pdf(form(self_summary=LONG_SUMMARY))
    pages = pdf_pages(data)
    assert len(pages) > 2
    text = squeeze("".join(pages))
    positions = [text.index(f"第{n}段。") for n in range(1, 21)]
    assert positions == sorted(positions)
    assert text.count(squeeze(SUMMARY)) >= 20  # wrapped across lines and pages, none lost
    signature = text.index("Signature:张三2026-1-8")
    assert signature > positions[-1]
    later = [
        "Commentsofthesupervisingleaderandproposedgrade",
        "Opinionoftheheadoftheagencyortheappraisalcommittee",
        "Opinionoftheperson",
        "Explanationofanundeterminedgradeorofnottakingpartintheappraisal",
    ]
    found = [text.index(label) for label in later]
    assert signature < found[0] and found == sorted(found)
    # the summary starts on the first page, right below the header
    assert "第1段。" in squeeze(pages[0])


def test_form_pdf_one_paragraph_longer_than_a_page() -> None:
    sentence = "本人全年牵头完成重点任务十二项，按期办结率百分之百。"
    huge = sentence * 150  # one paragraph of about four pages
    data = registration_form_pdf(form(self_summary=huge, committee_opinion=huge))
    text = squeeze("".join(pdf_pages(data)))
    assert text.count(sentence) == 300
    assert "Explanationofanundeterminedgradeorofnottakingpartintheappraisal" in text


def test_form_pdf_public_institution_title() -> None:
    data = registration_form_pdf(
        form(form_title="2025年度事业单位工作人员年度考核登记表", proposed_grade="合格")
    )
    text = squeeze("".join(pdf_pages(data)))
    assert text.startswith("2025年度事业单位工作人员年度考核登记表")
    assert "Proposedgrade:合格" in text
