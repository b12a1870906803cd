"""Time the democratic evaluation's tally at the size of issue 5 §6 (prints JSON).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_benchtally \
        .venv/bin/python bench/tally.py --reset [--candidates 1000] [--voters 300]

Builds, in a database whose name contains "bench" (refused otherwise), one unit with
candidates + voters people (the two lists apart, so every ballot rates every candidate), a
campaign through the services (create, candidates, voters, publish), and casts one ballot per
voter: the first few through `services.ballot_cast` itself (timed), the rest written in bulk as
exactly the rows that service writes (the voter's `has_voted`, one Ballot under a random key,
one BallotMark per candidate under random keys, shuffled; the per-ballot audit entry is left
out). Then it times the two steps of closing apart:

- the close itself, `services.campaign_close` — what the officer's request waits for: it stops
  the vote, spends the credentials and enqueues the sealing task (on the database task backend
  here, as in production: one queued row), `--close-runs` times;
- the sealing, the `seal_ballots` task as a worker runs it (`services.campaign_seal`: re-keys
  and reshuffles every mark in its own transaction), `--seal-runs` times.

Every run but the last of each is rolled back after the deferred foreign-key checks have run
(what the commit would do), with a VACUUM before each sealing run so that none pays for the
dead rows of the one before; it reports every run and the medians. The task queued by the
committed close is left in the queue: a worker would find the campaign sealed and do nothing.
Then it times `selectors.campaign_results` (median of 5, each on a freshly loaded campaign).
Targets: the close well under 1 s; 1,000 candidates × 300 ballots tallied in under 2 s.

`--reset` drops and re-creates the database and runs `luoshi migrate`. Without it, the
database must already be migrated; every run adds a new unit and campaign. Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    name = urlparse(url).path.lstrip("/")
    if not url.startswith("postgres") or "bench" not in name:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    return url


def reset_database(url: str) -> None:
    """Drop, re-create and migrate the bench database (the generator's own routine)."""
    from generate import reset_database as generator_reset  # bench/ is this script's folder

    generator_reset(url)


class _Rehearsal(Exception):
    """Rolls a timed rehearsal of the close back, so that the campaign can be closed again."""


def _vacuum() -> None:
    """Clear what an earlier (rolled-back) run left, so that each run starts alike."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("evaluation_ballotmark", "evaluation_ballot"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _check_deferred_constraints() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="drop, create and migrate the DB")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--service-casts", type=int, default=3, help="ballots cast via the service")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--close-runs",
        type=int,
        default=3,
        help="time the close this many times: all but the last rolled back",
    )
    parser.add_argument(
        "--seal-runs",
        type=int,
        default=3,
        help="time the sealing task this many times: all but the last rolled back",
    )
    args = parser.parse_args()
    url = _database_url()
    if args.reset:
        reset_database(url)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LUOSHI_DEBUG", "1")  # a throw-away bench database
    # the close enqueues the sealing as production does; the bench runs the task itself, timed
    os.environ["LUOSHI_TASKS_BACKEND"] = "django_tasks.backends.database.DatabaseBackend"
    import django

    django.setup()

    from django.db import transaction

    from luoshi.evaluation import selectors, services
    from luoshi.evaluation.models import Ballot, BallotMark, Campaign, Voter
    from luoshi.evaluation.tasks import seal_ballots
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.services import org_unit_create

    started = time.perf_counter()
    suffix = secrets.token_hex(3)
    with transaction.atomic():
        unit = org_unit_create(
            actor=None,
            name=f"测评基准单位{suffix}",
            code=f"BENCH-TALLY-{suffix}",
            kind=OrgUnit.Kind.AGENCY,
            level=OrgUnit.Level.PROVINCIAL,
        )
        total = args.candidates + args.voters
        Person.objects.bulk_create(
            [Person(name=f"测评人{i:04d}", gender="M", unit=unit) for i in range(total)],
            batch_size=2000,
        )
        people = list(Person.objects.filter(unit=unit).order_by("id"))
        candidates, voters = people[: args.candidates], people[args.candidates :]
        campaign = services.campaign_create(
            actor=None,
            unit=unit,
            year=2026,
            title=f"基准测评{suffix}",
            ballot_mode=Campaign.BallotMode.IDENTIFIED,
            min_ballots=1,
        )
        services.candidates_set(actor=None, campaign=campaign, people=candidates)
        services.voters_set(actor=None, campaign=campaign, people=voters)
        campaign = services.campaign_publish(actor=None, campaign=campaign)
        issued = list(Voter.objects.filter(campaign=campaign).order_by("id"))
    setup_s = time.perf_counter() - started

    grades = list(campaign.grades.order_by("sort_order", "id"))
    codes = [g.code for g in grades]
    rng = random.Random(5)

    # a few ballots through the service itself
    cast_times = []
    for voter in issued[: args.service_casts]:
        choices = {c.person_id: rng.choice(codes) for c in services.ballot_candidates(voter)}
        t0 = time.perf_counter()
        # outside a transaction, as pages and the API call it: its steps commit separately
        services.ballot_cast(voter=voter, choices=choices, channel="code")
        cast_times.append(time.perf_counter() - t0)

    # the rest in bulk: the same rows ballot_cast writes (no audit entries)
    started = time.perf_counter()
    candidate_rows = list(campaign.candidates.order_by("id"))
    with transaction.atomic():
        rest = issued[args.service_casts :]
        Voter.objects.filter(pk__in=[v.pk for v in rest]).update(has_voted=True)
        ballots = [Ballot(id=uuid.uuid4(), campaign=campaign) for _ in rest]
        Ballot.objects.bulk_create(ballots, batch_size=1000)
        for ballot in ballots:
            marks = [
                BallotMark(id=uuid.uuid4(), ballot=ballot, candidate=c, grade=rng.choice(grades))
                for c in candidate_rows
            ]
            rng.shuffle(marks)
            BallotMark.objects.bulk_create(marks, batch_size=5000)
    bulk_s = time.perf_counter() - started

    close_times = []
    for run in range(args.close_runs):
        t0 = time.perf_counter()
        rehearsal = run < args.close_runs - 1
        try:
            with transaction.atomic():
                closed = services.campaign_close(actor=None, campaign=campaign)
                if rehearsal:
                    _check_deferred_constraints()  # what the commit would do, then roll back
                    close_times.append(time.perf_counter() - t0)
                    raise _Rehearsal
        except _Rehearsal:
            continue
        # committed (deferred checks and the task's enqueueing on commit included)
        close_times.append(time.perf_counter() - t0)
        campaign = closed
    assert Campaign.objects.get(pk=campaign.pk).is_sealing

    seal_times = []
    for run in range(args.seal_runs):
        _vacuum()
        rehearsal = run < args.seal_runs - 1
        t0 = time.perf_counter()
        if not rehearsal:
            sealed = seal_ballots.call(campaign.pk)  # as the worker runs it: its own transaction
            seal_times.append(time.perf_counter() - t0)
            assert sealed, "the campaign was not sealing"
            break
        try:
            with transaction.atomic():
                seal_ballots.call(campaign.pk)
                _check_deferred_constraints()  # what the commit would do, then roll back
                seal_times.append(time.perf_counter() - t0)
                raise _Rehearsal
        except _Rehearsal:
            continue
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.is_closed

    tally_times = []
    results: dict[int, object] = {}
    for _ in range(args.repeat):
        fresh = Campaign.objects.get(pk=campaign.pk)
        t0 = time.perf_counter()
        results = selectors.campaign_results(fresh)
        tally_times.append(time.perf_counter() - t0)

    counted = {sum(r.counts.values()) for r in results.values()}  # type: ignore[attr-defined]
    print(
        json.dumps(
            {
                "database": urlparse(url).path.lstrip("/"),
                "campaign": campaign.pk,
                "candidates": len(candidate_rows),
                "ballots": Ballot.objects.filter(campaign=campaign).count(),
                "marks": BallotMark.objects.filter(ballot__campaign=campaign).count(),
                "ballots_per_candidate": sorted(counted),
                "setup_s": round(setup_s, 3),
                "service_cast_s": [round(t, 3) for t in cast_times],
                "bulk_cast_s": round(bulk_s, 3),
                "close_s": [round(t, 3) for t in close_times],
                "close_median_s": round(statistics.median(close_times), 3),
                "close_target_s": 1.0,
                "seal_s": [round(t, 3) for t in seal_times],
                "seal_median_s": round(statistics.median(seal_times), 3),
                "tally_s": [round(t, 3) for t in tally_times],
                "tally_median_s": round(statistics.median(tally_times), 3),
                "target_s": 2.0,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
