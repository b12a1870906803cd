"""Import of units and people from xlsx: the shared sample, every kind of broken file, the API,
the page flow and the command. A failed import writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from luoshi.core.models import AuditEntry, StoredUpload
from luoshi.orgs import services
from luoshi.orgs import workbook as layout
from luoshi.orgs.imports import import_org_people
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.roles import Role
from luoshi.orgs.workbook import ImportInvalid, plan_import

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR).parent / "shared/data/org-people.xlsx"
SAMPLE_DOCX = Path(settings.BASE_DIR).parent / "shared/data/work-points-2024.docx"

UNIT_HEADERS = ["单位名称", "简称代码", "上级单位", "单位类型", "层级", "排序"]
PEOPLE_HEADERS = [
    "姓名",
    "性别",
    "出生年月",
    "政治面貌",
    "所在单位",
    "职务",
    "职级",
    "人员类别",
    "参加工作时间",
    "任现职时间",
    "手机号码",
]
ROOT = ["示例省侨联机关", "SLQ", "", "机关", "省级", 1]
DEPT = ["宣传部", "SL-XCB", "示例省侨联机关", "内设部门", "省级", 2]


def person(**changes: Any) -> list[Any]:
    """A valid people row in the sample's layout, with some cells changed by header."""
    row = {
        "姓名": "赵一",
        "性别": "男",
        "出生年月": "1980.05",
        "政治面貌": "中共党员",
        "所在单位": "宣传部",
        "职务": "",
        "职级": "一级科员",
        "人员类别": "参照公务员法管理",
        "参加工作时间": "2003.07",
        "任现职时间": "2020.01",
        "手机号码": "13800000001",
    }
    row.update(changes)
    return [row[h] for h in PEOPLE_HEADERS]


