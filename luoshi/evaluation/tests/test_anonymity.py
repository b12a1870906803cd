"""A ballot can never be traced to its voter: the schema, the data, the audit log, and races.

- Schema: the ballot tables hold no column that refers to a voter, person or account, no date
  or time, and no sequential key; the voter list holds no time and no reference to a ballot.
- Data: once a closed campaign is sealed (the background task the close enqueues), ballots are
  rewritten under new random keys in random order, and on PostgreSQL no ballot row shares its
  inserting transaction (xmin) with a voter row.
- Races: two simultaneous casts with one code on PostgreSQL give exactly one ballot.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, models

from luoshi.core.models import AuditEntry
from luoshi.evaluation import services
from luoshi.evaluation.models import (
    Ballot,
    BallotMark,
    Campaign,
    Candidate,
    GradeOption,
    RaterCategory,
    Voter,
)

GRADES = ["excellent", "competent", "basically_competent", "incompetent", "unknown"]


def _columns(model: type[models.Model]) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {
        col.name: connection.introspection.get_field_type(col.type_code, col) for col in description
    }


def _relations(model: type[models.Model]) -> set[str]:
    """The tables a table's foreign keys point at, read from the database itself."""
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, model._meta.db_table)
    return {table for _column, (_field, table) in relations.items()}


@pytest.mark.django_db
def test_the_schema_cannot_link_a_ballot_to_a_voter() -> None:
    # a slip's ballot keeps the slip's rater category (a pile of slips, nobody's): the weight
    assert set(_columns(Ballot)) == {"id", "campaign_id", "category_id"}
    assert set(_columns(BallotMark)) == {"id", "ballot_id", "candidate_id", "grade_id"}
    assert _relations(Ballot) == {Campaign._meta.db_table, RaterCategory._meta.db_table}
    assert set(_columns(RaterCategory)) == {
        "id",
        "campaign_id",
        "name",
        "weight",
        "slips",
        "sort_order",
    }
    assert _relations(BallotMark) == {
        Ballot._meta.db_table,
        Candidate._meta.db_table,
        GradeOption._meta.db_table,
    }
    for model in (Ballot, BallotMark):
        kinds = _columns(model)
        # random keys, not a counter that gives the order of casting
        assert kinds["id"] in {"UUIDField", "CharField"}, kinds
        assert not {"DateTimeField", "DateField", "TimeField"} & set(kinds.values())
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField) and pk.default is not None
    voter_columns = _columns(Voter)
    assert not {"DateTimeField", "DateField", "TimeField"} & set(voter_columns.values())
    assert Ballot._meta.db_table not in _relations(Voter)
    assert BallotMark._meta.db_table not in _relations(Voter)
    # and nothing else in the schema points at a ballot
    others: list[type[models.Model]] = [
        Voter,
        Candidate,
        GradeOption,
        Campaign,
        RaterCategory,
        AuditEntry,
    ]
    for other in others:
        assert Ballot._meta.db_table not in _relations(other)


def _big_campaign(
    org: Any, mode: str = Campaign.BallotMode.SLIPS
) -> tuple[Campaign, dict[int, str]]:
    """13 credentials: anonymous slips (key: a negative number, nobody's; value: the code) or
    identified ballots (key: the voter's person id; value: the link token)."""
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr, unit=org.agency, year=2026, title="匿名性测评", min_ballots=1, ballot_mode=mode
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    if mode == Campaign.BallotMode.IDENTIFIED:
        voters = [person for key, person in p.items() if key != "outsider"]
        services.voters_set(actor=hr, campaign=campaign, people=voters)
        campaign = services.campaign_publish(actor=hr, campaign=campaign)
        return campaign, {
            int(v.person_id or 0): services.link_token(v)
            for v in campaign.voters.order_by("person_id")
        }
    categories = [
        services.CategoryIn("领导班子成员", 40, 4),
        services.CategoryIn("一般干部", 60, 9),
    ]
    services.categories_set(actor=hr, campaign=campaign, categories=categories)
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    issued = services.codes_issue(actor=hr, campaign=campaign)
    return campaign, {-index: item.code for index, item in enumerate(issued, start=1)}


def open_credential(campaign: Campaign, key: int, credential: str) -> Voter:
    """The voter row a credential opens: a slip by its code, an identified voter by their own
    link (as their signed-in account would: voter_for_token checks the account's person)."""
    if key < 0:
        return services.voter_for_code(credential)

    class Account:  # the voter's signed-in account, as voter_for_token reads it
        person_id = key

    return services.voter_for_token(credential, Account())


