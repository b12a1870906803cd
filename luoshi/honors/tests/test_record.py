"""The honours record: import of earlier years from xlsx (all or nothing, problems by row), the
export of a person's and of a unit's record, and the unit's honours page and API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.honors import imports, services
from luoshi.honors.models import Honour

pytestmark = pytest.mark.django_db

HEAD = ["单位", "姓名", "奖励类别", "荣誉名称", "批准机关", "文号", "日期", "时任职务"]


def xlsx(*rows: list[Any], header: list[str] = HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good(org: Any) -> bytes:
    return xlsx(
        ["经济科技部", "戊科员", "嘉奖", "", "省侨联", "侨联发〔2021〕3号", "2021-12-30", "科员"],
        [
            "办公室",
            "丁科员",
            "记三等功",
            "",
            "省人社厅",
            "人社〔2022〕9号",
            dt.date(2022, 1, 8),
            "",
        ],
        ["经济科技部", "", "先进集体", "模范机关先进单位", "省直机关工委", "", "2020年6月1日", ""],
    )


def test_a_clean_file_is_imported_whole_with_its_codes(org: Any) -> None:
    n = imports.honours_import(actor=org.users["hr"], agency=org.agency, data=good(org))
    assert n == 3
    staff = Honour.objects.get(person=org.people["staff"])
    assert (staff.kind, staff.gbt_code, staff.source) == ("commendation", "01115", "import")
    assert (staff.document_number, staff.awarded_on, staff.post_at_time) == (
        "侨联发〔2021〕3号",
        dt.date(2021, 12, 30),
        "科员",
    )
    merit = Honour.objects.get(person=org.people["office_staff"])
    assert (merit.kind, merit.gbt_code, merit.year) == ("merit_third", "01114", 2022)
    unit = Honour.objects.get(person=None)
    assert (unit.unit, unit.title, unit.kind) == (
        org.econ,
        "模范机关先进单位",
        "advanced_collective",
    )
    assert AuditEntry.objects.filter(action="honors.import").count() == 1


def test_every_problem_is_named_by_row_and_nothing_is_written(org: Any) -> None:
    data = xlsx(
        ["经济科技部", "戊科员", "嘉奖", "", "省侨联", "", "2021-12-30", ""],  # fine
        ["宣传部", "戊科员", "嘉奖", "", "省侨联", "", "2021-12-30", ""],  # 3: unknown unit
        ["经济科技部", "无此人", "嘉奖", "", "省侨联", "", "2021-12-30", ""],  # 4: unknown person
        ["经济科技部", "戊科员", "大奖", "", "省侨联", "", "2021-12-30", ""],  # 5: bad kind
        ["经济科技部", "戊科员", "嘉奖", "", "省侨联", "", "2021-13-45", ""],  # 6: bad date
        ["经济科技部", "戊科员", "嘉奖", "", "省侨联", "", "2099-01-01", ""],  # 7: future
        ["经济科技部", "戊科员", "嘉奖", "", "省侨联", "", "2021-12-30", ""],  # 8: duplicate
    )
    with pytest.raises(InvalidInput) as caught:
        imports.honours_import(actor=org.users["hr"], agency=org.agency, data=data)
    problems = {(d["row"], d["column"]) for d in caught.value.details}
    assert problems == {(3, "unit"), (4, "name"), (5, "kind"), (6, "date"), (7, "date"), (8, "")}
    messages = " ".join(d["message"] for d in caught.value.details)
    assert "宣传部" in messages and "无此人" in messages and "大奖" in messages
    assert "rows 2 and 8" in messages
    assert not Honour.objects.exists()


def test_an_honour_already_recorded_is_a_duplicate(org: Any) -> None:
    imports.honours_import(actor=org.users["hr"], agency=org.agency, data=good(org))
    plan = imports.plan_from_bytes(good(org), agency=org.agency)
    assert [p.row for p in plan.problems] == [2, 3, 4]
    assert Honour.objects.count() == 3


def test_missing_columns_and_the_wrong_person_refused(org: Any) -> None:
    plan = imports.plan_from_bytes(xlsx(["x"], header=["姓名"]), agency=org.agency)
    assert plan.problems[0].row == 1 and "单位" in plan.problems[0].message
    from luoshi.core.errors import Forbidden

    with pytest.raises(Forbidden):
        imports.honours_import(actor=org.users["staff"], agency=org.agency, data=good(org))


def test_the_import_page_uploads_previews_and_commits(org: Any, client_for: Any) -> None:
    hr = client_for("hr")
    assert client_for("staff").get("/honors/import/").status_code == 404
    assert hr.get("/honors/import/").status_code == 200
    bad = io.BytesIO(xlsx(["宣传部", "戊科员", "嘉奖", "", "省侨联", "", "2021-12-30", ""]))
    bad.name = "bad.xlsx"
    r = hr.post("/honors/import/", {"action": "upload", "file": bad})
    assert r.status_code == 302
    page = hr.get("/honors/import/?step=preview").content.decode()
    assert "宣传部" in page and 'value="commit"' not in page
    f = io.BytesIO(good(org))
    f.name = "history.xlsx"
    hr.post("/honors/import/", {"action": "upload", "file": f})
    page = hr.get("/honors/import/?step=preview").content.decode()
    assert 'value="commit"' in page and "模范机关先进单位" in page
    assert not Honour.objects.exists()  # the preview writes nothing
    token = hr.session["honors_import"]["token"]
    r = hr.post("/honors/import/", {"action": "commit", "token": token})
    assert r.status_code == 302
    hr.get(r["Location"])
    assert Honour.objects.count() == 3


def _record(org: Any) -> Honour:
    imports.honours_import(actor=org.users["hr"], agency=org.agency, data=good(org))
    honour = Honour.objects.get(person=org.people["staff"])
    return services.revoke(
        actor=org.users["hr"], honour=honour, reason="弄虚作假", document_number="撤〔2023〕1号"
    )


def _sheet(response: Any) -> list[list[Any]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_a_persons_record_exports_with_codes_and_revocation(org: Any, client_for: Any) -> None:
    _record(org)
    r = client_for("hr").get(f"/honors/people/{org.people['staff'].pk}/honours.xlsx")
    assert r.status_code == 200
    rows = _sheet(r)
    row = rows[1]
    assert len(rows) == 2
    assert "01115" in row and "省侨联" in row and "侨联发〔2021〕3号" in row and "科员" in row
    assert "弄虚作假" in row
    # their own record, yes; a colleague's in another unit, no
    assert (
        client_for("staff").get(f"/honors/people/{org.people['staff'].pk}/honours.xlsx").status_code
        == 200
    )
    other = client_for("outsider").get(f"/honors/people/{org.people['staff'].pk}/honours.xlsx")
    assert other.status_code == 404


def test_a_units_page_and_export_show_its_collective_and_peoples_honours(
    org: Any, client_for: Any, token_for: Any
) -> None:
    _record(org)
    page = client_for("hr").get(f"/honors/units/{org.econ.pk}/").content.decode()
    assert "模范机关先进单位" in page and "戊科员" in page and "弄虚作假" in page
    assert "丁科员" not in page  # of another unit
    rows = _sheet(client_for("hr").get(f"/honors/units/{org.econ.pk}/honours.xlsx"))
    assert len(rows) == 3
    r = Client().get(f"/api/v1/units/{org.econ.pk}/honors", **token_for("hr"))
    assert r.status_code == 200
    assert {h["title"] for h in r.json()} == {"模范机关先进单位", "嘉奖"}
    assert client_for("outsider").get(f"/honors/units/{org.econ.pk}/").status_code == 404
    assert (
        Client().get(f"/api/v1/units/{org.econ.pk}/honors", **token_for("outsider")).status_code
        == 404
    )


def test_the_years_list_shows_every_source_and_records_external_honours(
    org: Any, client_for: Any, token_for: Any
) -> None:
    hr = client_for("hr")
    r = hr.post(
        f"/honors/year/2026/?agency={org.agency.pk}",
        {
            "agency": org.agency.pk,
            "unit": org.econ.pk,
            "kind": "advanced_unit",
            "title": "创建模范机关先进单位",
            "approving_body": "中央和国家机关工委",
            "document_number": "工委〔2026〕5号",
            "awarded_on": "2026-01-05",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = Client().post(
        "/api/v1/honors/external-honours",
        {
            "agency": org.agency.pk,
            "unit": org.office.pk,
            "person": org.people["office_staff"].pk,
            "kind": "advanced_individual",
            "title": "全省侨联系统先进个人",
            "approving_body": "省侨联",
            "awarded_on": "2026-01-06",
        },
        content_type="application/json",
        **token_for("hr"),
    )
    assert r.status_code == 201, r.content
    page = hr.get(f"/honors/year/2026/?agency={org.agency.pk}").content.decode()
    assert "创建模范机关先进单位" in page and "全省侨联系统先进个人" in page
    assert client_for("staff").get("/honors/year/2026/").status_code == 404
    r = Client().post(
        "/api/v1/honors/external-honours",
        {
            "agency": org.agency.pk,
            "unit": org.office.pk,
            "kind": "advanced_unit",
            "title": "x",
            "approving_body": "y",
            "awarded_on": "2026-01-06",
        },
        content_type="application/json",
        **token_for("staff"),
    )
    assert r.status_code == 404
