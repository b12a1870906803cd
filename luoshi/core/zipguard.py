"""Zip-based uploads (xlsx, docx, pptx, ofd, zip) checked before any parser opens them.

An Office file is a zip; what it weighs says little about what it unpacks to. `check_zip` walks
the zip's central directory and refuses, before a single part is decompressed:

- more parts than LUOSHI_ZIP_MAX_PARTS (`file_suspicious`);
- parts whose declared sizes add up to more than LUOSHI_ZIP_MAX_UNPACKED_BYTES (`file_too_large`);
- a part of at least LUOSHI_ZIP_RATIO_FLOOR_BYTES that unpacks to more than LUOSHI_ZIP_MAX_RATIO
  times its packed size (`file_suspicious`): text compresses ten to twenty times, a bomb thousands.

The declared sizes bound what is read: Python's zipfile never yields more of a part than its
declared size (and a part that holds more fails its CRC check), and every parser here reads
through zipfile. `refuse_dtd` then reads the XML parts in chunks and refuses any that carries a
document type declaration: OOXML never needs one, and a parser that ignores its entities (as
python-docx's does) silently drops the text after an entity reference.

Every refusal names the limit, in the user's language. Nothing here knows about any domain.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import InvalidInput

MB = 1024 * 1024
_CHUNK = 256 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# `<!DOCTYPE` (a DTD, possibly with entities) and `<!ENTITY`, in each encoding XML may use
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!doctype", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(m) for m in _DTD_MARKERS)


class FileRefused(InvalidInput):
    """An upload refused by a limit: `file_too_large` or `file_suspicious`."""

    code = "file_suspicious"


@dataclass(frozen=True)
class ZipLimits:
    max_unpacked: int
    max_parts: int
    max_ratio: int
    ratio_floor: int

    @classmethod
    def from_settings(cls) -> ZipLimits:
        return cls(
            max_unpacked=int(settings.LUOSHI_ZIP_MAX_UNPACKED_BYTES),
            max_parts=int(settings.LUOSHI_ZIP_MAX_PARTS),
            max_ratio=int(settings.LUOSHI_ZIP_MAX_RATIO),
            ratio_floor=int(settings.LUOSHI_ZIP_RATIO_FLOOR_BYTES),
        )


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= MB else f"{size / MB:.2f}"


def too_large(limit: int) -> FileRefused:
    return FileRefused(
        _(
            "The file unpacks to more than %(size)s MB (the limit for uploaded files). "
            "Split it into smaller files."
        )
        % {"size": _megabytes(limit)},
        code="file_too_large",
    )


def _too_many_parts(limit: int) -> FileRefused:
    return FileRefused(
        _(
            "The file has more than %(count)d parts (the limit for uploaded files); "
            "it is not an ordinary Office document."
        )
        % {"count": limit},
        code="file_suspicious",
    )


def _ratio(name: str, limit: int) -> FileRefused:
    return FileRefused(
        _(
            "A part of the file (%(part)s) unpacks to more than %(ratio)d times its packed size "
            "(the limit for uploaded files); it is not an ordinary Office document."
        )
        % {"part": name[:80], "ratio": limit},
        code="file_suspicious",
    )


def _dtd(name: str) -> FileRefused:
    return FileRefused(
        _(
            "A part of the file (%(part)s) declares a document type (DTD) or entities, which "
            "Office documents never need; the file is refused. Save it again in Office or WPS."
        )
        % {"part": name[:80]},
        code="file_suspicious",
    )


def damaged() -> FileRefused:
    return FileRefused(
        _("The file is damaged and cannot be read. Open it and save it again."),
        code="corrupt_file",
    )


def check_members(members: Iterable[zipfile.ZipInfo], limits: ZipLimits | None = None) -> None:
    """Refuse a central directory beyond the limits (see the module's docstring)."""
    limits = limits or ZipLimits.from_settings()
    total = 0
    for count, member in enumerate(members, start=1):
        if count > limits.max_parts:
            raise _too_many_parts(limits.max_parts)
        total += member.file_size
        if total > limits.max_unpacked:
            raise too_large(limits.max_unpacked)
        if member.file_size >= limits.ratio_floor and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise _ratio(member.filename, limits.max_ratio)


def refuse_dtd(archive: zipfile.ZipFile, names: Iterable[str] | None = None) -> None:
    """Refuse an XML part that carries a DTD or an entity declaration (read in chunks)."""
    wanted = (
        list(names)
        if names is not None
        else [n for n in archive.namelist() if n.lower().endswith(_XML_SUFFIXES)]
    )
    for name in wanted:
        with archive.open(name) as part:
            tail = b""
            while chunk := part.read(_CHUNK):
                window = tail + chunk
                if any(marker in window for marker in _DTD_MARKERS):
                    raise _dtd(name)
                tail = window[-_OVERLAP:]


def check_zip(
    data: bytes, *, limits: ZipLimits | None = None, xml: bool = True
) -> list[zipfile.ZipInfo]:
    """The parts of a zip upload after the checks; FileRefused when it breaks a limit or is
    damaged. `xml` also reads every XML part for a DTD (see `refuse_dtd`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            check_members(members, limits)
            if xml:
                refuse_dtd(archive)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error):
        raise damaged() from None
    except NotImplementedError:  # an unsupported compression method
        raise damaged() from None
    return members


def count_in_part(archive: zipfile.ZipFile, name: str, needles: Iterable[bytes]) -> int:
    """How many times any of `needles` occurs in a part, read in chunks (no XML parsing)."""
    needles = tuple(needles)
    overlap = max(len(n) for n in needles) - 1
    found = 0
    with archive.open(name) as part:
        tail = b""
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            # occurrences wholly inside the tail were counted with the previous chunk
            found += sum(window.count(n) for n in needles) - sum(tail.count(n) for n in needles)
            tail = window[-overlap:] if overlap else b""
    return found
