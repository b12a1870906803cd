"""Issue 20, finding 7: a keyed chain, gap-free ids, anchors outside the database; a full rehash
without the key and the deletion of the last entries are reported by `luoshi verify-audit`."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from luoshi.core import audit
from luoshi.core.models import AuditEntry

from .test_audit import run_verify

pytestmark = pytest.mark.django_db


def lift_guard() -> None:
    """Remove the append-only guard inside the test's transaction (rolled back afterwards);
    may be called more than once."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")


def _write(count: int) -> list[int]:
    ids = []
    for i in range(count):
        with transaction.atomic():
            ids.append(audit.record("test.write", object_repr=f"row {i}", after={"i": i}).id)
    return ids


def _tick() -> str:
    out = io.StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def _rehash_from(first_id: int, hasher: Any, *, change: dict[str, Any] | None = None) -> None:
    """What an intruder with write access does: change an entry and recompute the chain after
    it with `hasher` (the guard lifted inside the test's transaction)."""
    lift_guard()
    prev = AuditEntry.objects.filter(id__lt=first_id).order_by("-id").first()
    prev_hash = prev.hash if prev else audit.GENESIS_HASH
    for entry in AuditEntry.objects.filter(id__gte=first_id).order_by("id"):
        if change and entry.id == first_id:
            for field, value in change.items():
                setattr(entry, field, value)
        entry.prev_hash = prev_hash
        entry.hash = hasher(entry)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditentry SET object_repr = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [entry.object_repr, entry.prev_hash, entry.hash, entry.id],
            )
        prev_hash = entry.hash


def _sha256(entry: AuditEntry) -> str:
    return hashlib.sha256(audit._canonical(entry)).hexdigest()


def test_the_chain_is_keyed(settings: Any) -> None:
    entry = audit.record("test.write", object_repr="x")
    assert entry.hash != _sha256(entry)  # main: a plain SHA-256 anyone can recompute
    settings.LUOSHI_AUDIT_KEY = "another key"
    assert audit.compute_hash(entry) != entry.hash


def test_a_full_rehash_without_the_key_is_reported() -> None:
    """Rewriting an entry and every one after it, rehashed with SHA-256, passed on main."""
    ids = _write(30)
    _rehash_from(ids[10], _sha256, change={"object_repr": "forged"})
    status, _out, err = run_verify()
    assert status == 1
    assert f"entry #{ids[10]}" in err and "without the audit key" in err
    assert audit.verify_chain().reason == "unkeyed"


def test_deleting_the_last_entries_is_reported_against_the_anchor(org: Any) -> None:
    """Deleting the last 25 entries left verify-audit reporting OK on main."""
    _write(30)
    assert "audit head anchored" in _tick()
    head = AuditEntry.objects.order_by("-id").first()
    assert head is not None
    status, out, _err = run_verify()
    assert status == 0 and f"matches the latest anchor (entry #{head.id}" in out
    last_ids = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[:25])
    lift_guard()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_auditentry WHERE id IN (%s)" % ",".join(["%s"] * 25),  # noqa: S608
            last_ids,
        )
    status, _out, err = run_verify()
    assert status == 1
    assert "TRUNCATED" in err and f"names entry #{head.id}" in err
    report = audit.verify_chain()
    assert (report.reason, report.anchor_id) == ("truncated", head.id)


def test_truncating_and_writing_on_is_reported_against_the_anchor(org: Any) -> None:
    _write(5)
    _tick()
    anchored = AuditEntry.objects.order_by("-id").first()
    assert anchored is not None
    lift_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id >= %s", [anchored.id - 2])
    _write(5)  # the application writes on: the anchored id exists again, with another hash
    report = audit.verify_chain()
    assert (report.reason, report.first_broken_id) == ("anchor", anchored.id)


def test_a_rewrite_before_the_anchor_is_reported_even_with_the_key(org: Any) -> None:
    """Someone holding the key (not the database administrator) rewrites history: the
    anchor kept elsewhere still tells."""
    ids = _write(10)
    _tick()
    _rehash_from(ids[2], audit.compute_hash, change={"object_repr": "forged"})
    assert audit.verify_chain().reason == "anchor"


def test_ids_run_on_without_gaps() -> None:
    """A rolled-back append gives its id back (PostgreSQL's sequence would leave a gap)."""
    first = audit.record("test.write")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.write")
        raise RuntimeError("rolled back")
    second = audit.record("test.write")
    assert second.id == first.id + 1
    assert audit.verify_chain().ok


def test_a_removed_entry_relinked_with_the_key_is_a_gap() -> None:
    ids = _write(10)
    lift_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [ids[4]])
    _rehash_from(ids[5], audit.compute_hash)
    report = audit.verify_chain()
    assert (report.reason, report.first_broken_id) == ("gap", ids[5])


def test_legacy_entries_are_accepted_below_the_cut_over_only(settings: Any) -> None:
    """Entries written before the chain was keyed (plain SHA-256) verify below the cut-over
    that the first anchor records; above it, a plain SHA-256 is a rewrite."""
    ids = _write(10)
    _rehash_from(ids[0], _sha256)  # the log as an older release left it
    report = audit.verify_chain()
    assert report.ok and report.legacy == 10
    _write(5)  # this release writes on, keyed
    assert audit.verify_chain().ok
    _tick()
    anchor = audit.latest_anchor()
    assert anchor is not None and anchor["keyed_from"] == ids[-1] + 1
    assert audit.keyed_from() == ids[-1] + 1
    report = audit.verify_chain()
    assert report.ok and report.legacy == 10
    # a rewrite after the cut-over with SHA-256 is refused, and so is one of the legacy part
    _rehash_from(ids[3], _sha256, change={"object_repr": "forged"})
    assert audit.verify_chain().reason in {"unkeyed", "anchor"}


def test_tick_writes_the_anchor_to_the_file_and_the_log(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _write(3)
    head = AuditEntry.objects.order_by("-id").first()
    assert head is not None
    with caplog.at_level(logging.INFO, logger="luoshi.audit.anchor"):
        _tick()
    lines = Path(settings.LUOSHI_AUDIT_ANCHOR_FILE).read_text().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert (data["id"], data["hash"]) == (head.id, head.hash) and data["at"]
    assert any(head.hash in record.getMessage() for record in caplog.records)
    assert "unchanged" in _tick()  # the head has not moved: nothing appended
    assert len(Path(settings.LUOSHI_AUDIT_ANCHOR_FILE).read_text().splitlines()) == 1
    _write(1)
    _tick()
    assert len(Path(settings.LUOSHI_AUDIT_ANCHOR_FILE).read_text().splitlines()) == 2


def test_production_refuses_to_start_without_the_audit_and_ballot_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUOSHI_")}
    env.update(LUOSHI_SECRET_KEY="x" * 50, LUOSHI_DEBUG="0", LUOSHI_VAR_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    code = "import config.settings"
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "LUOSHI_AUDIT_KEY" in result.stderr
    env["LUOSHI_AUDIT_KEY"] = "y" * 50
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=60
    )
    # the ballot buffer's key is the next one production asks for, by name
    assert result.returncode != 0 and "LUOSHI_BALLOT_KEY" in result.stderr
    env["LUOSHI_BALLOT_KEY"] = "z" * 50
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
