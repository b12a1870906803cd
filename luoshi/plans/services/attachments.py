"""Evidence files of tasks and reports: the allow-listed types, the size limit, storage."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput

from ..models import (
    Attachment,
    ProgressReport,
    Task,
)

ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8",
    ".jpeg": b"\xff\xd8",
    ".docx": b"PK",
    ".xlsx": b"PK",
    ".pptx": b"PK",
    ".ofd": b"PK",
    ".zip": b"PK",
    ".txt": b"",
}


def _attachment_limit() -> int:
    from django.conf import settings

    return int(settings.LUOSHI_ATTACHMENT_MAX_BYTES)


def check_attachment(name: str, content: bytes) -> tuple[str, str]:
    """An evidence file's cleaned name and suffix, or InvalidInput: allowed type, not empty,
    within the size limit, content matching its type (shared by every app that takes files)."""
    from pathlib import PurePath

    clean_name = PurePath(name.replace("\\", "/")).name.strip()[:200] or "attachment"
    suffix = PurePath(clean_name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise InvalidInput(
            _("Files of type %(type)s cannot be attached. Allowed: %(allowed)s.")
            % {"type": suffix or "?", "allowed": ", ".join(sorted(ATTACHMENT_TYPES))},
            code="attachment_type",
        )
    if not content:
        raise InvalidInput(_("The file is empty."), code="attachment_empty")
    limit = _attachment_limit()
    if len(content) > limit:
        raise InvalidInput(
            _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)},
            code="attachment_too_large",
        )
    if not content.startswith(ATTACHMENT_TYPES[suffix]):
        raise InvalidInput(
            _("The file's content does not match its type %(type)s.") % {"type": suffix},
            code="attachment_type",
        )
    return clean_name, suffix


@transaction.atomic
def attachment_add(
    *, actor: Any, task: Task, name: str, content: bytes, report: ProgressReport | None = None
) -> Any:
    """Keep a piece of evidence for a task (or one of its reports) in the default storage.

    Only the types in the allow-list, whose first bytes match the type, and up to the size
    limit; the file is stored under a random name, never where the web server serves files.
    """
    clean_name, suffix = check_attachment(name, content)
    if report is not None and report.task_id != task.pk:
        raise InvalidInput(_("The report belongs to another task."))
    attachment = Attachment(
        task=task,
        report=report,
        name=clean_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(secrets.token_hex(16) + suffix, ContentFile(content), save=False)
    attachment.save()
    audit.record(
        "task.attachment_add",
        actor=actor,
        obj=task,
        after={"name": clean_name, "size": len(content), "sha256": attachment.sha256},
    )
    return attachment
