"""Evidence files of tasks and reports: the allow-listed types, the size limit, storage."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.core import audit, uploads
from luoshi.core.errors import InvalidInput

from ..models import (
    Attachment,
    ProgressReport,
    Task,
)

ATTACHMENT_TYPES = uploads.EVIDENCE_TYPES


def check_attachment(name: str, content: bytes) -> tuple[str, str]:
    """An evidence file's cleaned name and suffix, or InvalidInput (luoshi.core.uploads.
    check_file: allowed type, not empty, within the size limit, content read by a parser)."""
    return uploads.check_file(name, content)


@transaction.atomic
def attachment_add(
    *, actor: Any, task: Task, name: str, content: bytes, report: ProgressReport | None = None
) -> Any:
    """Keep a piece of evidence for a task (or one of its reports) in the default storage.

    Only the types in the allow-list, whose content a parser reads as that type, and up to the
    size limit; the file is stored under a random name, never where the web server serves files.
    """
    clean_name, suffix = check_attachment(name, content)
    if report is not None and report.task_id != task.pk:
        raise InvalidInput(_("The report belongs to another task."))
    return store_checked(
        actor=actor, task=task, report=report, name=clean_name, suffix=suffix, content=content
    )


def store_checked(
    *, actor: Any, task: Task, report: ProgressReport | None, name: str, suffix: str, content: bytes
) -> Attachment:
    """Keep a checked file (see attachment_add; inside the caller's transaction)."""
    clean_name = name
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
