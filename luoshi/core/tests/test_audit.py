"""The audit log: every write is recorded, the chain holds and names tampering, the database
refuses changes, and only the audit administrator reads it (page, export, API)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, cast

import openpyxl
import pytest
import time_machine
from django.core.management import call_command, get_commands
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from luoshi.core import audit
from luoshi.core.models import AuditEntry
from luoshi.orgs import services
from luoshi.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def last_entry(action: str | None = None) -> AuditEntry:
    qs = AuditEntry.objects.all()
    if action is not None:
        qs = qs.filter(action=action)
    entry = qs.order_by("-id").first()
    assert entry is not None, f"no {action or ''} entry"
    return entry


def run_verify(*args: str) -> tuple[int, str, str]:
    """`luoshi verify-audit`: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def lift_guard() -> None:
    """Remove the append-only guard inside the test's transaction (rolled back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")


FORGE_AFTER = {
    "postgresql": "UPDATE core_auditentry SET after = %s::jsonb WHERE id = %s",
    "sqlite": "UPDATE core_auditentry SET after = %s WHERE id = %s",
}


# --- every write is recorded -------------------------------------------------------------------


def test_page_write_records_actor_before_after_and_client_address(org, client_for) -> None:
    client = client_for("staff")
    response = client.post("/language/", {"language": "en"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    entry = last_entry("user.language")
    assert entry.actor_id == org.users["staff"].pk
    assert entry.actor_name == "staff"
    assert entry.before == {"language": org.users["staff"].language}
    assert entry.after == {"language": "en"}
    assert entry.client_ip == "203.0.113.7"
    assert entry.object_type == "orgs.user"
    assert entry.object_id == str(org.users["staff"].pk)


def test_api_write_records_client_address(org, client) -> None:
    from conftest import PASSWORD

    response = client.post(
        "/api/v1/auth/token",
        {"username": "staff", "password": PASSWORD, "name": "script"},
        content_type="application/json",
        REMOTE_ADDR="2001:db8::5",
    )
    assert response.status_code == 201, response.content
    login = last_entry("auth.login")
    token = last_entry("api_token.create")
    assert login.actor_id == token.actor_id == org.users["staff"].pk
    assert login.client_ip == token.client_ip == "2001:db8::5"
    assert token.after is not None
    assert token.after["name"] == "script"
    assert token.after["prefix"] == response.json()["token"][:10]
    assert token.after["expires_at"][:19] == response.json()["expires_at"][:19]


def login_from(client: Any, **headers: str) -> str | None:
    """Log in through the API with these request headers; the client address it recorded."""
    from conftest import PASSWORD

    body = {"username": "staff", "password": PASSWORD}
    response = client.post("/api/v1/auth/token", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return last_entry("auth.login").client_ip


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(org, client, settings) -> None:
    headers = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert login_from(client, **headers) == "10.0.0.1"
    settings.LUOSHI_TRUST_X_FORWARDED_FOR = True
    assert login_from(client, **headers) == "198.51.100.9"


def test_forwarded_address_is_the_one_our_proxy_added(org, client, settings) -> None:
    """Entries left of our proxy's come from the client: a forged one is never recorded."""
    settings.LUOSHI_TRUST_X_FORWARDED_FOR = True
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.9"}
    assert login_from(client, **forged) == "198.51.100.9"
    assert login_from(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=" 2001:DB8::7 ") == (
        "2001:db8::7"
    )
    two_proxies = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.9, 10.0.0.1",
    }
    settings.LUOSHI_TRUSTED_PROXY_COUNT = 2
    assert login_from(client, **two_proxies) == "198.51.100.9"
    # fewer entries than proxies: the request did not come through them all
    assert login_from(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9") == (
        "10.0.0.2"
    )


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "198.51.100.9, not-an-ip", "198.51.100.9:443", "'; DROP", ", ,"]
)
def test_a_malformed_forwarded_address_falls_back_to_the_peer(
    org, client, settings, forwarded
) -> None:
    """A value the inet column would refuse must not break the audited write (PostgreSQL)."""
    settings.LUOSHI_TRUST_X_FORWARDED_FOR = True
    assert login_from(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded) == "10.0.0.1"
    assert AuditEntry.objects.filter(action="api_token.create").exists()


