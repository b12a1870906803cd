"""The runner's helper inside Django (run with the server's environment, prints JSON).

    python bench/djangoside.py prepare            sessions and the ids/filters the runner uses
    python bench/djangoside.py bare SPEC.json     capture the SQL an endpoint runs, time it bare

`bare` requests the URL through Django's test client as the same user (session cookie or bearer
token), records every statement with CaptureQueriesContext, then runs those statements again on a
plain psycopg connection (inside a transaction that is rolled back), fetching every row, and
reports the time; it also saves EXPLAIN (ANALYZE, BUFFERS) of the slowest statement.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(__file__).resolve().parent / "var"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from luoshi.orgs.models import OrgUnit, User  # noqa: E402
from luoshi.plans.models import Task  # noqa: E402

CLOSED = ("completed", "cancelled")


def dataset() -> dict[str, Any]:
    return json.loads((VAR / "dataset.json").read_text())


def prepare() -> dict[str, Any]:
    data = dataset()
    accounts = data["accounts"]
    sessions = {}
    named = ("bench_national", "bench_province", "bench_staff", "bench_hr", "bench_office",
             "bench_editor")  # fmt: skip
    for name in (n for n in named if n in accounts):
        client = Client()
        client.force_login(User.objects.get(username=name))
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    province = OrgUnit.objects.get(pk=accounts["_province_unit"])
    in_province = Task.objects.filter(lead_unit__path__startswith=province.path)
    ledger_count = in_province.filter(light="yellow", status="in_progress").count()

    # The export: the filter whose row count is closest to 50,000 × scale.
    target = max(1, round(50_000 * float(data["scale"])))
    candidates: list[tuple[int, dict[str, Any]]] = []
    for unit in OrgUnit.objects.filter(level="provincial", kind="local"):
        tasks = Task.objects.filter(lead_unit__path__startswith=unit.path)
        candidates.append((tasks.exclude(status__in=CLOSED).count(), {"lead_unit": unit.pk}))
        for status in ("in_progress", "completed"):
            candidates.append(
                (tasks.filter(status=status).count(), {"lead_unit": unit.pk, "status": status})
            )
    export_rows, export_filter = min(candidates, key=lambda c: abs(c[0] - target))

    staff = User.objects.select_related("person").get(username="bench_staff")
    report_tasks = list(
        Task.objects.filter(lead_unit_id=staff.person.unit_id, status="in_progress")
        .order_by("id")
        .values_list("id", flat=True)[:300]
    )
    return {
        "sessions": sessions,
        "province": province.pk,
        "province_name": province.name,
        "ledger_filter_count": ledger_count,
        "export_filter": export_filter,
        "export_rows": export_rows,
        "export_target": target,
        "report_tasks": report_tasks,
        "detail_tasks": report_tasks[:20],
    }


def _plain_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _plain(sql: str) -> str:
    """A server-side cursor (QuerySet.iterator) is timed as its query, all rows fetched."""
    match = re.match(r"DECLARE \S+ NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR (.*)", sql, re.S)
    return match.group(1) if match else sql


def bare(spec: dict[str, Any]) -> dict[str, Any]:
    """spec: {name, url, session|token, repeat}"""
    client = Client(SERVER_NAME="127.0.0.1")
    headers: dict[str, str] = {}
    if spec.get("session"):
        client.cookies[settings.SESSION_COOKIE_NAME] = spec["session"]
    if spec.get("token"):
        headers["Authorization"] = f"Bearer {spec['token']}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(spec["url"], headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{spec['url']}: HTTP {response.status_code}")
    statements = [q["sql"] for q in captured.captured_queries]
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    statements = [_plain(s) for s in statements if not s.startswith(skip)]
    repeat = int(spec.get("repeat", 10))
    totals: list[float] = []
    per_statement: list[list[float]] = [[] for _ in statements]
    with psycopg.connect(_plain_url()) as conn:
        conn.execute("SET TIME ZONE 'UTC'")  # as Django's connection (USE_TZ)
        conn.commit()
        for _i in range(repeat + 1):  # the first round warms the connection and the caches
            started = time.perf_counter()
            for j, sql in enumerate(statements):
                t0 = time.perf_counter()
                cur = conn.execute(sql.encode())  # type: ignore[call-overload]
                if cur.description is not None:
                    cur.fetchall()
                per_statement[j].append(time.perf_counter() - t0)
            totals.append(time.perf_counter() - started)
            conn.rollback()
        totals = totals[1:]
        medians = [statistics.median(t[1:]) for t in per_statement]
        order = sorted(range(len(statements)), key=lambda j: -medians[j])
        slowest = order[0] if order else -1
        explained = []
        for j in order[:3]:  # the three slowest statements, with their plans
            if not statements[j].lstrip().upper().startswith("SELECT"):
                continue
            rows = conn.execute(
                b"EXPLAIN (ANALYZE, BUFFERS) " + statements[j].encode()  # type: ignore[call-overload]
            ).fetchall()
            explained.append(
                f"-- median {medians[j] * 1000:.2f} ms\n{statements[j]};\n\n"
                + "\n".join(r[0] for r in rows)
            )
            conn.rollback()
    plans_dir = VAR / "plans"
    plans_dir.mkdir(parents=True, exist_ok=True)
    (plans_dir / f"{spec['name']}.sql").write_text(
        "\n\n".join(f"-- {m * 1000:.2f} ms\n{s};" for s, m in zip(statements, medians, strict=True))
    )
    (plans_dir / f"{spec['name']}.plan.txt").write_text("\n\n\n".join(explained))
    return {
        "name": spec["name"],
        "statements": len(statements),
        "bare_p50_ms": statistics.median(totals) * 1000,
        "bare_min_ms": min(totals) * 1000,
        "slowest_ms": medians[slowest] * 1000 if slowest >= 0 else 0.0,
        "slowest_sql": statements[slowest][:300] if slowest >= 0 else "",
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        print(json.dumps(prepare(), ensure_ascii=False))
    elif command == "bare":
        print(json.dumps(bare(json.loads(Path(sys.argv[2]).read_text())), ensure_ascii=False))
    else:
        raise SystemExit(__doc__)