def workbook(
    units: Sequence[Sequence[Any]] | None = (ROOT, DEPT),
    people: Sequence[Sequence[Any]] | None = (),
    *,
    unit_headers: Sequence[str] = UNIT_HEADERS,
    people_headers: Sequence[str] = PEOPLE_HEADERS,
    unit_sheet: str = "单位",
    people_sheet: str = "人员",
) -> bytes:
    """An xlsx built here with openpyxl: None leaves a sheet out."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if units is not None:
        sheet = book.create_sheet(unit_sheet)
        sheet.append(list(unit_headers))
        for row in units:
            sheet.append(list(row))
    if people is not None:
        sheet = book.create_sheet(people_sheet)
        sheet.append(list(people_headers))
        for row in people:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts() -> tuple[int, int, int]:
    return OrgUnit.objects.count(), Person.objects.count(), AuditEntry.objects.count()


@contextmanager
def nothing_written() -> Iterator[None]:
    before = counts()
    yield
    assert counts() == before


def problems_of(data: bytes, actor: Any = None) -> list[dict[str, Any]]:
    """Import (for real) a file that must fail; return its problems; check nothing was written."""
    with nothing_written(), pytest.raises(ImportInvalid) as caught:
        import_org_people(data, actor=actor)
    assert caught.value.code == "import_invalid"
    assert caught.value.status == 422
    assert caught.value.details, "a failed import names its problems"
    for detail in caught.value.details:
        assert set(detail) == {"sheet", "row", "column", "message"}
        assert detail["message"]
    return caught.value.details


def only_problem(data: bytes, actor: Any = None) -> dict[str, Any]:
    found = problems_of(data, actor)
    assert len(found) == 1, found
    return found[0]


# --- the shared sample ----------------------------------------------------------------------------


def test_sample_imports_17_units_and_160_people_beside_an_existing_agency(org) -> None:
    units, people, entries = counts()
    result = import_org_people(SAMPLE, actor=org.users["admin"], file_name="org-people.xlsx")
    assert (result.units, result.people, result.dry_run) == (17, 160, False)
    assert OrgUnit.objects.count() == units + 17
    assert Person.objects.count() == people + 160
    # one audit entry per created unit and person, and one for the import itself
    assert AuditEntry.objects.count() == entries + 17 + 160 + 1
    assert AuditEntry.objects.filter(action="org_unit.create").count() >= 17
    summary = AuditEntry.objects.get(action="org_people.import")
    assert summary.actor_id == org.users["admin"].pk
    assert summary.after is not None
    assert (summary.after["units"], summary.after["people"]) == (17, 160)

    # 办公室 exists in both agencies: the sample's people went to the sample's own 办公室
    agency = OrgUnit.objects.get(code="BHQL")
    office = OrgUnit.objects.get(code="BGS")
    assert office.parent == agency and office.kind == OrgUnit.Kind.DEPARTMENT
    assert office.path.startswith(agency.path)
    assert office.people.count() == 13
    assert not org.office.people.filter(name="高宇").exists()
    gao = Person.objects.get(name="高宇")
    assert gao.unit == office
    assert gao.birth_month == dt.date(1970, 8, 1)
    assert gao.work_start == dt.date(1993, 11, 1)
    assert gao.post_since == dt.date(2016, 7, 1)
    assert gao.gender == Person.Gender.FEMALE
    assert gao.mobile == "13946885253"
    assert gao.rank is not None and gao.rank.name == "一级调研员"
    assert gao.post is not None and gao.post.name == "主任"
    assert gao.staff_category is not None and gao.staff_category.name == "参照公务员法管理"
    assert gao.political_status is not None and gao.political_status.name == "群众"
    city = OrgUnit.objects.get(code="C01")
    assert (city.kind, city.level, city.sort_order) == (
        OrgUnit.Kind.LOCAL,
        OrgUnit.Level.MUNICIPAL,
        201,
    )


def test_sample_dry_run_counts_and_writes_nothing(org) -> None:
    with nothing_written():
        result = import_org_people(SAMPLE, actor=org.users["admin"], dry_run=True)
    assert (result.units, result.people, result.dry_run) == (17, 160, True)


def test_importing_the_sample_twice_is_refused(org) -> None:
    import_org_people(SAMPLE, actor=org.users["admin"])
    found = problems_of(SAMPLE.read_bytes(), org.users["admin"])
    # every unit's code is taken now (the people would go to those new units, so the codes
    # are what stops the second import)
    assert {(p["sheet"], p["column"]) for p in found} == {("单位", "简称代码")}
    assert sorted(p["row"] for p in found) == list(range(2, 19))


def test_plan_lists_units_parents_first_and_people() -> None:
    data = workbook(
        units=[["宣传部", "X1", "示例省侨联机关", "内设部门", "省级", 2], ROOT],
        people=[person()],
    )
    plan = plan_import(data)
    assert plan.ok
    assert [u.code for u in plan.units] == ["SLQ", "X1"]
    assert plan.units[1].parent_row == 3
    assert plan.people[0].unit_row == 2


# --- names, months and other ways of writing things -----------------------------------------------


def test_same_name_with_different_birth_months_imports() -> None:
    data = workbook(people=[person(出生年月="1980.05"), person(出生年月="1991.11", 手机号码="")])
    result = import_org_people(data, actor=None)
    assert result.people == 2
    assert Person.objects.filter(name="赵一").count() == 2


def test_same_name_and_month_in_different_units_imports() -> None:
    data = workbook(people=[person(), person(所在单位="示例省侨联机关")])
    assert import_org_people(data, actor=None).people == 2


def test_months_in_every_accepted_form(org) -> None:
    rows = [
        person(姓名="甲", 出生年月=dt.datetime(1970, 8, 15)),
        person(姓名="乙", 出生年月="1970-08"),
        person(姓名="丙", 出生年月="1970年8月"),
        person(姓名="丁", 出生年月="1970/8"),
        person(姓名="戊", 出生年月=1970.08),
        person(姓名="己", 出生年月=1970.1),  # what Excel makes of a typed 1970.10
        person(姓名="庚", 出生年月=""),
        person(姓名="辛", 出生年月="１９７０．０８"),  # full-width
    ]
    import_org_people(workbook(people=rows), actor=None)
    months = dict(Person.objects.filter(unit__code="SL-XCB").values_list("name", "birth_month"))
    august = dt.date(1970, 8, 1)
    assert months == {
        "甲": august,
        "乙": august,
        "丙": august,
        "丁": august,
        "戊": august,
        "己": dt.date(1970, 10, 1),
        "庚": None,
        "辛": august,
    }


def test_levels_types_and_lists_in_other_words_and_scripts() -> None:
    units = [
        ["全国侨联", "QG", "", "機關", "全国", 1],
        ["某部", "QG-1", "QG", "内设部门", "国家", 2],
        ["某中心", "QG-2", "全國僑聯", "直属单位", "国家级", 3],
    ]
    people = [
        person(
            所在单位="某部", 人员类别="参公", 政治面貌="黨員", 性别="女性", 手机号码=13800000002
        ),
        person(所在单位="qg-2", 手机号码="+86 138-0000-0003"),
    ]
    result = import_org_people(workbook(units=units, people=people), actor=None)
    assert (result.units, result.people) == (3, 2)
    assert set(OrgUnit.objects.filter(code__startswith="QG").values_list("level", flat=True)) == {
        OrgUnit.Level.NATIONAL
    }
    assert OrgUnit.objects.get(code="QG").kind == OrgUnit.Kind.AGENCY
    assert OrgUnit.objects.get(code="QG-2").parent == OrgUnit.objects.get(code="QG")
    first = Person.objects.get(unit__code="QG-1")
    assert first.staff_category is not None and first.staff_category.name == "参照公务员法管理"
    assert first.political_status is not None and first.political_status.name == "中共党员"
    assert first.gender == Person.Gender.FEMALE and first.mobile == "13800000002"
    assert Person.objects.get(unit__code="QG-2").mobile == "13800000003"


def test_people_only_file_resolves_existing_units_by_name_short_name_or_code(org) -> None:
    people = [
        person(姓名="甲", 所在单位="經濟科技部"),  # Traditional script, existing unit
        person(姓名="乙", 所在单位="T-ZLB"),  # by code
    ]
    result = import_org_people(workbook(units=None, people=people), actor=org.users["admin"])
    assert result.people == 2
    assert Person.objects.get(name="甲").unit == org.econ
    assert Person.objects.get(name="乙").unit == org.liaison


def test_header_variants_extra_columns_and_a_title_row() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "单位"
    sheet.append(["单位信息表"])
    sheet.append(
        [
            "序号",
            "单位名称 *",
            "简称代码",
            "上级单位",
            "单位类型（机关/内设部门/直属单位/地方组织）",
            "层级",
            "排序",
        ]
    )
    sheet.append([1, "示例机关", "EX", None, "机关", "省级", None])
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_org_people(buffer.getvalue(), actor=None).units == 1
    assert OrgUnit.objects.get(code="EX").sort_order == 0


# --- broken files: each names its sheet, row and column, and writes nothing -----------------------


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"所在单位": "不存在的部门"}, "所在单位"),
        ({"出生年月": "1970.13"}, "出生年月"),
        ({"出生年月": "八月"}, "出生年月"),
        ({"参加工作时间": "2999.01"}, "参加工作时间"),
        ({"任现职时间": dt.datetime(1850, 1, 1)}, "任现职时间"),
        ({"手机号码": "1234"}, "手机号码"),
        ({"手机号码": "23800000001"}, "手机号码"),
        ({"职级": "宇宙级"}, "职级"),
        ({"职务": "总裁"}, "职务"),
        ({"政治面貌": "无"}, "政治面貌"),
        ({"人员类别": "外包"}, "人员类别"),
        ({"性别": "未知"}, "性别"),
        ({"姓名": ""}, "姓名"),
        ({"性别": None}, "性别"),
        ({"所在单位": " "}, "所在单位"),
    ],
)
def test_a_bad_people_cell_is_named(org, changes, column) -> None:
    data = workbook(people=[person(姓名="钱二", 出生年月="1985.01"), person(**changes)])
    problem = only_problem(data, org.users["admin"])
    assert (problem["sheet"], problem["row"], problem["column"]) == ("人员", 3, column)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["某部", "SL-2", "不存在的上级", "内设部门", "省级", 3], "上级单位"),
        (["某部", "SLQ", "示例省侨联机关", "内设部门", "省级", 3], "简称代码"),  # code used above
        (["某部", "T-BGS", "示例省侨联机关", "内设部门", "省级", 3], "简称代码"),  # in the DB
        (["某部", "t-bgs", "示例省侨联机关", "内设部门", "省级", 3], "简称代码"),  # any case
        (["某部", "SL-2", "示例省侨联机关", "科室", "省级", 3], "单位类型"),
        (["某部", "SL-2", "示例省侨联机关", "内设部门", "乡级", 3], "层级"),
        (["某部", "SL-2", "示例省侨联机关", "内设部门", "省级", "第三"], "排序"),
        (["", "SL-2", "示例省侨联机关", "内设部门", "省级", 3], "单位名称"),
        (["某部", "", "示例省侨联机关", "内设部门", "省级", 3], "简称代码"),
        (["某部", "SL-2", "某部", "内设部门", "省级", 3], "上级单位"),  # its own parent
    ],
)
def test_a_bad_unit_cell_is_named(org, row, column) -> None:
    problem = only_problem(workbook(units=[ROOT, DEPT, row]), org.users["admin"])
    assert (problem["sheet"], problem["row"], problem["column"]) == ("单位", 4, column)


def test_duplicate_person_in_the_file() -> None:
    problem = only_problem(workbook(people=[person(), person(手机号码="13800000009")]))
    assert (problem["sheet"], problem["row"], problem["column"]) == ("人员", 3, "姓名")
    with translation.override("en"):
        problem = only_problem(workbook(people=[person(), person()]))
    assert "row 2" in problem["message"]


def test_duplicate_of_an_existing_person(org) -> None:
    # 戊科员 of 经济科技部, born 1985.03, is in the fixture
    data = workbook(
        units=None, people=[person(姓名="戊科员", 出生年月="1985.03", 所在单位="经济科技部")]
    )
    problem = only_problem(data, org.users["admin"])
    assert (problem["sheet"], problem["row"], problem["column"]) == ("人员", 2, "姓名")
    # the same name born in another month is another person
    other = workbook(
        units=None, people=[person(姓名="戊科员", 出生年月="1990.03", 所在单位="经济科技部")]
    )
    assert import_org_people(other, actor=org.users["admin"]).people == 1


def test_ambiguous_unit_names_ask_for_the_code(org) -> None:
    units = [
        ROOT,
        ["另一机关", "LY", "", "机关", "省级", 2],
        DEPT,
        ["宣传部", "LY-XCB", "另一机关", "内设部门", "省级", 1],
    ]
    problem = only_problem(workbook(units=units, people=[person()]))
    assert (problem["sheet"], problem["row"], problem["column"]) == ("人员", 2, "所在单位")
    # by code it resolves
    assert (
        import_org_people(
            workbook(units=units, people=[person(所在单位="LY-XCB")]), actor=None
        ).people
        == 1
    )


def test_existing_ambiguous_unit_asks_for_the_code(org) -> None:
    import_org_people(SAMPLE, actor=org.users["admin"])
    data = workbook(units=None, people=[person(所在单位="办公室")])
    problem = only_problem(data, org.users["admin"])
    assert problem["column"] == "所在单位"
    with translation.override("en"):
        problem = only_problem(data, org.users["admin"])
    assert "code" in problem["message"]


def test_parent_loop() -> None:
    units = [
        ["甲部", "A", "乙部", "内设部门", "省级", 1],
        ["乙部", "B", "甲部", "内设部门", "省级", 2],
    ]
    problem = only_problem(workbook(units=units))
    assert (problem["sheet"], problem["column"]) == ("单位", "上级单位")


def test_every_problem_is_listed_not_just_the_first(org) -> None:
    rows = [
        person(性别="?"),
        person(姓名="孙三", 手机号码="1"),
        person(姓名="李四", 职级="无此职级"),
    ]
    found = problems_of(workbook(people=rows), org.users["admin"])
    assert [(p["row"], p["column"]) for p in found] == [(2, "性别"), (3, "手机号码"), (4, "职级")]


def test_missing_column() -> None:
    headers = [h for h in PEOPLE_HEADERS if h != "性别"]
    rows = [[v for h, v in zip(PEOPLE_HEADERS, person(), strict=True) if h != "性别"]]
    problem = only_problem(workbook(people=rows, people_headers=headers))
    assert (problem["sheet"], problem["row"], problem["column"]) == ("人员", 1, "性别")
    with translation.override("en"):
        assert "missing" in only_problem(workbook(people=rows, people_headers=headers))["message"]


def test_wrong_sheet() -> None:
    problem = only_problem(workbook(unit_sheet="Sheet1", people=None))
    assert problem["sheet"] == "Sheet1" and problem["row"] is None
    with translation.override("en"):
        message = only_problem(workbook(unit_sheet="Sheet1", people=None))["message"]
    assert "单位" in message and "人员" in message and "Sheet1" in message


def test_headers_only_is_an_empty_file() -> None:
    with translation.override("en"):
        problem = only_problem(workbook(units=[], people=[]))
    assert "no units and no people" in problem["message"]


@pytest.mark.parametrize(
    ("data", "code_word"),
    [
        (b"", "empty"),
        (os.urandom(2048), "not an Excel workbook"),
        (b"PK\x03\x04" + os.urandom(500), "damaged"),
        (SAMPLE_DOCX.read_bytes(), "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old-format"),
    ],
    ids=["empty", "random", "broken-zip", "docx", "xls"],
)
def test_not_an_xlsx(data, code_word) -> None:
    with translation.override("en"):
        problem = only_problem(data)
    assert code_word in problem["message"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("", None, "")


def test_too_big(settings) -> None:
    settings.LUOSHI_IMPORT_MAX_BYTES = 1000
    with translation.override("en"):
        problem = only_problem(SAMPLE.read_bytes())
    assert "larger than" in problem["message"]


def test_messages_follow_the_language() -> None:
    data = workbook(people=[person(手机号码="12")])
    with translation.override("en"):
        english = only_problem(data)["message"]
    assert english == "“12” is not a mobile number: it has 11 digits and starts with 1."
    assert only_problem(data)["message"]  # zh-hans by default: non-empty (catalogs are separate)
    with translation.override("en"), pytest.raises(ImportInvalid) as caught:
        import_org_people(data, actor=None)
    assert str(caught.value.message) == "The file has 1 problem; nothing was imported."


def test_a_failure_late_in_the_file_rolls_back_everything(org) -> None:
    # All of the sample, plus one bad person at the end: not a single unit or person is created.
    book = openpyxl.load_workbook(SAMPLE)
    book["人员"].append(person(所在单位="办公室", 手机号码="bad"))
    buffer = io.BytesIO()
    book.save(buffer)
    problem = only_problem(buffer.getvalue(), org.users["admin"])
    assert (problem["row"], problem["column"]) == (162, "手机号码")


# --- API ------------------------------------------------------------------------------------------

URL = "/api/v1/imports/org-people"


def post_file(client: Any, headers: dict[str, str], data: bytes, **fields: Any) -> Any:
    upload = SimpleUploadedFile("org-people.xlsx", data, content_type="application/octet-stream")
    return client.post(URL, {"file": upload, **fields}, **headers)


def test_api_imports_the_sample(client, token_for) -> None:
    headers = token_for("admin")
    response = post_file(client, headers, SAMPLE.read_bytes())
    assert response.status_code == 201, response.content
    assert response.json() == {"dry_run": False, "units": 17, "people": 160}
    assert OrgUnit.objects.filter(code="BHQL").exists()


def test_api_dry_run(client, token_for) -> None:
    headers = token_for("admin")
    with nothing_written():
        response = post_file(client, headers, SAMPLE.read_bytes(), dry_run="true")
    assert response.status_code == 201
    assert response.json() == {"dry_run": True, "units": 17, "people": 160}


def test_api_reports_problems(client, token_for) -> None:
    headers = token_for("admin")
    data = workbook(people=[person(出生年月="1970.13")])
    with nothing_written():
        response = post_file(client, {**headers, "HTTP_ACCEPT_LANGUAGE": "en"}, data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_invalid"
    assert body["details"] == [
        {
            "sheet": "人员",
            "row": 2,
            "column": "出生年月",
            "message": "“1970.13” is not a year and month. Write it like 1970.08.",
        }
    ]


def test_api_not_an_xlsx_and_no_file(client, token_for) -> None:
    headers = token_for("admin")
    response = post_file(client, headers, b"just some text")
    assert response.status_code == 422 and response.json()["code"] == "import_invalid"
    response = client.post(URL, {"dry_run": "true"}, **headers)
    assert response.status_code == 422
    assert response.json()["details"][0]["column"] == "file"


@pytest.mark.parametrize("persona", ["staff", "hr", "leader", "auditor", "security"])
def test_api_is_not_found_for_others(client, token_for, persona) -> None:
    headers = token_for(persona)
    with nothing_written():
        response = post_file(client, headers, SAMPLE.read_bytes())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_needs_credentials(client, org) -> None:
    response = post_file(client, {}, SAMPLE.read_bytes())
    assert response.status_code == 401


# --- pages ----------------------------------------------------------------------------------------


SESSION_KEY = "orgs_import_upload"


def stored() -> list[StoredUpload]:
    return list(StoredUpload.objects.filter(purpose="org_people").order_by("id"))


def upload(client: Any, data: bytes, name: str = "样例.xlsx") -> Any:
    return client.post(
        reverse("orgs:import"), {"action": "upload", "file": SimpleUploadedFile(name, data)}
    )


def in_english(client: Any, response: Any) -> str:
    """The page a redirect leads to (with the messages it shows); the client asks for English."""
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def no_var_dir(settings: Any, tmp_path: Path) -> Path:
    """VAR_DIR is a plain file here: any attempt to keep an upload under it would fail."""
    blocker = tmp_path / "var"
    blocker.write_bytes(b"")
    settings.VAR_DIR = blocker
    return blocker


def test_page_flow_upload_preview_commit(org, client_for, no_var_dir) -> None:
    client = client_for("admin")
    url = reverse("orgs:import")
    page = client.get(url)
    assert page.status_code == 200
    assert b'type="file"' in page.content and b'name="file"' in page.content
    with nothing_written():
        response = upload(client, SAMPLE.read_bytes())
        assert response.status_code == 302
        assert response["Location"].endswith("?step=preview")
        preview = client.get(response["Location"])
    assert preview.status_code == 200
    text = preview.content.decode()
    assert 'id="import-units-count">17<' in text
    assert 'id="import-people-count">160<' in text
    assert "滨海省归国华侨联合会机关" in text and "高宇" in text
    assert 'name="action" value="commit"' in text
    # the file is in the database, the session holds only its token (no name, no path)
    token = client.session[SESSION_KEY]
    assert isinstance(token, str) and "/" not in token and "\\" not in token
    [row] = stored()
    assert (row.token, row.owner_id, row.name) == (token, org.users["admin"].pk, "样例.xlsx")
    assert bytes(row.content) == SAMPLE.read_bytes()
    assert f'name="token" value="{token}"' in text
    assert "样例.xlsx" in client.get(url).content.decode()  # "waiting to be imported"

    response = client.post(url, {"action": "commit", "token": token})
    assert response.status_code == 302 and response["Location"].endswith("?step=done")
    assert OrgUnit.objects.filter(code="BHQL").exists()
    assert Person.objects.filter(unit__code="BGS").count() == 13
    assert stored() == []  # the file is gone once imported
    assert SESSION_KEY not in client.session
    done = client.get(response["Location"]).content.decode()
    assert 'id="import-units-created">17<' in done
    assert 'id="import-people-created">160<' in done
    # the same commit again does nothing
    again = client.post(url, {"action": "commit", "token": token})
    assert again.status_code == 302 and not again["Location"].endswith("done")
    assert OrgUnit.objects.filter(code="BHQL").count() == 1
    assert no_var_dir.is_file()  # VAR_DIR was never needed


def test_page_commit_on_another_app_process(org, settings, tmp_path) -> None:
    """Preview on one host, commit on another that shares only the database."""
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    host_a.mkdir()
    host_b.mkdir()
    settings.VAR_DIR = host_a
    first = Client()
    first.force_login(org.users["admin"], backend="luoshi.orgs.auth.AccountBackend")
    upload(first, SAMPLE.read_bytes())
    assert (
        'id="import-people-count">160<'
        in first.get(reverse("orgs:import") + "?step=preview").content.decode()
    )
    token = first.session[SESSION_KEY]

    settings.VAR_DIR = host_b
    second = Client()  # another process: same session cookie, nothing else
    second.cookies = first.cookies
    response = second.post(reverse("orgs:import"), {"action": "commit", "token": token})
    assert response["Location"].endswith("?step=done")
    assert Person.objects.filter(unit__code="BGS").count() == 13
    assert list(host_a.iterdir()) == [] and list(host_b.iterdir()) == []


def test_page_a_new_upload_replaces_the_waiting_one(client_for) -> None:
    client = client_for("admin")
    upload(client, workbook(), "first.xlsx")
    first = client.session[SESSION_KEY]
    upload(client, SAMPLE.read_bytes(), "second.xlsx")
    second = client.session[SESSION_KEY]
    assert first != second
    assert [(u.token, u.name) for u in stored()] == [(second, "second.xlsx")]


def test_page_token_of_another_users_session_is_not_found(org, client_for) -> None:
    owner = client_for("admin")
    upload(owner, SAMPLE.read_bytes())
    token = owner.session[SESSION_KEY]
    other_admin = services.user_create(
        actor=None, username="admin2", password="Admin-two-pass-1", roles=[Role.SYSTEM_ADMIN]
    )
    thief = Client()
    thief.force_login(other_admin, backend="luoshi.orgs.auth.AccountBackend")
    thief.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    session = thief.session
    session[SESSION_KEY] = token  # as if the token leaked into another user's session
    session.save()
    url = reverse("orgs:import")
    with nothing_written():
        assert "Upload the file first." in in_english(thief, thief.get(url + "?step=preview"))
        assert "is waiting to be imported" not in in_english(
            thief, thief.post(url, {"action": "x"})
        )
        commit = thief.post(url, {"action": "commit", "token": token})
        assert "Upload the file again to import it." in in_english(thief, commit)
        thief.post(url, {"action": "cancel"})  # discards nothing of the owner's
    assert [u.token for u in stored()] == [token]
    response = owner.post(url, {"action": "commit", "token": token})
    assert response["Location"].endswith("?step=done")


def test_page_upload_older_than_a_day_must_be_uploaded_again(client_for) -> None:
    client = client_for("admin")
    url = reverse("orgs:import")
    upload(client, SAMPLE.read_bytes())
    token = client.session[SESSION_KEY]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # a day later (the session stays alive: only the upload ages)
    StoredUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    with nothing_written():
        assert "Upload the file first." in in_english(client, client.get(url + "?step=preview"))
        commit = client.post(url, {"action": "commit", "token": token})
        assert "Upload the file again to import it." in in_english(client, commit)


def test_page_preview_lists_every_problem_and_offers_no_commit(client_for) -> None:
    client = client_for("admin")
    url = reverse("orgs:import")
    data = workbook(people=[person(手机号码="1"), person(姓名="周五", 性别="?")])
    with nothing_written():
        upload(client, data, "bad.xlsx")
        preview = client.get(url + "?step=preview", HTTP_ACCEPT_LANGUAGE="en")
        text = preview.content.decode()
        assert 'value="commit"' not in text
        assert "手机号码" in text and "性别" in text
        assert "“1” is not a mobile number" in text
        # a forged commit is refused by the importer, not by the page alone
        token = client.session[SESSION_KEY]
        client.post(url, {"action": "commit", "token": token})
        assert len(stored()) == 1  # still there to preview again
        client.post(url, {"action": "cancel"})
    assert SESSION_KEY not in client.session
    assert stored() == []


def test_page_refuses_a_file_that_is_not_an_xlsx(client_for) -> None:
    client = client_for("admin")
    with translation.override("en"):
        response = client.post(
            reverse("orgs:import"),
            {"action": "upload", "file": SimpleUploadedFile("x.docx", SAMPLE_DOCX.read_bytes())},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422
    assert "not an Excel workbook" in response.content.decode()
    assert stored() == []


def test_page_commit_with_a_forged_token_does_nothing(client_for) -> None:
    client = client_for("admin")
    url = reverse("orgs:import")
    upload(client, SAMPLE.read_bytes())
    with nothing_written():
        response = client.post(url, {"action": "commit", "token": "../../etc/passwd"})
        assert response.status_code == 302 and not response["Location"].endswith("done")
        response = client.post(url, {"action": "commit"})
        assert response.status_code == 302 and not response["Location"].endswith("done")
    assert len(stored()) == 1
    client.post(url, {"action": "cancel"})
    assert stored() == []


@pytest.mark.parametrize("persona", ["staff", "hr", "leader", "auditor", "security", "outsider"])
def test_page_is_not_found_for_others(client_for, persona) -> None:
    client = client_for(persona)
    assert client.get(reverse("orgs:import")).status_code == 404
    with nothing_written():
        response = client.post(
            reverse("orgs:import"),
            {"action": "upload", "file": SimpleUploadedFile("a.xlsx", SAMPLE.read_bytes())},
        )
    assert response.status_code == 404


# --- command --------------------------------------------------------------------------------------


def test_command_dry_run_and_import(org) -> None:
    out = io.StringIO()
    with nothing_written():
        call_command("import_people", str(SAMPLE), "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"dry_run": True, "units": 17, "people": 160}
    out = io.StringIO()
    call_command("import_people", str(SAMPLE), stdout=out)
    assert "17" in out.getvalue() and "160" in out.getvalue()
    assert Person.objects.filter(unit__code="BGS").count() == 13


def test_command_reports_problems_and_fails(tmp_path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(people=[person(手机号码="1")]))
    out = io.StringIO()
    with nothing_written(), pytest.raises(CommandError) as caught:
        call_command("import_people", str(bad), "--json", stdout=out)
    assert caught.value.returncode == 1
    body = json.loads(out.getvalue())
    assert body["code"] == "import_invalid"
    assert body["details"][0]["row"] == 2 and body["details"][0]["column"] == "手机号码"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", str(bad), stdout=out)
    assert "人员 2 手机号码" in out.getvalue()


def test_workbook_module_knows_the_layout() -> None:
    assert [c.header for c in layout.UNIT_COLUMNS] == UNIT_HEADERS
    assert [c.header for c in layout.PEOPLE_COLUMNS] == PEOPLE_HEADERS
