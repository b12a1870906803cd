"""Time, peak memory and a profile of `luoshi import_people` on the bench dataset.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench \
        .venv/bin/python bench/people_import.py [--people 60000] [--repeat 2] [--profile] [--commit]

The workbook is the one bench/run.py imports (`people_workbook`: a 人员 sheet spread over the
dataset's unit codes), written once to bench/var/people-N.xlsx. Each measured run is the command
in its own process (wall time; peak resident memory from wait4), `--dry-run` always, and with
`--commit` also for real, each commit into a fresh copy of the dataset's database (`CREATE
DATABASE … TEMPLATE`, dropped afterwards), so every commit imports into the same state.
`--profile` runs the dry run and the commit in this process under cProfile instead and prints
the top functions by cumulative and by own time. The CPU time (user + system) and the load
average are printed with each figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VAR = BENCH / "var"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))


def bench_env() -> None:
    """Production settings, as bench/run.py's jobs run (no LUOSHI_DEBUG: no query log)."""
    import secrets

    secret = secrets.token_hex(32)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LUOSHI_SECRET_KEY", secret)
    os.environ.setdefault("LUOSHI_AUDIT_KEY", "bench-audit-" + secret)
    os.environ.setdefault("LUOSHI_BALLOT_KEY", "bench-ballot-" + secret)
    os.environ.setdefault("LUOSHI_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("LUOSHI_LOG_LEVEL", "WARNING")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _url_for(name: str) -> str:
    url = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(url._replace(path=f"/{name}"))


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(_url_for("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user + system: steadier than the wall time on a shared
    machine), peak MB, exit status and the last line printed of the command in its own
    process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    last = [line for line in output.splitlines() if line.strip()][-1:] or [""]
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), last[0]


def profile(book: Path, commit: bool) -> None:
    import django

    django.setup()
    from django.db import transaction

    from luoshi.orgs.imports import import_org_people

    def show(profiler: cProfile.Profile) -> None:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
            print(out.getvalue())

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(import_org_people, book, actor=None, dry_run=True, file_name=book.name)
    print(f"dry run in-process: {time.perf_counter() - started:.2f} s (load {_load()})")
    show(profiler)
    if commit:

        class Rollback(Exception):
            pass

        profiler = cProfile.Profile()
        started = time.perf_counter()
        try:
            with transaction.atomic():
                profiler.runcall(import_org_people, book, actor=None, file_name=book.name)
                raise Rollback
        except Rollback:
            pass
        print(f"commit in-process (rolled back): {time.perf_counter() - started:.2f} s")
        show(profiler)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--commit", action="store_true")
    options = parser.parse_args()
    bench_env()
    from run import people_workbook

    VAR.mkdir(exist_ok=True)
    book = VAR / f"people-{options.people}.xlsx"
    if not book.exists():
        people_workbook(book, options.people)
    if options.profile:
        profile(book, options.commit)
        return
    base = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    for _ in range(options.repeat):
        env = dict(os.environ)
        seconds, cpu, peak, status, last = timed(["import_people", str(book), "--dry-run"], env)
        print(
            f"dry run: {seconds:.1f} s (CPU {cpu:.1f} s), {peak:.0f} MB, exit {status}, "
            f"load {_load()}: {last}",
            flush=True,
        )
        if not options.commit:
            continue
        copy = f"{base}_import_copy"
        _psql(f'DROP DATABASE IF EXISTS "{copy}"')
        _psql(f'CREATE DATABASE "{copy}" TEMPLATE "{base}"')
        try:
            env["DATABASE_URL"] = _url_for(copy)
            seconds, cpu, peak, status, last = timed(["import_people", str(book)], env)
            print(
                f"commit: {seconds:.1f} s (CPU {cpu:.1f} s), {peak:.0f} MB, exit {status}, "
                f"load {_load()}: {last}",
                flush=True,
            )
        finally:
            _psql(f'DROP DATABASE IF EXISTS "{copy}"')


if __name__ == "__main__":
    main()
