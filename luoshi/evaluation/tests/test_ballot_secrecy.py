"""Issue 20, findings 8 and 9: nothing on a ballot's row or its neighbours joins it to the
voter's row (the turnout flip and the ballot in separate transactions, a durable buffer moved in
shuffled batches, no ballot id in the audit log, vacuum after sealing), an acknowledged ballot is
never lost, and every ballot carries the same set of marks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection, models

from luoshi.core.models import AuditEntry
from luoshi.evaluation import services
from luoshi.evaluation.models import Ballot, BallotMark, Campaign, PendingBallot, Voter
from luoshi.evaluation.sealing import seal_marks
from luoshi.evaluation.selectors import campaign_results

from .test_anonymity import GRADES, _big_campaign, _columns, open_credential


def _xmins(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {model._meta.db_table}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def _patterns(order_by: str) -> list[tuple[str, str]]:
    """Each ballot's (head, staff) grades, ballots in the given order ("ctid" or "id")."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Ballot._meta.db_table} ORDER BY {order_by}")  # noqa: S608
        ids = [str(row[0]) for row in cursor.fetchall()]
    marks: dict[str, dict[str, str]] = {}
    for ballot_id, person_key, code in BallotMark.objects.values_list(
        "ballot_id", "candidate__sort_order", "grade__code"
    ):
        marks.setdefault(str(ballot_id), {})[str(person_key)] = code
    return [tuple(code for _key, code in sorted(marks[i].items())) for i in ids]  # type: ignore[misc]