def test_a_page_write_behind_the_proxy_records_the_validated_address(
    org, client_for, settings
) -> None:
    settings.LUOSHI_TRUST_X_FORWARDED_FOR = True
    client = client_for("staff")
    bad = client.post(
        "/language/", {"language": "en"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="bogus"
    )
    assert bad.status_code == 302
    assert last_entry("user.language").client_ip == "10.0.0.1"


def test_service_writes_record_actor_and_before_after(org) -> None:
    admin = org.users["admin"]
    person = org.people["staff"]
    old_mobile = person.mobile
    services.person_update(actor=admin, person=person, mobile="13900000099")
    entry = last_entry("person.update")
    assert (entry.actor_id, entry.actor_name) == (admin.pk, "admin")
    assert isinstance(entry.before, dict) and isinstance(entry.after, dict)
    assert entry.before["mobile"] == old_mobile
    assert entry.after["mobile"] == "13900000099"
    assert entry.object_repr == str(person)

    services.org_unit_update(actor=admin, unit=org.econ, name="经济科技处")
    entry = last_entry("org_unit.update")
    assert isinstance(entry.before, dict) and isinstance(entry.after, dict)
    assert entry.before["name"] == "经济科技部"
    assert entry.after["name"] == "经济科技处"
    assert entry.actor_id == admin.pk

    before = AuditEntry.objects.count()
    services.role_assign(actor=admin, user=org.users["staff"], role="supervisor")
    assert AuditEntry.objects.count() == before + 1
    assert last_entry().after == {"role": "supervisor", "scope": "subtree", "anchor": None}
    assert last_entry().client_ip is None  # no request: no client address


# --- the chain ---------------------------------------------------------------------------------


def test_verify_audit_is_a_command() -> None:
    assert get_commands()["verify-audit"] == "luoshi.core"


def test_chain_verifies_on_a_clean_log(org) -> None:
    total = AuditEntry.objects.count()
    assert total > 40
    report = audit.verify_chain(batch_size=7)  # several batches
    assert report.ok and report.checked == total
    assert report.last_hash == last_entry().hash
    status, out, err = run_verify()
    assert (status, out.split(";")[0], err) == (0, f"OK: {total} entries", "")
    status, out, _err = run_verify("--json", "--batch-size", "5")
    data = json.loads(out)
    assert status == 0
    assert data["ok"] is True and data["checked"] == total and data["first_broken_id"] is None


def test_an_empty_log_verifies() -> None:
    status, out, _err = run_verify()
    assert (status, out.split(";")[0]) == (0, "OK: 0 entries")


def test_entries_link_to_the_one_before(org) -> None:
    first, second = AuditEntry.objects.order_by("id")[:2]
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert audit.compute_hash(second) == second.hash


def test_a_changed_entry_is_named(org) -> None:
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    target = ids[len(ids) // 2]
    lift_guard()
    with connection.cursor() as cursor:
        cursor.execute(
            FORGE_AFTER[connection.vendor],
            [json.dumps({"mobile": "forged"}), target],
        )
    assert AuditEntry.objects.get(pk=target).after == {"mobile": "forged"}
    status, out, err = run_verify()
    assert status == 1
    assert out == ""
    assert f"entry #{target}:" in err
    assert "does not match its hash" in err
    status, out, _err = run_verify("--json")
    data = json.loads(out)
    assert status == 1
    assert (data["ok"], data["first_broken_id"], data["reason"]) == (False, target, "hash")
    assert data["checked"] == ids.index(target)


def test_a_deleted_entry_breaks_the_link_after_it(org) -> None:
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    middle = len(ids) // 2
    lift_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [ids[middle]])
    status, _out, err = run_verify()
    assert status == 1
    assert f"entry #{ids[middle + 1]}:" in err
    assert f"hash of entry #{ids[middle - 1]}" in err
    report = audit.verify_chain()
    assert (report.first_broken_id, report.reason, report.previous_id) == (
        ids[middle + 1],
        "link",
        ids[middle - 1],
    )


def test_a_recomputed_hash_still_breaks_the_next_link(org) -> None:
    """Rewriting an entry and its own hash moves the break to the next entry: still named."""
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    target = ids[3]
    lift_guard()
    entry = AuditEntry.objects.get(pk=target)
    entry.object_repr = "forged"
    forged_hash = audit.compute_hash(entry)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s, hash = %s WHERE id = %s",
            ["forged", forged_hash, target],
        )
    report = audit.verify_chain()
    assert (report.first_broken_id, report.reason) == (ids[4], "link")


