"""Sealing a closed campaign: its ballots rewritten in random order under new keys, then the
campaign marked closed and its results readable (see luoshi.evaluation.services' docstring).

Run by the `seal_ballots` task (luoshi.evaluation.tasks), which `campaign_close` and
`sealing_resume` enqueue; below both, so that the services import the task and the task this.
"""

from __future__ import annotations

import logging
import random
import struct
import uuid
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from luoshi.core import audit, secretbox
from luoshi.core.context import client_ip
from luoshi.core.versioning import save_versioned

from .models import Ballot, BallotMark, Campaign, PendingBallot, Voter

logger = logging.getLogger("luoshi.evaluation")


class BallotUnreadable(Exception):
    """A buffered ballot that does not decrypt: tampered with, moved to another row, campaign or
    category, or sealed under another LUOSHI_BALLOT_KEY."""


_PURPOSE = "luoshi-ballot-buffer"  # the key's derivation (luoshi.core.secretbox)


def _associated(row_id: uuid.UUID, campaign_id: int, category_id: int | None) -> bytes:
    # authenticated with the marks: a payload copied to another row, campaign or category fails
    return f"luoshi-ballot:{row_id}:{campaign_id}:{category_id or ''}".encode()


def _pack(marks: list[list[int | None]]) -> bytes:
    # fixed width (8 + 8 bytes a mark, 0 for "self — not rated"): the length of every ballot of
    # a campaign is the same, whatever its grades and their ids' digits
    return b"".join(struct.pack("!QQ", cand, grade or 0) for cand, grade in marks)


def _unpack(plain: bytes) -> list[list[int | None]]:
    if len(plain) % 16:
        raise ValueError("not whole marks")
    return [[cand, grade or None] for cand, grade in struct.iter_unpack("!QQ", plain)]


def seal_marks(
    marks: list[list[int | None]], *, row_id: uuid.UUID, campaign_id: int, category_id: int | None
) -> str:
    """The buffered ballot's payload: "v1:" + base64(nonce ‖ AES-256-GCM ciphertext and tag) of
    the marks, 16 bytes each, under settings.LUOSHI_BALLOT_KEY with a fresh random 96-bit
    nonce."""
    return secretbox.seal(
        _pack(marks),
        key=settings.LUOSHI_BALLOT_KEY,
        purpose=_PURPOSE,
        associated=_associated(row_id, campaign_id, category_id),
    )


def open_marks(
    payload: str, *, row_id: uuid.UUID, campaign_id: int, category_id: int | None
) -> list[list[int | None]]:
    """The marks `seal_marks` sealed; BallotUnreadable when the payload does not authenticate."""
    try:
        plain = secretbox.unseal(
            payload,
            key=settings.LUOSHI_BALLOT_KEY,
            purpose=_PURPOSE,
            associated=_associated(row_id, campaign_id, category_id),
        )
        return _unpack(plain)
    except (secretbox.Unreadable, ValueError, struct.error) as exc:
        raise BallotUnreadable(str(row_id)) from exc


