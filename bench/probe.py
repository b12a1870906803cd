"""Profile one endpoint in-process on the bench database (a tool for the developer, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench \
        .venv/bin/python bench/probe.py "/tasks/?light=yellow" --user bench_national [-n 30]
        [--token] [--cprofile 25] [--sql] [--explain]

Requests the URL through Django's test client as a bench account (session login, or its bearer
token with --token), warm, `n` times; prints the median and p95 wall time, the statements of
one request with their times, and with --cprofile the top functions by cumulative time. The
numbers are in-process (no HTTP server, no network), so they show where time goes, not the
latency a client sees: bench/run.py measures that.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(__file__).resolve().parent / "var"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from luoshi.orgs.models import User  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--user", default="bench_national")
    parser.add_argument("--token", action="store_true", help="bearer token instead of a session")
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--sql", action="store_true", help="print each statement's SQL")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime, …)")
    parser.add_argument(
        "--areas", action="store_true", help="with --cprofile: own time summed by package area"
    )
    parser.add_argument("--dump", metavar="FILE", help="with --cprofile: save the profile (pstats)")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the slowest statement"
    )
    args = parser.parse_args(argv)

    data = json.loads((VAR / "dataset.json").read_text())
    client = Client()
    headers: dict[str, str] = {}
    if args.token:
        headers["Authorization"] = f"Bearer {data['accounts'][args.user]['token']}"
    else:
        client.force_login(User.objects.get(username=args.user))

    def once() -> int:
        return client.get(args.url, headers=headers).status_code

    status = once()
    once()
    if os.environ.get("LUOSHI_GC_FREEZE", "1") != "0":  # as the server's workers do once warm
        from luoshi.core.runtime import freeze_long_lived_objects

        freeze_long_lived_objects()
    times, cpu = [], []
    for _ in range(args.n):
        started, started_cpu = time.perf_counter(), time.process_time()
        once()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"status {status}  median {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  "
        f"(this process's CPU: median {statistics.median(cpu):.1f} ms, "
        f"lowest quarter {statistics.mean(sorted(cpu)[: max(1, len(cpu) // 4)]):.2f} ms)"
    )

    with CaptureQueriesContext(connection) as ctx:
        once()
    total = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    print(f"{len(ctx.captured_queries)} statements, {total:.1f} ms in the database")
    for q in ctx.captured_queries:
        sql = q["sql"] if args.sql else q["sql"][:150]
        print(f"  {float(q['time']) * 1000:6.1f} ms  {sql}")
    if args.explain and ctx.captured_queries and connection.vendor == "postgresql":
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"]
        with connection.cursor() as cursor:  # the plan, and JIT's share of it (session 6)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
            print("\n".join(row[0] for row in cursor.fetchall()))

    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            once()
        profiler.disable()
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        if args.areas:
            print_areas(stats, 10)
        else:
            stats.sort_stats(args.sort).print_stats(args.cprofile)
    return 0


AREAS = (
    ("psycopg", "database driver (incl. waiting)"),
    ("django/db/", "ORM"),
    ("django/template/", "templates"),
    ("django/forms/", "forms"),
    ("django/urls/", "URL resolving"),
    ("django/utils/", "django.utils (escaping, translation, lazy)"),
    ("django/contrib/sessions", "sessions"),
    ("django/contrib/auth", "authentication"),
    ("django/core/cache", "cache client"),
    ("redis/", "cache client"),
    ("pickle", "cache client"),
    ("ninja/", "django-ninja"),
    ("pydantic", "django-ninja"),
    ("django/", "django (other)"),
    ("/luoshi/", "luoshi"),
)


def print_areas(stats: pstats.Stats, requests: int) -> None:
    """Own time per request summed by where the code lives (the profiler inflates it ~2×)."""
    totals: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{name}"
        area = next((label for part, label in AREAS if part in where), "other (stdlib, builtins)")
        totals[area] = totals.get(area, 0.0) + row[2]
    whole = sum(totals.values())
    for area, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds * 1000 / requests:6.2f} ms  {seconds * 100 / whole:4.1f} %  {area}")


if __name__ == "__main__":
    raise SystemExit(main())
