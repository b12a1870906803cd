"""Numbered series (luoshi.core.numbering): consecutive numbers per agency, year and kind, no
gap after a rollback, and distinct consecutive numbers for concurrent transactions (each thread
on its own database connection)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections, transaction

from luoshi.core.models import NumberSeries
from luoshi.core.numbering import next_number

KIND = "test.item"


def take(agency_id: int = 1, year: int = 2026, kind: str = KIND) -> int:
    with transaction.atomic():
        return next_number(agency_id=agency_id, year=year, kind=kind)


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_numbers_follow_each_other_from_one() -> None:
    assert [take() for _ in range(3)] == [1, 2, 3]
    assert NumberSeries.objects.get(agency_id=1, year=2026, kind=KIND).last == 3


@pytest.mark.django_db
def test_each_agency_year_and_kind_is_its_own_series() -> None:
    assert take() == 1
    assert take() == 2
    assert take(agency_id=2) == 1
    assert take(year=2027) == 1
    assert take(kind="test.other") == 1
    assert take() == 3
    assert NumberSeries.objects.count() == 4


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back() -> None:
    assert take() == 1
    with pytest.raises(Rollback), transaction.atomic():
        assert next_number(agency_id=1, year=2026, kind=KIND) == 2
        raise Rollback
    assert take() == 2  # no gap


@pytest.mark.django_db
def test_the_first_number_of_a_series_rolls_back_with_its_row() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        assert next_number(agency_id=5, year=2026, kind=KIND) == 1
        raise Rollback
    assert not NumberSeries.objects.filter(agency_id=5).exists()
    assert take(agency_id=5) == 1


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        next_number(agency_id=1, year=2026, kind=KIND)
    assert not NumberSeries.objects.exists()


# --- concurrency: threads with their own connections, real transactions --------------------------
#
# On PostgreSQL the second transaction waits on the row lock (SELECT ... FOR UPDATE); on SQLite
# (a file database with immediate transactions and a busy timeout) it waits to begin. Either way
# it must see the first one's outcome.


def _in_threads(*targets: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def run(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors


def _first_holds_the_number(*, commit: bool) -> list[int]:
    """Thread A takes a number and keeps its transaction open for a moment; thread B asks for
    the next one meanwhile, then A commits (or rolls back). Returns [A's number, B's number]."""
    taken: dict[str, int] = {}
    a_has_number = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                taken["a"] = next_number(agency_id=1, year=2026, kind=KIND)
                a_has_number.set()
                time.sleep(0.5)  # B is now waiting for this transaction
                if not commit:
                    raise Rollback
        except Rollback:
            pass
        finally:
            a_has_number.set()

    def second() -> None:
        assert a_has_number.wait(timeout=10)
        taken["b"] = take()

    _in_threads(first, second)
    return [taken["a"], taken["b"]]


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_transaction_waits_and_gets_the_next_number() -> None:
    assert take() == 1
    assert _first_holds_the_number(commit=True) == [2, 3]
    assert NumberSeries.objects.get().last == 3


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_transaction_gets_the_number_a_rollback_gave_back() -> None:
    assert take() == 1
    assert _first_holds_the_number(commit=False) == [2, 2]
    assert NumberSeries.objects.get().last == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_numbers_of_a_new_series_are_distinct_and_consecutive() -> None:
    """Four threads start a series none of them finds yet (the row is created by one, the
    others wait for it) and take five numbers each."""
    per_thread, n = 5, 4
    barrier = threading.Barrier(n)
    numbers: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait(timeout=10)
        for _ in range(per_thread):
            number = take(agency_id=7)
            with lock:
                numbers.append(number)

    _in_threads(*[work] * n)
    assert sorted(numbers) == list(range(1, per_thread * n + 1))
    assert NumberSeries.objects.get(agency_id=7).last == per_thread * n
