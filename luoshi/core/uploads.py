"""Files kept between two requests of one user (upload → preview → commit), in the database.

Any app process can serve the next step, so nothing is kept on a host's disk. An upload is found
only by its owner, its purpose and its random token: another user's token, an unknown token and
one older than MAX_AGE all answer NotFound alike. `luoshi tick` purges what nobody finished.

These are scratch copies of a file, not records of the domain: they are not audited (the step
that uses the file is, with the file's name and SHA-256).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .errors import NotFound
from .models import StoredUpload

MAX_AGE = dt.timedelta(hours=24)
_NAME_MAX = StoredUpload._meta.get_field("name").max_length or 255


@dataclass(frozen=True)
class UploadInfo:
    """What is known of an upload without reading its content."""

    token: str
    name: str
    size: int
    sha256: str
    created_at: dt.datetime


def _owner_id(owner: Any) -> int:
    if not getattr(owner, "is_authenticated", False) or owner.pk is None:
        raise NotFound()
    return int(owner.pk)


def _find(owner: Any, purpose: str, token: Any, *, live: bool = True) -> QuerySet[StoredUpload]:
    """The owner's upload for this purpose and token, as a queryset of at most one row.

    `live` leaves out the ones older than MAX_AGE that the next tick will purge.
    """
    if not isinstance(token, str) or not token or len(token) > 64:
        raise NotFound()
    qs = StoredUpload.objects.filter(owner_id=_owner_id(owner), purpose=purpose, token=token)
    return qs.filter(created_at__gte=timezone.now() - MAX_AGE) if live else qs


@transaction.atomic
def store(owner: Any, purpose: str, name: str, data: bytes) -> str:
    """Keep `data` for `owner`; return the token that finds it again."""
    token = secrets.token_urlsafe(32)
    StoredUpload.objects.create(
        owner_id=_owner_id(owner),
        token=token,
        purpose=purpose,
        name=name[:_NAME_MAX],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=bytes(data),
    )
    return token


def peek(owner: Any, purpose: str, token: Any) -> UploadInfo:
    """Name, size and hash of an upload, without reading its content; NotFound if none."""
    row = (
        _find(owner, purpose, token)
        .values_list("token", "name", "size", "sha256", "created_at")
        .first()
    )
    if row is None:
        raise NotFound()
    return UploadInfo(*row)


def load(owner: Any, purpose: str, token: Any) -> tuple[str, bytes]:
    """The upload's file name and content; NotFound if missing, expired or someone else's."""
    row = _find(owner, purpose, token).values_list("name", "content").first()
    if row is None:
        raise NotFound()
    name, content = row
    return name, bytes(content)  # PostgreSQL answers a memoryview


def discard(owner: Any, purpose: str, token: Any) -> None:
    """Remove the upload if it is there (doing so twice is fine)."""
    try:
        uploads = _find(owner, purpose, token, live=False)
    except NotFound:
        return
    uploads.delete()


def purge_older_than(age: dt.timedelta = MAX_AGE) -> int:
    """Remove every upload older than `age`; return how many went. Safe to run concurrently."""
    removed, _detail = StoredUpload.objects.filter(created_at__lt=timezone.now() - age).delete()
    return removed
