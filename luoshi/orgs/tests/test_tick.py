from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from luoshi.core import uploads
from luoshi.core.errors import NotFound
from luoshi.core.models import StoredUpload


@pytest.mark.django_db
def test_tick_purges_uploads_older_than_a_day_and_is_idempotent(org) -> None:
    admin = org.users["admin"]
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(hours=25), tick=False):
        stale = uploads.store(admin, "org_people", "stale.xlsx", b"x")
    with time_machine.travel(start - dt.timedelta(hours=23), tick=False):
        fresh = uploads.store(admin, "org_people", "fresh.xlsx", b"y")
    out = StringIO()
    with time_machine.travel(start, tick=False):
        call_command("tick", stdout=out)
        call_command("tick", stdout=out)  # a second run finds nothing more to do
        assert uploads.load(admin, "org_people", fresh) == ("fresh.xlsx", b"y")
    assert list(StoredUpload.objects.values_list("token", flat=True)) == [fresh]
    with pytest.raises(NotFound):
        uploads.load(admin, "org_people", stale)
    lines = [line for line in out.getvalue().splitlines() if "uploads" in line]
    assert lines[0].endswith(", 1 stale uploads removed")
    assert lines[1].endswith(", 0 stale uploads removed")