# --- the database and the model refuse changes -------------------------------------------------


def test_the_database_refuses_update_and_delete(org) -> None:
    entry = last_entry()
    for sql in (
        "UPDATE core_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE core_auditentry")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert (fresh.action, fresh.hash) == (entry.action, entry.hash)
    assert audit.verify_chain().ok


def test_the_model_refuses_save_and_delete(org) -> None:
    entry = last_entry()
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action != "forged"


def test_iter_batches_walks_each_row_once_in_order(org) -> None:
    qs = AuditEntry.objects.all()
    expected = list(qs.order_by("id").values_list("id", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        batches = list(audit.iter_batches(qs, batch=10))
    assert [e.id for b in batches for e in b] == expected
    assert all(len(b) <= 10 for b in batches)
    assert len(ctx.captured_queries) == len(expected) // 10 + 1
    newest = [
        e.id
        for b in audit.iter_batches(qs.filter(action="person.create"), newest_first=True, batch=4)
        for e in b
    ]
    assert newest == sorted(
        qs.filter(action="person.create").values_list("id", flat=True), reverse=True
    )


# --- the page ----------------------------------------------------------------------------------


def make_entries(org: Any) -> dict[str, AuditEntry]:
    admin, staff = org.users["admin"], org.users["staff"]
    with time_machine.travel(dt.datetime(2024, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        march = audit.record(
            "test.alpha",
            actor=admin,
            object_type="orgs.person",
            object_id=1,
            object_repr="归侨侨眷联谊会",
            before={"mobile": "13900000001"},
            after={"mobile": "13900000002"},
        )
    with time_machine.travel(dt.datetime(2024, 5, 1, 23, 30, tzinfo=SHANGHAI), tick=False):
        may = audit.record(
            "test.beta",
            actor=staff,
            object_type="orgs.orgunit",
            object_id=2,
            object_repr="省僑務信息中心",
            after={"name": "信息中心"},
        )
        formula = audit.record(
            "test.beta", actor=staff, object_type="orgs.orgunit", object_repr="=1+1"
        )
    return {"march": march, "may": may, "formula": formula}


def shown_ids(response: Any) -> set[int]:
    return {row.entry.pk for row in response.context["rows"]}


def test_auditor_reads_the_log_and_filters_it(org, client_for) -> None:
    e = make_entries(org)
    client = client_for("auditor")
    response = client.get("/audit/")
    assert response.status_code == 200
    assert e["formula"].pk in shown_ids(response)
    assert "test.alpha" in response.content.decode()

    def ids(**query: str) -> set[int]:
        response = client.get("/audit/", query)
        assert response.status_code == 200
        return shown_ids(response)

    assert ids(actor="ADMIN") == {e["march"].pk}
    assert ids(action="test.beta") == {e["may"].pk, e["formula"].pk}
    assert ids(object_type="orgs.person", action="test.alpha") == {e["march"].pk}
    assert ids(since="2024-03-02", until="2024-05-01") == {e["may"].pk, e["formula"].pk}
    assert ids(since="2024-03-01", until="2024-03-01") == {e["march"].pk}
    assert ids(until="2024-02-29") == set()
    assert ids(q="侨务") == {e["may"].pk}  # Simplified finds Traditional
    assert ids(q="僑眷") == {e["march"].pk}  # and back
    assert ids(since="0001-01-01", until="9999-12-31", action="test.alpha") == {e["march"].pk}


def test_the_page_shows_before_and_after(org, client_for) -> None:
    make_entries(org)
    html = client_for("auditor").get("/audit/", {"action": "test.alpha"}).content.decode()
    assert "<details>" in html
    assert "13900000001" in html and "13900000002" in html
    assert "归侨侨眷联谊会" in html


def test_object_types_read_as_the_models_names(org, client_for) -> None:
    """The table and the object-type filter name models in the user's language; a code that
    names no model is shown as it is."""
    e = make_entries(org)
    legacy = audit.record("test.gamma", object_type="legacy.thing", object_repr="旧")
    client = client_for("auditor")
    en = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en")
    choices = dict(en.context["form"].fields["object_type"].choices)
    assert choices["orgs.person"] == "Person"
    assert choices["orgs.orgunit"] == "Org unit"
    assert choices["legacy.thing"] == "legacy.thing"
    rows = {row.entry.pk: row.object_type for row in en.context["rows"]}
    assert rows[e["march"].pk] == "Person"
    assert rows[e["may"].pk] == "Org unit"
    assert rows[legacy.pk] == "legacy.thing"
    html = en.content.decode()
    assert '<option value="orgs.person" >Person</option>' in html
    assert 'title="orgs.person #1">Person</div>' in html  # the id only in the title
    zh = client.get("/audit/", {"object_type": "orgs.person"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<option value="orgs.person" selected>人员</option>' in zh.content.decode()
    assert {row.object_type for row in zh.context["rows"]} == {"人员"}


def test_a_bad_filter_is_shown_and_ignored(org, client_for) -> None:
    make_entries(org)
    total = AuditEntry.objects.count()
    response = client_for("auditor").get("/audit/", {"since": "2024-13-45", "action": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"since", "action"}
    assert len(response.context["rows"]) == min(total, 50)


def test_pagination_keeps_the_filters(org, client_for) -> None:
    for i in range(55):
        audit.record("test.bulk", object_type="orgs.person", object_repr=f"批量{i}")
    client = client_for("auditor")
    first = client.get("/audit/", {"action": "test.bulk"})
    assert len(first.context["rows"]) == 50
    assert "action=test.bulk&amp;page=2" in first.content.decode()
    second = client.get("/audit/", {"action": "test.bulk", "page": "2"})
    assert len(second.context["rows"]) == 5
    assert shown_ids(first).isdisjoint(shown_ids(second))


def test_reading_the_log_is_recorded(org, client_for) -> None:
    client_for("auditor").get("/audit/", {"actor": "admin", "page": "1"}, REMOTE_ADDR="192.0.2.1")
    entry = last_entry()
    assert entry.action == "audit.view"
    assert entry.actor_name == "auditor"
    assert entry.client_ip == "192.0.2.1"
    assert entry.after == {"filters": {"actor": "admin"}, "page": 1}
    assert audit.verify_chain().ok


@pytest.mark.parametrize("persona", ["admin", "security", "leader", "staff", "outsider"])
def test_everyone_else_gets_not_found(org, client_for, persona) -> None:
    client = client_for(persona)
    before = AuditEntry.objects.count()
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.xlsx").status_code == 404
    assert AuditEntry.objects.count() == before


def test_anonymous_is_sent_to_log_in(client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_nav_shows_the_audit_log_to_the_auditor_only(org, client_for) -> None:
    assert 'href="/audit/"' in client_for("auditor").get("/").content.decode()
    assert 'href="/audit/"' not in client_for("admin").get("/").content.decode()


# --- the export --------------------------------------------------------------------------------


def read_xlsx(response: Any) -> list[tuple[Any, ...]]:
    data = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_export_is_a_valid_xlsx_of_the_filtered_log(org, client_for) -> None:
    e = make_entries(org)
    client = client_for("auditor")
    response = client.get("/audit/export.xlsx", {"action": "test.beta"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert len(rows) == 3  # header + 2
    assert [r[0] for r in rows[1:]] == [e["formula"].pk, e["may"].pk]
    formula, may = rows[1], rows[2]
    assert formula[7] == "=1+1"  # text, not a formula
    assert may[1] == dt.datetime(2024, 5, 1, 23, 30)  # local time
    assert (may[2], may[4], may[5], may[7]) == (
        "staff",
        "test.beta",
        "orgs.orgunit",
        "省僑務信息中心",
    )
    assert json.loads(may[9]) == {"name": "信息中心"}
    assert may[10] == e["may"].hash
    entry = last_entry()
    assert entry.action == "audit.export"
    assert entry.after == {"filters": {"action": "test.beta"}, "rows": 2}


def test_export_cell_keeps_text_as_text(org, client_for) -> None:
    make_entries(org)
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(
                client_for("auditor").get("/audit/export.xlsx", {"q": "=1+1"}).streaming_content
            )
        )
    )
    cell = workbook.worksheets[0]["H2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_export_of_the_whole_log_streams_in_batches(org, client_for, monkeypatch) -> None:
    from luoshi.orgs.views import audit as views

    monkeypatch.setattr(views, "EXPORT_BATCH", 10)
    total = AuditEntry.objects.count()
    rows = read_xlsx(client_for("auditor").get("/audit/export.xlsx"))
    assert len(rows) == total + 1
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == total


# --- the API -----------------------------------------------------------------------------------


def test_api_lists_the_log_for_the_auditor(org, client, token_for) -> None:
    e = make_entries(org)
    response = client.get("/api/v1/audit", {"action": "test.alpha"}, **token_for("auditor"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["count"], data["page"], data["pages"]) == (1, 1, 1)
    (row,) = data["results"]
    assert set(row) == {
        "id",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
        "client_ip",
        "hash",
        "prev_hash",
    }
    march = e["march"]
    assert row["id"] == march.pk and row["actor"] == "admin"
    assert row["before"] == {"mobile": "13900000001"} and row["after"] == {"mobile": "13900000002"}
    assert row["hash"] == march.hash and row["prev_hash"] == march.prev_hash
    assert dt.datetime.fromisoformat(row["at"]) == march.at
    reading = last_entry()
    assert (reading.action, reading.actor_name) == ("audit.view", "auditor")
    assert reading.after == {"filters": {"action": "test.alpha"}, "page": 1, "via": "api"}


def test_api_filters_and_pages(org, client, token_for) -> None:
    e = make_entries(org)
    headers = token_for("auditor")

    def get(**query: Any) -> Any:
        response = client.get("/api/v1/audit", query, **headers)
        assert response.status_code == 200, response.content
        return response.json()

    assert [r["id"] for r in get(q="侨务")["results"]] == [e["may"].pk]
    assert [r["id"] for r in get(actor="staff", since="2024-05-01")["results"]] == [
        e["formula"].pk,
        e["may"].pk,
    ]
    assert get(until="2024-02-29")["count"] == 0
    nul = client.get("/api/v1/audit", {"q": "x\x00y"}, **headers)
    assert nul.status_code == 422  # the API refuses NUL characters in the query
    assert nul.json()["code"] == "invalid"
    total = AuditEntry.objects.count()
    page = get(page_size=7, page=2)
    assert page["count"] == total and page["page"] == 2 and len(page["results"]) == 7
    assert page["pages"] == -(-total // 7)
    assert get(page_size=7, page=99999)["page"] == page["pages"]


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2024-02-30"},
        {"until": "yesterday"},
        {"since": "0"},
        {"until": "1700000000"},
        {"since": "2024-01-01T00:00:00"},
        {"page_size": "201"},
        {"page": "0"},
        {"q": "x" * 300},
    ],
)
def test_api_bad_input_is_422(org, client, token_for, query) -> None:
    response = client.get("/api/v1/audit", query, **token_for("auditor"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("persona", ["admin", "security", "staff", "outsider"])
def test_api_answers_not_found_to_everyone_else(org, client, token_for, persona) -> None:
    response = client.get("/api/v1/audit", **token_for(persona))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_accepts_the_auditors_session(org, client_for) -> None:
    assert client_for("auditor").get("/api/v1/audit").status_code == 200
    assert client_for("admin").get("/api/v1/audit").status_code == 404


# --- query counts ------------------------------------------------------------------------------


def add_entries(n: int) -> None:
    for i in range(n):
        audit.record(
            "test.bulk",
            object_type="orgs.person",
            object_repr=f"批量{i}",
            before={"n": i},
            after={"n": i + 1},
        )


def count_queries(client: Any, url: str, **extra: Any) -> int:
    warm = client.get(url, **extra)  # the cached navigation is filled
    if hasattr(warm, "streaming_content"):
        b"".join(warm.streaming_content)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/audit/",
        "/audit/?action=test.bulk",
        "/audit/?q=批量&since=2000-01-01",
        "/api/v1/audit",
        "/api/v1/audit?action=test.bulk&page_size=200",
    ],
)
def test_query_count_does_not_grow_with_the_log(org, client_for, url) -> None:
    """A full first page (50 entries: the set-up's entries, whose related records the page
    names, are off it) costs what it costs when the log is five times longer."""
    client = client_for("auditor")
    add_entries(50)
    small = count_queries(client, url)
    add_entries(200)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with 50 entries, {large} with 250"


def test_naming_related_records_costs_one_query_per_kind_of_record(org, client_for) -> None:
    """The page names the units entries refer to: 5 or 50 different units, the same count."""
    units = list(OrgUnit.objects.order_by("id"))

    def add(n: int) -> None:
        for i in range(n):
            unit = units[i % len(units)]
            audit.record(
                "test.moved",
                object_type="orgs.orgunit",
                object_id=unit.pk,
                object_repr=unit.name,
                before={"parent": None},
                after={"parent": unit.pk},
            )

    client = client_for("auditor")
    add(5)
    small = count_queries(client, "/audit/?action=test.moved")
    add(45)
    large = count_queries(client, "/audit/?action=test.moved")
    assert large == small


def test_export_query_count_is_fixed_per_batch(org, client_for) -> None:
    client = client_for("auditor")
    add_entries(5)
    small = count_queries(client, "/audit/export.xlsx?action=test.bulk")
    add_entries(45)
    large = count_queries(client, "/audit/export.xlsx?action=test.bulk")
    assert large == small  # 50 rows: still one batch


# --- concurrency ---------------------------------------------------------------------------------


def runs(values: list[str]) -> int:
    """How many runs of equal neighbours: more than 2 means two writers' appends interleaved."""
    return sum(1 for i, value in enumerate(values) if i == 0 or values[i - 1] != value)


# available_apps: the flush that ends this transactional test empties core's tables only, so
# the lists that migrations seed (staff categories, ranks…) stay for the tests that follow.
@pytest.mark.django_db(transaction=True, available_apps=["luoshi.core"])
def test_concurrent_appends_keep_one_chain() -> None:
    """Two writers appending at once still give a single, valid chain (advisory lock on
    PostgreSQL; SQLite's immediate transactions serialise writers)."""
    from django.db import connections

    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip(
            "SQLite's in-memory test database is shared between threads through a shared cache, "
            "whose table locks fail at once instead of waiting (no busy timeout). SQLite's writer "
            "serialisation is tested with processes on a database file below, and this test runs "
            "on SQLite too with LUOSHI_TEST_DB_FILE=1."
        )

    per_thread = 25
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                with transaction.atomic():
                    audit.record(f"test.{name}", object_repr=f"{name}{i}", after={"i": i})
                time.sleep(0.002)  # let the other writer in between appends
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert len(actions) == 2 * per_thread
    assert runs(actions) > 2, "the two writers did not overlap"
    report = audit.verify_chain()
    assert report.ok, report.describe()
    assert report.checked == AuditEntry.objects.count()


def test_concurrent_processes_on_a_sqlite_file_keep_one_chain(tmp_path) -> None:
    """The production shape on SQLite: separate processes append at once to one database file
    (immediate transactions serialise them); then `luoshi verify-audit` itself, its exit status
    and its naming of a changed entry."""
    bin_dir = Path(sys.executable).parent
    luoshi = [str(bin_dir / "luoshi")] if (bin_dir / "luoshi").exists() else None
    if luoshi is None:
        luoshi = [sys.executable, "-c", "from luoshi.cli import main; main()"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        LUOSHI_VAR_DIR=str(tmp_path),
        LUOSHI_SECRET_KEY="test-only",
        LUOSHI_AUDIT_KEY="test-only-audit",
        LUOSHI_BALLOT_KEY="test-only-ballot",
        LUOSHI_DEBUG="0",
    )
    root = Path(__file__).resolve().parents[3]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*luoshi, *args], env=env, cwd=root, capture_output=True, text=True, timeout=120
        )

    assert run("migrate", "-v0").returncode == 0
    per_process = 40
    script = (
        "import os, pathlib, time\n"
        "from django.db import transaction\n"
        "from luoshi.core import audit\n"
        f"var = pathlib.Path({str(tmp_path)!r})\n"
        "(var / f'ready-{os.getpid()}').touch()\n"
        "while not (var / 'go').exists():\n"
        "    time.sleep(0.005)\n"
        f"for i in range({per_process}):\n"
        "    with transaction.atomic():\n"
        "        audit.record(f'test.{os.getpid()}', object_repr=str(i), after={'i': i})\n"
        "    time.sleep(0.003)  # let the other writer in between appends\n"
    )
    writers = [
        subprocess.Popen(
            [*luoshi, "shell", "--no-imports", "-c", script],
            env=env,
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with sqlite3.connect(tmp_path / "luoshi.sqlite3") as db:
        actions = [row[0] for row in db.execute("SELECT action FROM core_auditentry ORDER BY id")]
    assert len(actions) == 2 * per_process
    assert runs(actions) > 2, "the two writers did not overlap"
    result = run("verify-audit")
    assert (result.returncode, result.stdout.split(";")[0]) == (
        0,
        f"OK: {2 * per_process} entries",
    )

    with sqlite3.connect(tmp_path / "luoshi.sqlite3") as db:
        db.execute("DROP TRIGGER core_auditentry_no_update")
        db.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE id = 17")
    result = run("verify-audit")
    assert result.returncode == 1
    assert "entry #17:" in result.stderr


def test_action_codes_read_in_the_users_language(org) -> None:
    from django.utils import translation

    from luoshi.core.audit import action_label

    with translation.override("zh-hans"):
        assert action_label("person.create") == "添加人员"
    with translation.override("en"):
        assert action_label("person.create") == "Added a person"
    assert action_label("no.such_code") == "no.such_code"


# --- the display names what it shows (issue 15 finding 7) ---------------------------------------


def _changes_cell(html: str, entry_id: int) -> str:
    start = html.index(f'id="audit-{entry_id}"')
    return html[start : html.index("</tr>\n", html.index("</details>", start))]


def test_the_display_names_fields_choices_and_related_records(org, client_for) -> None:
    """issue 15 finding 7: the log showed raw field names ("status"), choice codes ("issued")
    and ids; it now shows the fields' verbose names, the choices' labels and the related
    record's name, in the reader's language."""
    entry = audit.record(
        "test.plan",
        actor=org.users["admin"],
        object_type="plans.workplan",
        object_id=7,
        object_repr="2026年工作要点",
        before={"status": "draft", "agency": None},
        after={"status": "issued", "agency": org.agency.pk, "reason": "印发"},
    )
    client = client_for("auditor")
    zh = client.get("/audit/", {"action": "test.plan"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    cell = _changes_cell(zh.content.decode(), entry.pk)
    for shown in ("状态", "草稿", "已印发", "机关", org.agency.name, "理由"):
        assert shown in cell, shown
    for raw in (">status<", ">issued<", ">draft<", ">agency<", ">reason<", "null", "#7<"):
        assert raw not in cell, raw
    en = client.get("/audit/", {"action": "test.plan"}, HTTP_ACCEPT_LANGUAGE="en")
    cell = _changes_cell(en.content.decode(), entry.pk)
    assert ">Status<" in cell and ">Issued<" in cell and ">Draft<" in cell


def test_a_leadership_score_reads_as_a_human_label(org, client_for) -> None:
    """issue 15 finding 7: the entry read "Leadership score #14" (the untranslated model name
    and the unit's id); it names the record in the reader's language and the unit by name."""
    from luoshi.appraisal import services as appraisal

    appraisal.leadership_score_set(
        actor=org.users["hr"], agency=org.agency, unit=org.office, year=2025, score="88"
    )
    client = client_for("auditor")
    html = client.get(
        "/audit/", {"action": "appraisal.leadership_score"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    body = html[html.index("<tbody>") :]
    assert "领导评价分" in body and org.office.name in body
    assert "Leadership score" not in body
    assert f"#{org.office.pk}<" not in body  # the id only in a title attribute
    assert ">appraisal.leadership_score<" not in body  # nor the action's code
    assert "年度" in body and "88" in body