def _physical_order() -> str:
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def _ballot_patterns_in_storage_order(campaign: Campaign) -> list[tuple[str, ...]]:
    """Each ballot's grades (head, staff), ballots in the order the database stores them."""
    table = Ballot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE campaign_id = %s ORDER BY {_physical_order()}",  # noqa: S608
            [campaign.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
    marks: dict[str, dict[int, str]] = {}
    for ballot_id, person_id, code in BallotMark.objects.values_list(
        "ballot_id", "candidate__person_id", "grade__code"
    ):
        if code is not None:  # "self — not rated" reads as no grade, like the pattern's "-"
            marks.setdefault(str(ballot_id).replace("-", ""), {})[person_id] = code
    heads = Candidate.objects.filter(campaign=campaign).order_by("sort_order")
    order = [c.person_id for c in heads]
    return [
        tuple(marks.get(str(i).replace("-", ""), {}).get(pid, "-") for pid in order) for i in ids
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["slips", "identified"])
def test_the_data_cannot_link_a_ballot_to_a_voter(org: Any, close: Any, mode: str) -> None:
    campaign, codes = _big_campaign(org, mode)
    cast_order: list[tuple[str, ...]] = []
    candidates = list(Candidate.objects.filter(campaign=campaign).order_by("sort_order"))
    for index, (person_id, code) in enumerate(sorted(codes.items())):
        voter = open_credential(campaign, person_id, code)
        pattern = {
            c.person_id: GRADES[(index + k * (index // 5 + 1)) % 5]
            for k, c in enumerate(candidates)
            if c.person_id != person_id
        }
        channel = "code" if mode == "slips" else "link"
        services.ballot_cast(voter=voter, choices=pattern, channel=channel)
        cast_order.append(tuple(pattern.get(c.person_id, "-") for c in candidates))
    ids_before = set(Ballot.objects.values_list("id", flat=True))
    assert _ballot_patterns_in_storage_order(campaign) == cast_order  # while open, yes
    assert close(campaign).is_closed  # closed and sealed

    # rewritten: new keys, same tally, storage order no longer the order of casting
    ids_after = set(Ballot.objects.values_list("id", flat=True))
    assert len(ids_after) == len(cast_order) and not ids_before & ids_after
    stored = _ballot_patterns_in_storage_order(campaign)
    assert sorted(stored) == sorted(cast_order)
    assert stored != cast_order
    # the voter list says who voted and nothing else; no code survives the vote
    assert set(Voter.objects.filter(campaign=campaign).values_list("has_voted", flat=True)) == {
        True
    }
    assert not Voter.objects.filter(campaign=campaign).exclude(code_hash="", token_hash="").exists()
    # no ballot value equals a voter's, person's or account's key
    voter_keys = {str(v) for v in Voter.objects.values_list("id", flat=True)}
    voter_keys |= {str(v) for v in Voter.objects.values_list("person_id", flat=True)}
    ballot_values = {str(v) for row in Ballot.objects.values_list("id") for v in row}
    assert not voter_keys & ballot_values
    # the audit log's entries for casts name no actor and no address, and no choice
    casts = AuditEntry.objects.filter(action="evaluation.ballot_cast")
    assert casts.count() == len(cast_order)
    assert not casts.exclude(actor=None).exists() and not casts.exclude(client_ip=None).exists()
    assert all(set((e.after or {}).keys()) == {"channel"} for e in casts)


def _xmins(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {model._meta.db_table}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_casts_with_one_code_give_one_ballot(org: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this test is about: run it on PostgreSQL")
    campaign, codes = _big_campaign(org)
    candidates = list(Candidate.objects.filter(campaign=campaign))
    for person_id, code in list(codes.items())[:3]:
        choices = {c.person_id: "competent" for c in candidates if c.person_id != person_id}
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def cast(
            person_id: int = person_id,
            code: str = code,
            choices: dict[int, str] = choices,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            try:
                voter = open_credential(campaign, person_id, code)
                barrier.wait(timeout=10)
                services.ballot_cast(voter=voter, choices=choices, channel="code")
                outcomes.append("cast")
            except services.AlreadyVoted:
                outcomes.append("refused")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=cast) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["cast", "refused"]
    assert Ballot.objects.filter(campaign=campaign).count() == 3
    assert Voter.objects.filter(campaign=campaign, has_voted=True).count() == 3
