"""Stored uploads: files kept in the database between two requests of one user."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from luoshi.core import uploads
from luoshi.core.errors import NotFound
from luoshi.core.models import StoredUpload
from luoshi.orgs import services

pytestmark = pytest.mark.django_db

PURPOSE = "org_people"


def test_store_and_load_give_back_the_same_bytes(org) -> None:
    admin = org.users["admin"]
    data = os.urandom(4096) + b"\x00" * 10  # any bytes, NULs included
    token = uploads.store(admin, PURPOSE, "样例.xlsx", data)
    assert uploads.load(admin, PURPOSE, token) == ("样例.xlsx", data)
    row = StoredUpload.objects.get(token=token)
    assert (row.owner_id, row.purpose, row.size) == (admin.pk, PURPOSE, len(data))
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    info = uploads.peek(admin, PURPOSE, token)
    assert (info.token, info.name, info.size, info.sha256) == (
        token,
        "样例.xlsx",
        len(data),
        row.sha256,
    )


def test_tokens_are_random_and_long(org) -> None:
    admin = org.users["admin"]
    tokens = {uploads.store(admin, PURPOSE, "a.xlsx", b"a") for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)


def test_only_the_owner_and_the_purpose_find_an_upload(org) -> None:
    admin, staff = org.users["admin"], org.users["staff"]
    token = uploads.store(admin, PURPOSE, "a.xlsx", b"data")
    for owner, purpose, key in [
        (staff, PURPOSE, token),  # someone else's
        (AnonymousUser(), PURPOSE, token),
        (None, PURPOSE, token),
        (admin, "work_plan", token),  # another purpose
        (admin, PURPOSE, token[:-1]),
        (admin, PURPOSE, ""),
        (admin, PURPOSE, None),
        (admin, PURPOSE, {"token": token}),
        (admin, PURPOSE, "x" * 500),
    ]:
        with pytest.raises(NotFound):
            uploads.load(owner, purpose, key)
        with pytest.raises(NotFound):
            uploads.peek(owner, purpose, key)
        uploads.discard(owner, purpose, key)  # removes nothing of the owner's
    assert uploads.load(admin, PURPOSE, token) == ("a.xlsx", b"data")


def test_an_upload_older_than_a_day_is_not_found(org) -> None:
    admin = org.users["admin"]
    token = uploads.store(admin, PURPOSE, "a.xlsx", b"data")
    with time_machine.travel(timezone.now() + uploads.MAX_AGE - dt.timedelta(minutes=1)):
        assert uploads.load(admin, PURPOSE, token)[1] == b"data"
    with time_machine.travel(timezone.now() + uploads.MAX_AGE + dt.timedelta(minutes=1)):
        with pytest.raises(NotFound):
            uploads.load(admin, PURPOSE, token)
        with pytest.raises(NotFound):
            uploads.peek(admin, PURPOSE, token)


def test_discard_removes_it_and_twice_is_fine(org) -> None:
    admin = org.users["admin"]
    token = uploads.store(admin, PURPOSE, "a.xlsx", b"data")
    other = uploads.store(admin, PURPOSE, "b.xlsx", b"more")
    uploads.discard(admin, PURPOSE, token)
    uploads.discard(admin, PURPOSE, token)
    with pytest.raises(NotFound):
        uploads.load(admin, PURPOSE, token)
    assert uploads.load(admin, PURPOSE, other) == ("b.xlsx", b"more")


def test_purge_removes_only_what_is_older_than_the_age(org) -> None:
    admin, staff = org.users["admin"], org.users["staff"]
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(hours=30), tick=False):
        old = [
            uploads.store(admin, PURPOSE, "old.xlsx", b"1"),
            uploads.store(staff, "work_plan", "old.docx", b"2"),
        ]
    with time_machine.travel(now - dt.timedelta(hours=2), tick=False):
        recent = uploads.store(admin, PURPOSE, "recent.xlsx", b"3")
    with time_machine.travel(now, tick=False):
        assert uploads.purge_older_than(dt.timedelta(hours=24)) == 2
        assert uploads.purge_older_than(dt.timedelta(hours=24)) == 0
        assert set(StoredUpload.objects.values_list("token", flat=True)) == {recent}
        assert uploads.purge_older_than(dt.timedelta(hours=1)) == 1
    assert not StoredUpload.objects.filter(token__in=old).exists()
    assert not StoredUpload.objects.exists()


def test_deleting_the_owner_deletes_the_uploads(org) -> None:
    user = services.user_create(actor=None, username="leaving", password="Leaving-pass-1")
    uploads.store(user, PURPOSE, "a.xlsx", b"data")
    kept = uploads.store(org.users["admin"], PURPOSE, "b.xlsx", b"data")
    user.delete()
    assert list(StoredUpload.objects.values_list("token", flat=True)) == [kept]
