"""Buffered ballots are encrypted (docs/security.md, "Ballots"): a database administrator who
reads the buffer (`evaluation_pendingballot`) during the vote reads no candidate and no grade;
a row that does not decrypt is refused at the flush, kept for the administrator and audited,
never silently dropped; the flow still counts every ballot."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.db import connection

from luoshi.core.models import AuditEntry
from luoshi.evaluation import services
from luoshi.evaluation.models import Ballot, Campaign, GradeOption, PendingBallot
from luoshi.evaluation.sealing import BallotUnreadable, open_marks

from .test_anonymity import _big_campaign, open_credential

SAME_CHOICE = "excellent"


def _cast_same(campaign: Campaign, codes: dict[int, str], count: int) -> None:
    """`count` ballots with the same choice for every candidate."""
    people = list(campaign.candidates.values_list("person_id", flat=True))
    for key, code in sorted(codes.items())[:count]:
        voter = open_credential(campaign, key, code)
        services.ballot_cast(voter=voter, choices=dict.fromkeys(people, SAME_CHOICE))


def _raw_rows() -> list[tuple[Any, ...]]:
    """The buffer as an administrator reads it, every column."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {PendingBallot._meta.db_table}")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


def _opened(row: PendingBallot) -> list[list[int | None]]:
    return open_marks(
        row.payload, row_id=row.id, campaign_id=row.campaign_id, category_id=row.category_id
    )


@pytest.mark.django_db
def test_a_buffered_ballot_holds_no_readable_mark(org: Any, settings: Any) -> None:
    settings.LUOSHI_BALLOT_BATCH = 10
    campaign, codes = _big_campaign(org)
    _cast_same(campaign, codes, 3)
    assert PendingBallot.objects.count() == 3 and Ballot.objects.count() == 0
    grade = GradeOption.objects.get(campaign=campaign, code=SAME_CHOICE)
    candidates = list(campaign.candidates.values_list("pk", flat=True))
    clear = {json.dumps([c, grade.pk], separators=(",", ":")) for c in candidates}
    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), PendingBallot._meta.db_table
        )
    ]
    assert "marks" not in columns
    payloads = set()
    for row in _raw_rows():
        text = " ".join(str(value) for value in row)
        assert not any(pair in text for pair in clear)
        assert f"[{candidates[0]}," not in text and f",{grade.pk}]" not in text
        payload = row[columns.index("payload")]
        assert payload.startswith("v1:")
        with pytest.raises(ValueError):
            json.loads(payload)
        payloads.add(payload)
    # the same choices give different payloads (a fresh nonce per ballot), all of one length
    assert len(payloads) == 3
    assert len({len(p) for p in payloads}) == 1
    # the key opens them; another key does not
    buffered = PendingBallot.objects.first()
    assert buffered is not None
    assert sorted(_opened(buffered)) == sorted([c, grade.pk] for c in candidates)
    settings.LUOSHI_BALLOT_KEY = "another key"
    with pytest.raises(BallotUnreadable):
        _opened(buffered)


def _flip_a_byte(payload: str) -> str:
    version, _sep, text = payload.partition(":")
    raw = bytearray(base64.b64decode(text))
    raw[20] ^= 0x01
    return f"{version}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.django_db
def test_a_tampered_ballot_is_refused_kept_and_audited(org: Any, settings: Any, close: Any) -> None:
    settings.LUOSHI_BALLOT_BATCH = 10
    campaign, codes = _big_campaign(org)
    _cast_same(campaign, codes, 4)
    first, second, third, _fourth = PendingBallot.objects.order_by("id")
    # a flipped bit in the ciphertext, and a payload copied onto another row
    PendingBallot.objects.filter(pk=first.pk).update(payload=_flip_a_byte(first.payload))
    PendingBallot.objects.filter(pk=second.pk).update(payload=third.payload)
    assert close(campaign).is_closed
    # the two readable ballots are counted; the two others are kept, marked refused
    assert Ballot.objects.filter(campaign=campaign).count() == 2
    kept = PendingBallot.objects.filter(campaign=campaign)
    assert set(kept.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert all(kept.values_list("refused", flat=True))
    refusal = AuditEntry.objects.get(action="evaluation.ballot_refused")
    assert refusal.object_id == str(campaign.pk) and refusal.after == {"refused": 2}
    assert refusal.actor is None and refusal.client_ip is None
    seal = AuditEntry.objects.get(action="evaluation.seal")
    assert seal.after is not None and seal.after["ballots"] == 2 and seal.after["refused"] == 2
    # `luoshi tick` does not try them again and again
    assert "0 late ballot(s) stored" in services.sealing_resume()
    assert PendingBallot.objects.filter(campaign=campaign).count() == 2


@pytest.mark.django_db
def test_ballots_sealed_under_another_key_are_kept_not_lost(
    org: Any, settings: Any, close: Any
) -> None:
    """The key changed while ballots waited (docs/operations.md, "Ballot key"): they are
    refused, not dropped; put the old key back and they are stored."""
    settings.LUOSHI_BALLOT_BATCH = 3
    campaign, codes = _big_campaign(org)
    old_key = settings.LUOSHI_BALLOT_KEY
    _cast_same(campaign, codes, 2)
    settings.LUOSHI_BALLOT_KEY = "a new key"
    _cast_same(campaign, dict(sorted(codes.items())[2:]), 1)  # the third triggers a flush
    assert Ballot.objects.count() == 0  # the two old ones refused, the new one waits alone
    assert PendingBallot.objects.filter(refused=True).count() == 2
    assert PendingBallot.objects.filter(refused=False).count() == 1
    settings.LUOSHI_BALLOT_KEY = old_key
    PendingBallot.objects.filter(refused=True).update(refused=False)  # the administrator
    assert services.ballots_flush(campaign_id=campaign.pk, everything=True) == 2
    assert Ballot.objects.count() == 2
    assert PendingBallot.objects.filter(refused=True).count() == 1  # the new key's, now


@pytest.mark.django_db
def test_a_candidates_ballot_is_as_long_as_anyone_elses(org: Any, settings: Any) -> None:
    """The "self — not rated" mark and every grade take the same room: the payload's length
    does not tell a candidate's ballot, nor its grades."""
    settings.LUOSHI_BALLOT_BATCH = 50
    campaign, tokens = _big_campaign(org, Campaign.BallotMode.IDENTIFIED)
    people = set(campaign.candidates.values_list("person_id", flat=True))
    grades = list(GradeOption.objects.filter(campaign=campaign).values_list("code", flat=True))
    for index, (person_id, token) in enumerate(sorted(tokens.items())):
        choices = {p: grades[index % len(grades)] for p in people if p != person_id}
        services.ballot_cast(voter=open_credential(campaign, person_id, token), choices=choices)
    lengths = set(PendingBallot.objects.values_list("payload", flat=True))
    assert len(lengths) == len(tokens) and len({len(p) for p in lengths}) == 1
