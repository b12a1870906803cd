"""Guessing printed ballot codes is limited per client address (page and API alike).

The failures are kept in the database (so the limit holds across processes and hosts) under a
keyed hash of the address, with nothing that links them to a code, a voter or a ballot; each is
committed on its own, so the failed attempt's rollback does not take it back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.core.periodic import steps
from luoshi.evaluation import services
from luoshi.evaluation.models import Ballot, Campaign, CodeFailure

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisal"
GUESSER, OTHER = "203.0.113.7", "198.51.100.2"
BAD = "ZZZZ-ZZZZ"


@pytest.fixture
def limit(settings: Any) -> int:
    settings.LUOSHI_BALLOT_CODE_MAX_FAILURES = 3
    settings.LUOSHI_BALLOT_CODE_FAILURE_MINUTES = 15
    return 3


def cast(address: str, code: str, choices: dict[str, str] | None = None) -> Any:
    return Client(REMOTE_ADDR=address).post(
        f"{BASE}/ballots",
        data=json.dumps({"code": code, "choices": choices or {}}),
        content_type="application/json",
    )


def open_ballot(address: str, code: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        f"{BASE}/ballots/open", data=json.dumps({"code": code}), content_type="application/json"
    )


def full_ballot(org: Any, _slip: str = "") -> dict[str, str]:
    """A slip rates every candidate (it is nobody's: nobody is left off it)."""
    return {str(org.people[k].pk): "competent" for k in ("head", "staff")}


@pytest.fixture
def codes(slip_codes: list[str]) -> dict[str, str]:
    """Three of the printed anonymous slips, named for the test's reading only."""
    return dict(zip(("office_staff", "head", "staff"), slip_codes, strict=False))


def test_locked_out_after_too_many_wrong_codes(
    org: Any, slips: Campaign, codes: dict[str, str], limit: int
) -> None:
    for _ in range(limit):
        resp = cast(GUESSER, BAD)
        assert resp.status_code == 404 and resp.json()["code"] == "bad_credential"
    # now every code from that address is refused, a real one too: the answer tells nothing
    for code in (BAD, codes["office_staff"]):
        resp = cast(GUESSER, code, full_ballot(org, "office_staff"))
        assert resp.status_code == 429, resp.content
        assert resp.json()["code"] == "too_many_attempts"
        assert re.search(r"\d\d:\d\d", resp.json()["message"])  # when to try again
    assert open_ballot(GUESSER, codes["office_staff"]).status_code == 429
    assert Ballot.objects.count() == 0
    assert CodeFailure.objects.count() == limit  # refusals while locked do not add up
    # what is kept: a keyed digest of the address and a time, nothing else
    assert {f.name for f in CodeFailure._meta.get_fields()} == {"id", "client", "at"}
    for row in CodeFailure.objects.all():
        assert len(row.client) == 64 and GUESSER not in row.client
    assert len(set(CodeFailure.objects.values_list("client", flat=True))) == 1
    # another address is not affected
    resp = cast(OTHER, codes["office_staff"], full_ballot(org, "office_staff"))
    assert resp.status_code == 201 and Ballot.objects.count() == 1


def test_a_success_resets_nothing(
    org: Any, slips: Campaign, codes: dict[str, str], limit: int
) -> None:
    for _ in range(limit - 1):
        assert cast(GUESSER, BAD).status_code == 404
    # others succeeding, and the guesser's own valid (or spent) code, clear nothing
    assert cast(OTHER, codes["head"], full_ballot(org, "head")).status_code == 201
    assert open_ballot(GUESSER, codes["staff"]).status_code == 200
    assert cast(GUESSER, codes["head"], full_ballot(org, "head")).status_code == 409  # spent
    assert cast(GUESSER, BAD).status_code == 404  # the limit-th failure
    assert cast(GUESSER, codes["staff"], full_ballot(org, "staff")).status_code == 429
    # the other address's single failure keeps it far from the limit
    assert cast(OTHER, BAD).status_code == 404
    assert open_ballot(OTHER, codes["staff"]).status_code == 200


def test_the_lock_expires_and_tick_purges_old_failures(
    org: Any, slips: Campaign, codes: dict[str, str], limit: int
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(limit):
            assert cast(GUESSER, BAD).status_code == 404
        assert open_ballot(GUESSER, codes["staff"]).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert open_ballot(GUESSER, codes["staff"]).status_code == 429
        step = next(s for s in steps() if s.name == "evaluation.code_failures")
        step.run(timezone.localdate())
        assert CodeFailure.objects.count() == limit  # still inside the window: kept
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert open_ballot(GUESSER, codes["staff"]).status_code == 200
        assert step.run(timezone.localdate()).startswith(f"{limit} ")
        assert not CodeFailure.objects.exists()
        assert cast(GUESSER, BAD).status_code == 404  # counting starts again


def test_the_vote_page_says_so_and_answers_429(
    org: Any, slips: Campaign, codes: dict[str, str], limit: int
) -> None:
    client = Client(REMOTE_ADDR=GUESSER)
    url = reverse("evaluation:vote")
    for _ in range(limit):
        page = client.post(url, {"code": BAD})
        assert page.status_code == 200
        assert page.context["form"].errors["code"] == [str(services.BadCredential().message)]
    page = client.post(url, {"code": codes["office_staff"]})
    assert page.status_code == 429  # the code form again, saying why and until when
    [message] = page.context["form"].errors["code"]
    assert re.search(r"\d\d:\d\d", message) and message in page.content.decode()
    assert 'name="step"' not in page.content.decode()
    # the API and the page share the count: the same address is locked on both
    assert open_ballot(GUESSER, codes["office_staff"]).status_code == 429
    assert Client(REMOTE_ADDR=OTHER).post(url, {"code": codes["office_staff"]}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_failure_is_committed_although_the_attempt_is_rolled_back(
    org: Any, slips: Campaign, codes: dict[str, str], limit: int
) -> None:
    with pytest.raises(services.BadCredential):
        services.voter_for_code(BAD, client=GUESSER)
    assert not connection.in_atomic_block

    seen: list[int] = []

    def count_elsewhere() -> None:  # another connection, as another process would see it
        try:
            seen.append(CodeFailure.objects.count())
        finally:
            connections.close_all()

    thread = threading.Thread(target=count_elsewhere)
    thread.start()
    thread.join(timeout=30)
    assert seen == [1]
    # a caller's own transaction cannot silently swallow the failure: it is refused outright
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.voter_for_code(BAD, client=GUESSER)
    assert CodeFailure.objects.count() == 1
