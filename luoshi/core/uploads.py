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
import io
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import zipguard
from .errors import InvalidInput, NotFound
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


# --- files people attach (evidence, photos, materials): one check for every app ----------------

MB = 1024 * 1024
EVIDENCE_TYPES = (
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".docx",
    ".xlsx",
    ".pptx",
    ".ofd",
    ".zip",
    ".txt",
)
IMAGE_TYPES = (".png", ".jpg", ".jpeg")
NAME_MAX = 200
# the parts without which an Office or OFD file is not one
_EXPECTED_PARTS = {
    ".docx": ("[Content_Types].xml", "word/document.xml"),
    ".xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    ".pptx": ("[Content_Types].xml", "ppt/presentation.xml"),
    ".ofd": ("OFD.xml",),
    ".zip": (),
}
_IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
# control characters and the bidirectional overrides that make a name read as another
_UNSAFE_IN_NAMES = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
)


def clean_name(name: str, default: str = "attachment", *, max_length: int = NAME_MAX) -> str:
    """A client's file name made safe to keep and show: the last part of a path only, without
    control characters (CR, LF, NUL, …) or direction overrides, trimmed; `default` if nothing
    is left."""
    from pathlib import PurePosixPath

    text = "".join(ch for ch in str(name) if ch not in _UNSAFE_IN_NAMES)
    text = PurePosixPath(text.replace("\\", "/")).name.strip()
    if not text.strip("."):
        text = ""
    return (text or default)[:max_length]


def _mismatch(suffix: str) -> InvalidInput:
    return InvalidInput(
        _("The file's content does not match its type %(type)s.") % {"type": suffix},
        code="attachment_type",
    )


def _check_pdf(content: bytes) -> bool:
    """A PDF's frame, as a reader finds it: the header, then from the end `startxref` with an
    offset inside the file, where a cross-reference table or stream starts, and `%%EOF`."""
    import re

    if not re.match(rb"%PDF-[12]\.\d", content[:16]):
        return False
    tail = content[-2048:]
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail)
    if found is None:
        return False
    offset = int(found.group(1))
    if not 0 < offset < len(content):
        return False
    at = content[offset : offset + 32]
    return at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", at) is not None


def _check_image(content: bytes, suffix: str) -> bool:
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != _IMAGE_FORMATS[suffix]:
                    return False
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    except Image.DecompressionBombWarning:
        return False
    return True


def _check_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        # text, not binary that happens to decode: no control characters but tab, CR, LF, FF
        return not any(ord(ch) < 0x20 and ch not in "\t\r\n\f" for ch in text)
    return False


def _check_zip_based(content: bytes, suffix: str) -> None:
    members = zipguard.check_zip(content, xml=suffix != ".zip")
    names = {m.filename for m in members}
    if not all(part in names for part in _EXPECTED_PARTS[suffix]):
        raise _mismatch(suffix)
    if suffix == ".zip":
        return
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in _EXPECTED_PARTS[suffix]:
            if archive.getinfo(part).file_size == 0:
                raise _mismatch(suffix)


def check_file(
    name: str,
    content: bytes,
    *,
    allowed: tuple[str, ...] = EVIDENCE_TYPES,
    max_bytes: int | None = None,
) -> tuple[str, str]:
    """A file a person attaches, checked: its cleaned name and lower-case suffix, or
    InvalidInput. The type must be allowed, the file not empty and within `max_bytes`
    (LUOSHI_ATTACHMENT_MAX_BYTES), and its content must be what the type says, read by a
    parser: a PDF's header and cross-reference frame, an image verified by Pillow, an Office or
    OFD file through the zip limits of luoshi.core.zipguard with its expected parts, text that
    decodes as UTF-8 or GB 18030 without NUL or control characters. Used by every app that
    keeps files (progress reports, supervision feedback, nominations, news photos, materials).
    """
    from pathlib import PurePosixPath

    from django.conf import settings

    clean = clean_name(name)
    suffix = PurePosixPath(clean).suffix.lower()
    if suffix not in allowed:
        raise InvalidInput(
            _("Files of type %(type)s cannot be attached. Allowed: %(allowed)s.")
            % {"type": suffix or "?", "allowed": ", ".join(sorted(allowed))},
            code="attachment_type",
        )
    if not content:
        raise InvalidInput(_("The file is empty."), code="attachment_empty")
    limit = max_bytes if max_bytes is not None else int(settings.LUOSHI_ATTACHMENT_MAX_BYTES)
    if len(content) > limit:
        raise InvalidInput(
            _("The file is larger than %(size)s MB.") % {"size": f"{limit / MB:.0f}"},
            code="attachment_too_large",
        )
    if suffix == ".pdf":
        ok = _check_pdf(content)
    elif suffix in IMAGE_TYPES:
        ok = _check_image(content, suffix)
    elif suffix == ".txt":
        ok = _check_text(content)
    elif suffix in _EXPECTED_PARTS:
        _check_zip_based(content, suffix)
        ok = True
    else:
        ok = False
    if not ok:
        raise _mismatch(suffix)
    return clean, suffix