def _cast_slips(campaign: Campaign, codes: dict[int, str], count: int, start: int = 0) -> list:
    order = []
    candidates = list(campaign.candidates.order_by("sort_order", "id"))
    for index, (key, code) in enumerate(sorted(codes.items())[start : start + count], start):
        pattern = {c.person_id: GRADES[(index // 5**k) % 5] for k, c in enumerate(candidates)}
        services.ballot_cast(voter=open_credential(campaign, key, code), choices=pattern)
        order.append(tuple(pattern[c.person_id] for c in candidates))
    return order


@pytest.mark.django_db(transaction=True)
def test_no_system_column_heap_order_id_or_time_links_a_ballot_to_a_voter(
    org: Any, settings: Any
) -> None:
    """On main a cast wrote the voter's "has voted" and the ballot in one transaction: xmin
    matched every ballot to its voter while the vote was open, and heap order gave the order of
    casting."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's")
    settings.LUOSHI_BALLOT_BATCH = 12
    campaign, codes = _big_campaign(org)  # 13 slips
    cast_order = _cast_slips(campaign, codes, 11)
    # below a batch, every ballot still waits in the buffer: nothing in the ballot tables yet
    assert Ballot.objects.count() == 0 and PendingBallot.objects.count() == 11
    cast_order += _cast_slips(campaign, codes, 1, start=11)  # the 12th moves the batch
    assert PendingBallot.objects.count() == 0 and Ballot.objects.count() == 12
    voter_tx = _xmins(Voter) | _xmins(AuditEntry)
    ballot_tx = _xmins(Ballot) | _xmins(BallotMark)
    assert len(ballot_tx) == 1  # one transaction wrote the whole batch
    assert not ballot_tx & voter_tx  # and none wrote a voter's row or an audit entry
    # heap order and key order are not the order of casting (a batch of 12 shuffled: 1 in 12!)
    assert sorted(_patterns("ctid")) == sorted(cast_order)
    assert _patterns("ctid") != cast_order
    assert _patterns("id") != cast_order
    # no time and no counter on the ballot tables or the buffer
    for model in (Ballot, BallotMark, PendingBallot):
        kinds = _columns(model)
        assert not {"DateTimeField", "DateField", "TimeField"} & set(kinds.values())
        assert kinds["id"] == "UUIDField"
    # no audit entry names a ballot
    ballot_ids = {str(v) for v in Ballot.objects.values_list("id", flat=True)}
    for entry in AuditEntry.objects.filter(action__startswith="evaluation."):
        text = f"{entry.object_id} {entry.object_repr} {entry.before} {entry.after}"
        assert not any(ballot_id in text for ballot_id in ballot_ids)
    # the last ballot waits in the buffer; closing seals it with the rest (never lost)
    cast_order += _cast_slips(campaign, codes, 1, start=12)
    assert PendingBallot.objects.count() == 1
    services.campaign_close(actor=org.users["hr"], campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).is_closed
    assert PendingBallot.objects.count() == 0
    assert sorted(_patterns("ctid")) == sorted(cast_order)
    sealed_tx = _xmins(Ballot) | _xmins(BallotMark)
    assert len(sealed_tx) == 1 and not sealed_tx & (voter_tx | ballot_tx)


@pytest.mark.django_db
def test_a_buffered_ballot_is_counted_at_sealing(org: Any, settings: Any, close: Any) -> None:
    settings.LUOSHI_BALLOT_BATCH = 10
    campaign, codes = _big_campaign(org)
    _cast_slips(campaign, codes, 3)
    assert PendingBallot.objects.count() == 3 and Ballot.objects.count() == 0
    assert close(campaign).is_closed
    assert Ballot.objects.filter(campaign=campaign).count() == 3
    assert PendingBallot.objects.count() == 0


@pytest.mark.django_db
def test_a_ballot_buffered_after_sealing_is_stored_by_tick(org: Any, settings: Any) -> None:
    """A ballot whose buffering committed while its campaign was being sealed: `luoshi tick`
    (sealing_resume) stores it, so an acknowledged ballot is never lost."""
    settings.LUOSHI_BALLOT_BATCH = 10
    campaign, _codes = _big_campaign(org)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    marks = [[c.pk, campaign.grades.first().pk] for c in campaign.candidates.all()]  # type: ignore[union-attr]
    row_id = uuid.uuid4()
    payload = seal_marks(marks, row_id=row_id, campaign_id=campaign.pk, category_id=None)
    PendingBallot.objects.create(id=row_id, campaign=campaign, payload=payload)
    assert "1 late ballot(s) stored" in services.sealing_resume()
    assert Ballot.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_every_ballot_carries_the_same_set_of_marks(org: Any, close: Any) -> None:
    """Where nobody rates themself, the candidate's own ballot lacked exactly their mark (main);
    now it carries a "self — not rated" mark, which the tally does not count."""
    campaign, tokens = _big_campaign(org, Campaign.BallotMode.IDENTIFIED)
    candidates = {c.person_id: c for c in campaign.candidates.all()}
    for person_id, token in tokens.items():
        voter = open_credential(campaign, person_id, token)
        choices = {pid: "excellent" for pid in candidates if pid != person_id}
        services.ballot_cast(voter=voter, choices=choices)
    assert close(campaign).is_closed
    sets = {
        frozenset(ballot.marks.values_list("candidate_id", flat=True))
        for ballot in Ballot.objects.filter(campaign=campaign)
    }
    assert sets == {frozenset(c.pk for c in candidates.values())}
    unrated = BallotMark.objects.filter(ballot__campaign=campaign, grade__isnull=True)
    assert unrated.count() == len(candidates)  # one per candidate who voted
    results = campaign_results(Campaign.objects.get(pk=campaign.pk))
    voters = len(tokens)
    for person_id in candidates:
        assert results[person_id].ballots == voters - 1  # not their own ballot


@pytest.mark.django_db
def test_the_cast_audit_entry_holds_no_ballot(org: Any) -> None:
    campaign, codes = _big_campaign(org)
    _cast_slips(campaign, codes, 2)
    entries = AuditEntry.objects.filter(action="evaluation.ballot_cast")
    assert entries.count() == 2
    for entry in entries:
        assert entry.object_id == str(campaign.pk) and entry.after == {"channel": "link"}
        assert entry.actor_id is None and entry.client_ip is None
