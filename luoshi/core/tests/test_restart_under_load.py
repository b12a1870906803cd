"""PostgreSQL restarted under a running write load (docs/security.md, "Under load and faults").

The test starts a private PostgreSQL cluster (initdb into a temporary folder with the Debian
binaries under /usr/lib/postgresql/*/bin, on a free port; as the `postgres` OS user when run as
root), copies the suite's freshly migrated test database there (pg_dump: a full `migrate` takes
over a minute on a busy machine), serves the application on it with gunicorn and production
settings (DEBUG off, persistent connections), and runs bench/load.py: several clients submit
progress reports through the JSON API with a token and record every answer. Meanwhile the
cluster is stopped (`pg_ctl stop -m fast`, which ends every connection), left down for a moment
so that requests meet the outage, and started again. Then:

- every answer during the outage was a 503 with Retry-After, never a 500 (nor anything else);
- the same gunicorn, not restarted, acknowledged writes again after the cluster came back;
- every acknowledged write (a 201 with its report id) is in the database, whole (its task event
  and its audit entry, each once), and no write is half applied (`bench/load.py check`).

The machine's shared PostgreSQL that the test run itself uses is left alone.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
LOAD = ROOT / "bench" / "load.py"
THREADS = 6
LOAD_SECONDS = 14
DOWN_AFTER = 4  # seconds of load before the cluster stops
DOWN_FOR = 2.5  # seconds the cluster stays down


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        # the PostgreSQL pass has the server installed (.ci/run): its absence is a failure
        pytest.fail("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


class Cluster:
    """A private PostgreSQL cluster in a temporary folder."""

    def __init__(self, base: Path) -> None:
        self.bin = _binaries()
        self.base = base
        self.data = base / "data"
        self.port = _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.as_postgres, *command],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=self.base,
        )

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "restarts a PostgreSQL server under load; SQLite has no server to restart "
            "(runs in the PostgreSQL pass of make test)"
        )
    base = Path(tempfile.mkdtemp(prefix="luoshi-restart-"))
    base.chmod(0o755)
    server = Cluster(base)
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already down
            server.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def _app_env(server: Cluster, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUOSHI_", "DATABASE_"))}
    env.update(
        DATABASE_URL=server.url("luoshi_load"),
        DJANGO_SETTINGS_MODULE="config.settings",
        LUOSHI_SECRET_KEY="restart-under-load-secret-key-0123456789abcdef",
        LUOSHI_AUDIT_KEY="restart-under-load-audit-key-0123456789abcdef",
        LUOSHI_BALLOT_KEY="restart-under-load-ballot-key-0123456789abcdef",
        LUOSHI_ALLOWED_HOSTS="127.0.0.1",
        LUOSHI_DB_CONN_MAX_AGE="60",  # persistent connections, broken by the restart
        LUOSHI_VAR_DIR=str(var),
        LUOSHI_RETRY_AFTER_SECONDS="7",
    )
    if "LUOSHI_PDF_FONT_CACHE" in os.environ:
        env["LUOSHI_PDF_FONT_CACHE"] = os.environ["LUOSHI_PDF_FONT_CACHE"]
    return env


def _wait_until_served(url: str, token: str, timeout: float = 60) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    end = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > end:
            raise AssertionError(f"{url} not served within {timeout} s")
        time.sleep(0.2)


def _python(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _copy_test_database(server: Cluster) -> None:
    """The suite's test database, which pytest-django has just migrated (with these
    migrations), copied into the private cluster: the same schema as `migrate` leaves, in a
    few seconds instead of a minute or more of running every migration again."""
    source = connection.settings_dict
    dump = subprocess.run(
        [
            str(server.bin / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            "-h",
            source["HOST"] or "127.0.0.1",
            "-p",
            str(source["PORT"] or 5432),
            "-U",
            source["USER"] or "postgres",
            "-d",
            source["NAME"],
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
    )
    subprocess.run(
        [
            str(server.bin / "psql"),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            "postgres",
            "-d",
            "luoshi_load",
        ],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.django_db  # the test database migrated (and this test's transaction kept empty)
def test_every_acknowledged_write_survives_a_restart_under_load(cluster: Cluster) -> None:
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE luoshi_load")
    _copy_test_database(cluster)
    work = cluster.base / "app"
    work.mkdir()
    env = _app_env(cluster, work / "var")
    # nothing left to apply: the copy is fully migrated
    assert "No planned migration operations" in _python(env, "manage.py", "migrate", "--plan")
    setup = json.loads(_python(env, str(LOAD), "prepare").strip().splitlines()[-1])
    (work / "setup.json").write_text(json.dumps(setup))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "30",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(work / "gunicorn.log").open("w"),
    )
    try:
        _wait_until_served(f"{base_url}/api/v1/me", setup["token"])
        acks = work / "acks.jsonl"
        load = subprocess.Popen(
            [
                sys.executable,
                str(LOAD),
                "run",
                "--url",
                base_url,
                "--setup",
                str(work / "setup.json"),
                "--threads",
                str(THREADS),
                "--seconds",
                str(LOAD_SECONDS),
                "--out",
                str(acks),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(DOWN_AFTER)
        stopping_at = time.time()
        cluster.stop("fast")  # every connection of the application ends here
        down_at = time.time()
        time.sleep(DOWN_FOR)
        up_at = time.time()
        cluster.start()
        back_at = time.time()
        out, err = load.communicate(timeout=LOAD_SECONDS + 60)
        assert load.returncode == 0, out + err
        assert server.poll() is None, "gunicorn must not have been restarted"
        _wait_until_served(f"{base_url}/api/v1/me", setup["token"], timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=30)

    records: list[dict[str, Any]] = [json.loads(line) for line in acks.read_text().splitlines()]
    statuses = {r["status"] for r in records}
    assert statuses <= {201, 503}, statuses  # never a 500, nor a dropped connection
    outage = [r for r in records if r["status"] == 503]
    assert all(r["retry_after"] == "7" and r["code"] == "service_unavailable" for r in outage)
    # requests met the outage, and only then (answers recorded a second after the stop: a write
    # committed just before it may be answered a little later on a busy machine)
    during = [r for r in records if down_at + 1 < r["at"] < up_at]
    assert during and all(r["status"] == 503 for r in during)
    assert outage and min(r["at"] for r in outage) > stopping_at
    # the same server acknowledged writes again once the cluster was back
    before = [r for r in records if r["status"] == 201 and r["at"] < down_at]
    after = [r for r in records if r["status"] == 201 and r["at"] > back_at]
    assert before and after

    summary = json.loads(_python(env, str(LOAD), "check", "--acks", str(acks)).splitlines()[-1])
    assert summary["acknowledged"] == sum(1 for r in records if r["status"] == 201)
    assert summary["missing"] == [] and summary["half_applied"] == []
    assert summary["doubled"] == []
