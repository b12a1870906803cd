"""Reads of the audit log, for the audit administrator's page, export and API.

The audit log is not scoped by org unit: whoever may read it reads all of it, and nobody else
reads any of it. That decision belongs to `luoshi.orgs.permissions.can_read_audit`, which lives
above core; so the caller computes it and passes `can_read` (core imports no domain app), and
every function here answers with nothing when it is false.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry
from .text import to_simplified, to_traditional

# Bounds for date filters: outside them every entry matches anyway, and clamping keeps the
# conversions to UTC from overflowing on dates like 0001-01-01 or 9999-12-31.
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 1, 1)


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # username, case-insensitive, exact
    action: str = ""  # action code, exact
    object_type: str = ""  # app_label.model, exact
    since: dt.date | None = None  # from this day (local time), inclusive
    until: dt.date | None = None  # to this day (local time), inclusive
    q: str = ""  # free text in the object's description, across Simplified/Traditional script

    def as_dict(self) -> dict[str, str]:
        """The filters in effect, for the audit entry that records a reading of the log."""
        data = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "q": self.q,
        }
        return {key: value for key, value in data.items() if value}


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, can_read: bool, f: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """The log, newest first, narrowed by `f`; empty for anyone who may not read it."""
    if not can_read:
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.order_by("-id")
    if f is None:
        return qs
    if actor := _clean(f.actor):
        qs = qs.filter(actor_name__iexact=actor)
    if action := _clean(f.action):
        qs = qs.filter(action=action)
    if object_type := _clean(f.object_type):
        qs = qs.filter(object_type=object_type)
    if f.since is not None and f.since > _EARLIEST:
        qs = qs.filter(at__gte=_day_start(min(f.since, _LATEST)))
    if f.until is not None and f.until < _LATEST:
        qs = qs.filter(at__lt=_day_start(max(f.until, _EARLIEST) + dt.timedelta(days=1)))
    if q := _clean(f.q):
        variants = {q, to_simplified(q), to_traditional(q)}
        condition = Q()
        for variant in sorted(variants):
            condition |= Q(object_repr__icontains=variant)
        qs = qs.filter(condition)
    return qs


def audit_actions(*, can_read: bool) -> list[str]:
    """The distinct action codes in the log, for the filter's choices."""
    if not can_read:
        return []
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_object_types(*, can_read: bool) -> list[str]:
    """The distinct object types in the log, for the filter's choices."""
    if not can_read:
        return []
    return list(
        AuditEntry.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