def _reshuffle_ballots(campaign: Campaign) -> None:
    """Rewrite the campaign's ballots in random order under new keys (see the module doc).

    Set-based: each old ballot is paired at random with a new random key; the new ballots, then
    their marks (one INSERT … SELECT, fresh random keys), are written in the order of those new
    keys, which is a random order unrelated to the order of casting; then the old rows are
    deleted. (A ballot's marks lying together tells nothing beyond its ballot key, which every
    mark carries anyway.)

    Cost, measured on PostgreSQL at 1,000 candidates × 300 ballots (bench/tally.py): about
    two thirds of the time goes to the foreign-key checks PostgreSQL makes for each inserted
    mark (ballot, candidate, grade: 900,000 checks); the rest to writing 300,000 rows and their
    indexes. Writing the marks in random order instead costs about the same.
    """
    old = list(Ballot.objects.filter(campaign=campaign).values_list("id", "category_id"))
    if not old:
        return
    random.SystemRandom().shuffle(old)
    old_ids = [ballot_id for ballot_id, _category in old]
    new_ids = sorted(uuid.uuid4() for _ in old)
    # a slip's ballot keeps its rater category (the weighted score needs it; it names nobody)
    Ballot.objects.bulk_create(
        [
            Ballot(id=new_id, campaign=campaign, category_id=category)
            for new_id, (_old, category) in zip(new_ids, old, strict=True)
        ],
        batch_size=1000,
    )
    ballot_table = Ballot._meta.db_table
    mark_table = BallotMark._meta.db_table
    postgres = connection.vendor == "postgresql"
    new_key = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
    remap = "evaluation_ballot_remap"
    db_id = Ballot._meta.pk.get_db_prep_value
    pairs = [
        (db_id(old, connection), db_id(new, connection))
        for old, new in zip(old_ids, new_ids, strict=True)
    ]
    with connection.cursor() as cursor:
        # dropped at the end, in this transaction (a rollback takes its creation back too)
        temp = f"{'pg_temp' if postgres else 'temp'}.{remap}"
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        key_type = "uuid" if postgres else "char(32)"
        cursor.execute(
            f"CREATE TEMP TABLE {remap} (old_id {key_type} PRIMARY KEY, new_id {key_type})"
        )
        cursor.executemany(f"INSERT INTO {remap} (old_id, new_id) VALUES (%s, %s)", pairs)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {mark_table} (id, ballot_id, candidate_id, grade_id) "  # noqa: S608
            f"SELECT {new_key}, r.new_id, m.candidate_id, m.grade_id "
            f"FROM {mark_table} m JOIN {remap} r ON m.ballot_id = r.old_id "
            "ORDER BY r.new_id, m.candidate_id"
        )
        cursor.execute(
            f"DELETE FROM {mark_table} WHERE ballot_id IN (SELECT old_id FROM {remap})"  # noqa: S608
        )
        cursor.execute(
            f"DELETE FROM {ballot_table} WHERE id IN (SELECT old_id FROM {remap})"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {temp}")


def campaign_seal(*, campaign_id: int) -> bool:
    """Seal a closed campaign's ballots (the `seal_ballots` task): rewrite them anonymously in
    one transaction, then mark the campaign closed, its results readable.

    Idempotent: a campaign that is not "sealing" (already sealed, or gone) is left alone and
    False returned. Two runs at once: the campaign row is locked first, so the second waits
    and then finds it sealed. The audit entry names no actor and no client address (like the
    cast's): the task may run inside the closing officer's request (immediate backend).
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not campaign.is_sealing:
            return False
        flush_in_transaction(campaign.pk, 1, everything=True)  # the buffer's last ballots
        _reshuffle_ballots(campaign)
        campaign.status, campaign.sealed_at = Campaign.Status.CLOSED, timezone.now()
        save_versioned(campaign, ["status", "sealed_at"])
        ballots = Ballot.objects.filter(campaign=campaign).count()
        after: dict[str, Any] = {"status": campaign.status, "ballots": ballots}
        refused = PendingBallot.objects.filter(campaign=campaign, refused=True).count()
        if refused:
            after["refused"] = refused  # kept in the buffer for the administrator, not counted
        ip_token = client_ip.set(None)
        try:
            audit.record("evaluation.seal", obj=campaign, after=after)
        finally:
            client_ip.reset(ip_token)
    # the dead row versions of the old ballots (their transactions, their heap order) go too
    vacuum_ballot_tables(Ballot, BallotMark, PendingBallot, Voter)
    return True


def flush_in_transaction(campaign_id: int, batch: int, everything: bool) -> int:
    """Move buffered ballots into the ballot tables, shuffled, under fresh keys (the caller's
    transaction; services.ballots_flush, and campaign_seal with everything=True)."""
    rows = list(
        PendingBallot.objects.select_for_update(skip_locked=True)
        .filter(campaign_id=campaign_id, refused=False)
        .values_list("id", "category_id", "payload")
    )
    opened: list[tuple[uuid.UUID, int | None, list[list[int | None]]]] = []
    unreadable: list[uuid.UUID] = []
    for row_id, category_id, payload in rows:
        try:
            pairs = open_marks(
                payload, row_id=row_id, campaign_id=campaign_id, category_id=category_id
            )
        except BallotUnreadable:
            unreadable.append(row_id)
        else:
            opened.append((row_id, category_id, pairs))
    if unreadable:
        _refuse(campaign_id, unreadable)
    if not everything:
        opened = opened[: len(opened) - len(opened) % batch]
    if not opened:
        return 0
    rng = random.SystemRandom()
    rng.shuffle(opened)
    ballots: list[Ballot] = []
    marks: list[BallotMark] = []
    for _old, category, pairs in opened:
        ballot = Ballot(id=uuid.uuid4(), campaign_id=campaign_id, category_id=category)
        ballots.append(ballot)
        marks.extend(
            BallotMark(id=uuid.uuid4(), ballot=ballot, candidate_id=cast(int, cand), grade_id=grade)
            for cand, grade in pairs
        )
    ballots.sort(key=lambda b: b.id)  # stored in the order of random keys
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    BallotMark.objects.bulk_create(marks, batch_size=1000)
    PendingBallot.objects.filter(id__in=[old for old, _c, _m in opened]).delete()
    return len(opened)


def _refuse(campaign_id: int, row_ids: list[uuid.UUID]) -> None:
    """Buffered ballots that do not decrypt: kept (marked refused, no longer flushed), logged and
    audited, for the administrator to look into (docs/operations.md, "Ballot key"). Never
    dropped: a ballot that vanished silently would be an acknowledged ballot lost."""
    PendingBallot.objects.filter(id__in=row_ids).update(refused=True)
    logger.error(
        "%d buffered ballot(s) of campaign %s do not decrypt (tampered with, or another "
        "LUOSHI_BALLOT_KEY): kept as refused, not counted",
        len(row_ids),
        campaign_id,
    )
    ip_token = client_ip.set(None)
    try:
        audit.record(
            "evaluation.ballot_refused",
            object_type="evaluation.campaign",
            object_id=campaign_id,
            object_repr=str(campaign_id),
            after={"refused": len(row_ids)},
        )
    finally:
        client_ip.reset(ip_token)


def vacuum_ballot_tables(*models: type[Any]) -> None:
    """VACUUM the given ballot tables on PostgreSQL, so that the dead row versions a flush or
    a sealing leaves (with their inserting transactions and heap positions) are removed, not
    kept readable (pageinspect) until autovacuum. Only outside a transaction (VACUUM cannot run
    inside one: tests, a caller's atomic block); needs the table's owner, or the MAINTAIN
    privilege on PostgreSQL 17 (see docs/security.md, "Ballot secrecy")."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
