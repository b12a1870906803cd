"""Pages and API of supervision: scoping (forbidden answers as missing), the lifecycle through
HTTP, fixed query counts on the ledger, the documents."""

from __future__ import annotations

import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from luoshi.core.models import AuditEntry
from luoshi.core.tests.samples import pdf_bytes
from luoshi.supervision import bulletins, services
from luoshi.supervision.models import Bulletin, SupervisionItem

from .conftest import D, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-09-26 09:00 +08:00", tick=False):
        yield


def assigned(org) -> SupervisionItem:
    item = register(org)
    services.item_assign(actor=org.users["supervisor"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    return item


def test_outsider_and_administrators_see_nothing(org, client_for, token_for) -> None:
    item = assigned(org)
    for persona in ("outsider", "admin", "auditor"):
        client = client_for(persona)
        assert client.get(f"/supervision/items/{item.pk}/").status_code == 404
        assert client.get(f"/supervision/items/{item.pk}/assignment-sheet.docx").status_code == 404
        assert client.get("/supervision/items/999999/").status_code == 404
        response = client.get("/api/v1/supervision/items", **token_for(persona))
        assert response.status_code == 200 and response.json()["count"] == 0
        assert (
            client.get(f"/api/v1/supervision/items/{item.pk}", **token_for(persona)).status_code
            == 404
        )
    # the lead unit, the cooperating unit's head-of-scope and the instructing leader see it
    assert client_for("staff").get(f"/supervision/items/{item.pk}/").status_code == 200
    assert client_for("leader").get(f"/supervision/items/{item.pk}/").status_code == 200
    assert client_for("vice").get(f"/supervision/items/{item.pk}/").status_code == 200


def test_register_page_numbers_the_item(org, client_for) -> None:
    client = client_for("supervisor")
    assert client.get("/supervision/register/").status_code == 200
    assert client_for("staff").get("/supervision/register/").status_code == 403
    response = client.post(
        "/supervision/register/",
        {
            "source": "instruction",
            "title": "研究侨商投资座谈会建议",
            "instruction_text": "请经济科技部研究落实。",
            "instruction_by": org.people["leader"].pk,
            "instruction_on": "2025-09-25",
            "kind": "routine",
            "urgency": "urgent",
            "lead_unit": org.econ.pk,
            "cooperating_units": [org.liaison.pk],
            "deadline_working_days": 5,
            "report_cadence": "weekly",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = SupervisionItem.objects.get()
    assert item.number == "督办〔2025〕1号"
    page = client.get(response["Location"])
    assert "督办〔2025〕1号" in page.content.decode()


def test_register_page_shows_errors_next_to_fields(org, client_for) -> None:
    response = client_for("supervisor").post(
        "/supervision/register/",
        {
            "source": "instruction",
            "title": "缺批示",
            "kind": "routine",
            "urgency": "normal",
            "lead_unit": org.econ.pk,
            "report_cadence": "monthly",
        },
    )
    assert response.status_code == 200
    assert not SupervisionItem.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_lifecycle_through_pages(org, client_for) -> None:
    item = register(org)
    sup, staff, vice = client_for("supervisor"), client_for("staff"), client_for("vice")
    assert (
        sup.post(f"/supervision/items/{item.pk}/do/assign/", {"version": item.version}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.status == "assigned" and item.deadline == D(2025, 10, 10)
    sheet = sup.get(f"/supervision/items/{item.pk}/assignment-sheet.docx")
    assert sheet.status_code == 200
    body = b"".join(sheet.streaming_content)
    xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
    assert "督查督办交办单" in xml and item.number in xml and "2025年10月10日" in xml
    assert (
        staff.post(
            f"/supervision/items/{item.pk}/do/accept/", {"version": item.version}
        ).status_code
        == 302
    )
    item.refresh_from_db()
    response = staff.post(
        f"/supervision/items/{item.pk}/feedback/",
        {"kind": "final", "text": "已落实完毕", "version": item.version},
    )
    assert response.status_code == 302
    feedback = item.feedback.get()
    assert (
        sup.post(
            f"/supervision/items/{item.pk}/feedback/{feedback.pk}/review/", {"decision": "accept"}
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.status == "reviewed"
    assert (
        staff.post(f"/supervision/items/{item.pk}/close-out/", {"decision": "approve"}).status_code
        == 403
    )
    assert (
        vice.post(
            f"/supervision/items/{item.pk}/close-out/",
            {"decision": "approve", "version": item.version},
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_on_time is True
    assert AuditEntry.objects.filter(action="supervision.export").count() == 1


def test_api_lifecycle(org, token_for) -> None:
    from django.test import Client

    client = Client()
    sup, staff, vice = token_for("supervisor"), token_for("staff"), token_for("vice")
    response = client.post(
        "/api/v1/supervision/items",
        {
            "title": "落实上级交办的侨情调查",
            "source": "higher_level",
            "source_document": "省委办公厅督办通知",
            "lead_unit": org.liaison.pk,
            "deadline": "2025-10-31",
        },
        content_type="application/json",
        **sup,
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["number"] == "督办〔2025〕1号"
    assert response.json()["leader_in_charge"] == org.people["vice"].pk  # from the matrix
    assert (
        client.post(
            "/api/v1/supervision/items",
            {
                "title": "x",
                "source": "meeting",
                "meeting": "m",
                "lead_unit": org.econ.pk,
                "deadline": "2025-10-31",
            },
            content_type="application/json",
            **staff,
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/supervision/items/{item_id}/assign",
            {},
            content_type="application/json",
            **sup,
        ).status_code
        == 200
    )
    liaison = token_for("committee")  # staff of 组织联络部
    assert (
        client.post(
            f"/api/v1/supervision/items/{item_id}/accept",
            {},
            content_type="application/json",
            **liaison,
        ).status_code
        == 200
    )
    ext = client.post(
        f"/api/v1/supervision/items/{item_id}/extensions",
        {"new_deadline": "2025-11-28", "reason": "需延期"},
        content_type="application/json",
        **liaison,
    )
    assert ext.status_code == 201, ext.content
    decided = client.post(
        f"/api/v1/supervision/items/{item_id}/extensions/{ext.json()['id']}/decide",
        {"approve": True},
        content_type="application/json",
        **vice,
    )
    assert decided.status_code == 200, decided.content
    fb = client.post(
        f"/api/v1/supervision/items/{item_id}/feedback",
        {
            "kind": "final",
            "text": "调查完成",
            "files": [{"name": "a.txt", "content_base64": "5a6M5oiQ"}],
        },
        content_type="application/json",
        **liaison,
    )
    assert fb.status_code == 201, fb.content
    assert fb.json()["attachments"] == ["a.txt"]
    assert (
        client.post(
            f"/api/v1/supervision/items/{item_id}/feedback/{fb.json()['id']}/review",
            {"accept": True},
            content_type="application/json",
            **sup,
        ).status_code
        == 200
    )
    closed = client.post(
        f"/api/v1/supervision/items/{item_id}/close-out",
        {"approve": True},
        content_type="application/json",
        **vice,
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed" and body["deadline"] == "2025-11-28"
    assert body["original_deadline"] == "2025-10-31"
    assert body["timeline"][0]["kind"] == "closed"
    listed = client.get("/api/v1/supervision/items?status=closed", **sup).json()
    assert listed["count"] == 1
    stats = client.get("/api/v1/supervision/statistics", **sup).json()
    assert stats[0]["closed"] == 1 and stats[0]["completion_rate"] == 100.0


def test_ledger_query_count_is_fixed(org, client_for) -> None:
    client = client_for("supervisor")
    register(org)
    client.get("/supervision/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/supervision/").status_code == 200
    for i in range(15):
        it = register(org, title=f"事项{i}", cooperating_units=[org.liaison, org.office])
        services.item_assign(actor=None, item=it, today=D(2025, 9, 26))
    client.get("/supervision/")  # warm again: new items renew the cached navigation
    with CaptureQueriesContext(connection) as many:
        response = client.get("/supervision/?q=&light=")
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as filtered:
        assert (
            client.get(f"/supervision/?lead_unit={org.econ.pk}&overdue=on&kind=routine").status_code
            == 200
        )
    assert len(filtered) <= len(few) + 1


def test_ledger_export_has_the_rules_columns_and_is_scoped(org, client_for) -> None:
    item = assigned(org)
    response = client_for("supervisor").get("/supervision/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "类型", "是否重大", "事项名称")
    assert "附件" in rows[0] and "退回日期" in rows[0] and "审核人" in rows[0]
    assert rows[1][0] == item.number
    assert AuditEntry.objects.filter(action="supervision.export").exists()
    assert client_for("outsider").get("/supervision/export.xlsx").status_code == 200
    other = load_workbook(
        io.BytesIO(
            b"".join(client_for("outsider").get("/supervision/export.xlsx").streaming_content)
        ),
        read_only=True,
    )
    assert len(list(other.active.iter_rows(values_only=True))) == 1  # the header only


def test_pages_render(org, client_for) -> None:
    item = assigned(org)
    for url in (
        "/supervision/",
        "/supervision/mine/",
        "/supervision/leader/",
        "/supervision/bulletins/",
        f"/supervision/items/{item.pk}/",
    ):
        for persona in ("supervisor", "staff", "vice", "leader"):
            assert client_for(persona).get(url).status_code == 200, (url, persona)
    mine = client_for("staff").get("/supervision/mine/").content.decode()
    assert item.title in mine
    leader = client_for("leader").get("/supervision/leader/").content.decode()
    assert item.title in leader  # bears the leader's instruction


def test_urging_notice_docx(org, client_for) -> None:
    item = assigned(org)
    services.run_ladder(D(2025, 10, 11))
    step = item.urgings.get(step="urging")
    response = client_for("staff").get(f"/supervision/items/{item.pk}/urging/{step.pk}.docx")
    assert response.status_code == 200
    xml = (
        zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        .read("word/document.xml")
        .decode()
    )
    assert "催办通知" in xml and "催办〔2025〕1号" in xml and org.econ.name in xml


def test_bulletin_compile_edit_publish(org, client_for) -> None:
    late = assigned(org)
    early = register(org, title="提前办结的事项")
    services.item_assign(actor=None, item=early, today=D(2025, 9, 26))
    early.refresh_from_db()
    services.item_accept(actor=org.users["staff"], item=early, today=D(2025, 9, 26))
    early.refresh_from_db()
    final = services.feedback_submit(
        actor=org.users["staff"], item=early, kind="final", text="完成", today=D(2025, 9, 29)
    )
    services.feedback_review(actor=org.users["supervisor"], feedback=final, accept=True)
    early.refresh_from_db()
    services.item_close_out(actor=org.users["vice"], item=early, approve=True, today=D(2025, 10, 9))
    services.run_ladder(D(2025, 10, 11))
    services.run_ladder(D(2025, 10, 20))
    services.refresh_lights(SupervisionItem.objects.all(), today=D(2025, 10, 31))
    with time_machine.travel("2025-11-01 09:00 +08:00", tick=False):
        sup = client_for("supervisor")
        response = sup.post("/supervision/bulletins/", {"month": "2025-10"})
        assert response.status_code == 302, response.content.decode()[:3000]
        bulletin = Bulletin.objects.get()
        data = bulletin.data
        row = data["units"][0]
        assert (
            row["assigned"],
            row["closed"],
            row["closed_on_time"],
            row["overdue"],
            row["open"],
        ) == (2, 1, 1, 1, 1)
        assert [r["number"] for r in data["red"]] == [late.number]
        assert [r["number"] for r in data["escalated"]] == [late.number]
        assert [r["number"] for r in data["early"]] == [early.number]
        # staff do not see the draft; the office edits and publishes
        assert client_for("staff").get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 404
        assert (
            sup.post(
                f"/supervision/bulletins/{bulletin.pk}/",
                {
                    "action": "save",
                    "title": bulletin.title,
                    "introduction": "本月情况如下。",
                    "closing": "请各单位抓紧办理。",
                    "version": bulletin.version,
                },
            ).status_code
            == 302
        )
        bulletin.refresh_from_db()
        assert (
            sup.post(
                f"/supervision/bulletins/{bulletin.pk}/",
                {"action": "publish", "version": bulletin.version},
            ).status_code
            == 302
        )
        page = client_for("staff").get(f"/supervision/bulletins/{bulletin.pk}/")
        assert page.status_code == 200 and "请各单位抓紧办理。" in page.content.decode()
        doc = client_for("staff").get(f"/supervision/bulletins/{bulletin.pk}.docx")
        xml = (
            zipfile.ZipFile(io.BytesIO(b"".join(doc.streaming_content)))
            .read("word/document.xml")
            .decode()
        )
        assert late.number in xml and "予以表扬" in xml
        assert (
            client_for("outsider").get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 404
        )
    assert bulletins.parse_month("2025-10") == D(2025, 10, 1)


def test_api_ledger_query_count_is_fixed(org, token_for) -> None:
    from django.test import Client

    client, header = Client(), token_for("supervisor")
    register(org)
    client.get("/api/v1/supervision/items", **header)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/supervision/items", **header).status_code == 200
    for i in range(10):
        register(org, title=f"事项{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/supervision/items", **header)
    assert response.json()["count"] == 11
    assert len(many) == len(few)


def test_settings_page_changes_the_ladder_and_prefix(org, client_for) -> None:
    from luoshi.supervision.models import SupervisionSettings

    assert client_for("staff").get("/supervision/settings/").status_code == 403
    client = client_for("supervisor")
    assert client.get("/supervision/settings/").status_code == 200
    response = client.post(
        "/supervision/settings/",
        {
            "number_prefix": "侨督",
            "urging_prefix": "侨催",
            "issuing_body": "测试省侨联办公室",
            "reminder_working_days": 2,
            "escalate_after_working_days": 3,
        },
    )
    assert response.status_code == 302
    conf = SupervisionSettings.objects.get(agency=org.agency)
    assert (conf.reminder_working_days, conf.escalate_after_working_days) == (2, 3)
    assert register(org).number == "侨督〔2025〕1号"
    assert AuditEntry.objects.filter(action="supervision.settings").count() == 1


def test_attachments_download_only_for_those_who_see_the_item(org, client_for) -> None:
    item = assigned(org)
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    response = client_for("staff").post(
        f"/supervision/items/{item.pk}/feedback/",
        {
            "kind": "periodic",
            "text": "阶段进展",
            "percent": 30,
            "version": item.version,
            "attachments": [SimpleUploadedFile("进展.pdf", pdf_bytes())],
        },
    )
    import re

    assert response.status_code == 302, re.findall(
        r"(?:invalid-feedback d-block|alert-danger)[^<]*<", response.content.decode()
    )
    attachment = item.feedback.get().attachments.get()
    url = f"/supervision/items/{item.pk}/attachments/{attachment.pk}/"
    assert client_for("supervisor").get(url).status_code == 200
    assert client_for("outsider").get(url).status_code == 404


def test_item_page_query_count_is_fixed(org, client_for) -> None:
    """Feedback, extension requests and the history name their people without a query each."""
    item = assigned(org)
    services.item_accept(actor=org.users["staff"], item=item, today=D(2025, 9, 26))
    client = client_for("supervisor")
    url = f"/supervision/items/{item.pk}/"

    def count() -> int:
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            item.refresh_from_db()
            feedback = services.feedback_submit(
                actor=org.users["staff"],
                item=item,
                kind="periodic",
                text=f"进展{i}",
                today=D(2025, 9, 27),
            )
            services.feedback_review(actor=org.users["supervisor"], feedback=feedback, accept=True)

    add(1)
    item.refresh_from_db()
    services.extension_request(
        actor=org.users["staff"], item=item, new_deadline=D(2025, 11, 28), reason="需协调"
    )
    small = count()
    add(5)
    assert count() == small


def test_home_counts_my_open_items_and_their_lights(org, client_for) -> None:
    import re

    def tiles(persona: str) -> dict[str, str]:
        html = client_for(persona).get("/").content.decode()
        return dict(
            re.findall(r'data-home="(items-[a-z]+)">\s*<div[^>]*>.*?</div>\s*<div[^>]*>(\d+)', html)
        )

    assert tiles("staff") == {}  # nothing open for the econ unit yet: no card
    item = assigned(org)  # led by 经济科技部
    SupervisionItem.objects.filter(pk=item.pk).update(light=SupervisionItem.Light.RED)
    assert tiles("staff") == {"items-open": "1", "items-red": "1", "items-yellow": "0"}
    assert tiles("head") == {}  # the office's head: not their unit's item
