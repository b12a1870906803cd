"""Write load through the JSON API, recording every acknowledged write, and check them against
the database afterwards (docs/security.md, "Under load and faults").

    DATABASE_URL=… python bench/load.py prepare            > setup.json
    python bench/load.py run --url http://127.0.0.1:8000 --setup setup.json \
        --threads 8 --seconds 20 --out acks.jsonl
    DATABASE_URL=… python bench/load.py check --acks acks.jsonl

`prepare` (inside Django, against DATABASE_URL: an empty, migrated database) creates the test
agency of the suite (conftest.build_org), an issued 2026 plan with one task that the office
leads, and an API token of the office head; it prints their ids and the token as JSON.

`run` (plain HTTP, no Django) starts `threads` clients that, for `seconds`, submit progress
reports on that task (POST /api/v1/tasks/{id}/reports), each with a text of its own
("load-<thread>-<n>"), and append one JSON line per answer to `out`: the text, the status, the
Retry-After header, the report id of a 2xx, and the time. An acknowledged write is a 2xx with
an id. Transport errors (connection refused or reset) are recorded with status 0.

`check` (inside Django) reads `out` and verifies that every acknowledged write is in the
database, whole: its task event (REPORTED, the text as note) exactly once, its audit entry
(task.report or task.report_correct, the text in `after`) exactly once, on the acknowledged
report; and that no write is half applied: every task event of the load has its audit entry and
the other way round. It prints a JSON summary and exits 1 when something is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "load-"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Django only for `prepare` and `check`: `run` is a plain HTTP client
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    _django()
    # after django.setup(): the models need the app registry
    import datetime as dt

    from django.conf import settings

    from conftest import build_org
    from luoshi.orgs.services import api_token_create
    from luoshi.plans.services.plans import plan_approve, plan_create, plan_issue
    from luoshi.plans.services.tasks import TaskIn, task_create

    # fixture accounts: their passwords are never used, a cheap hash will do (as in the tests)
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher"]
    org = build_org()
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=2026, title="负载测试工作要点")
    task = task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            key_point=None,
            code="2026-0-0-1",
            title="负载测试任务",
            lead_unit=org.office,
            deadline=dt.date(2026, 12, 31),
            sort_order=1,
        ),
    )
    plan_approve(actor=org.users["leader"], plan=plan)
    plan_issue(actor=sup, plan=plan, today=dt.date(2026, 1, 5))
    _token, raw = api_token_create(actor=None, user=org.users["head"], name="load")
    return {"task": task.pk, "token": raw}


def _post(url: str, token: str, body: dict[str, Any], timeout: float) -> tuple[int, Any, str]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null"), ""
    except urllib.error.HTTPError as error:
        try:
            answer = json.loads(error.read() or b"null")
        except ValueError:
            answer = None
        return error.code, answer, error.headers.get("Retry-After") or ""
    except (OSError, urllib.error.URLError):
        return 0, None, ""  # refused, reset, timed out: not acknowledged


def run(url: str, setup: dict[str, Any], threads: int, seconds: float, out: Path) -> int:
    target = f"{url.rstrip('/')}/api/v1/tasks/{setup['task']}/reports"
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    lines: list[str] = []

    def client(number: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            text = f"{PREFIX}{number}-{n}"
            n += 1
            status, answer, retry = _post(target, setup["token"], {"text": text}, timeout=15)
            record = {
                "text": text,
                "status": status,
                "retry_after": retry,
                "id": answer.get("id") if isinstance(answer, dict) and status < 300 else None,
                "code": answer.get("code") if isinstance(answer, dict) else None,
                "at": time.time(),
            }
            with lock:
                lines.append(json.dumps(record))
            if status != 201 and status != 0:
                time.sleep(0.05)
            elif status == 0:
                time.sleep(0.02)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.write_text("".join(line + "\n" for line in lines))
    return len(lines)


def check(acks: Path) -> dict[str, Any]:
    _django()
    # after django.setup(), as in prepare
    from luoshi.core.models import AuditEntry
    from luoshi.plans.models import TaskEvent

    records = [json.loads(line) for line in acks.read_text().splitlines() if line]
    acknowledged = [r for r in records if 200 <= r["status"] < 300 and r["id"] is not None]
    events: dict[str, list[Any]] = {}
    for note, task_id in TaskEvent.objects.filter(
        kind=TaskEvent.Kind.REPORTED, note__startswith=PREFIX
    ).values_list("note", "task_id"):
        events.setdefault(note, []).append(task_id)
    audits: dict[str, list[str]] = {}
    for after, object_id in AuditEntry.objects.filter(
        action__in=["task.report", "task.report_correct"]
    ).values_list("after", "object_id"):
        text = (after or {}).get("text", "")
        if text.startswith(PREFIX):
            audits.setdefault(text, []).append(object_id)
    missing = [
        r["text"]
        for r in acknowledged
        if len(events.get(r["text"], [])) != 1 or audits.get(r["text"]) != [str(r["id"])]
    ]
    half = sorted(set(events) ^ set(audits))  # a task event without its audit entry, or back
    doubled = sorted(t for t, found in events.items() if len(found) != 1)
    return {
        "answers": len(records),
        "acknowledged": len(acknowledged),
        "stored": len(events),
        "missing": missing,
        "half_applied": half,
        "doubled": doubled,
        "statuses": {
            str(s): sum(1 for r in records if r["status"] == s)
            for s in {r["status"] for r in records}
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare")
    load = commands.add_parser("run")
    load.add_argument("--url", required=True)
    load.add_argument("--setup", type=Path, required=True)
    load.add_argument("--threads", type=int, default=8)
    load.add_argument("--seconds", type=float, default=20)
    load.add_argument("--out", type=Path, required=True)
    verify = commands.add_parser("check")
    verify.add_argument("--acks", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(json.dumps(prepare()))
        return 0
    if args.command == "run":
        setup = json.loads(args.setup.read_text())
        count = run(args.url, setup, args.threads, args.seconds, args.out)
        print(json.dumps({"answers": count}))
        return 0
    summary = check(args.acks)
    print(json.dumps(summary))
    return 1 if summary["missing"] or summary["half_applied"] or summary["doubled"] else 0


if __name__ == "__main__":
    sys.exit(main())
