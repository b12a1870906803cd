"""The rules of the work meeting (机关工作会议), as pure functions (no database).

Marks: [practice] seen in public practice; [open] not verified. Every [practice] and [open]
value is a field of `Policy` with that default, overridden by the Django setting
LUOSHI_MEETINGS = {"field": value, ...} (an unknown key is an error).

The sign-in token shown at the door changes every minute: it is the meeting's id, the minute
(Unix time // 60) and an HMAC-SHA256 of both under a key derived from SECRET_KEY and the
meeting's own secret. A token is accepted during its minute and the one after it (a phone that
scanned at 09:00:59 still signs in at 09:01:30), never before, never later, and never for another
meeting. One person signs in once: that is the services' business, not the token's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    token_minutes_accepted: int = 2  # [practice] the current and the previous minute
    late_after_minutes: int = 0  # [practice] signed in after the start is late
    guest_code_length: int = 8  # [practice] one-time codes for guests without an account
    material_reminder_days: int = 3  # [practice] remind presenters this many days before due
    minutes_prefix: str = "纪要"  # [open] the minutes' series: 纪要〔2026〕3号
    default_duration_minutes: int = 10  # [practice] an agenda item's time when none is given


def policy_from(overrides: Mapping[str, Any] | None) -> Policy:
    if not overrides:
        return Policy()
    names = {f.name for f in dataclasses.fields(Policy)}
    defaults = Policy()
    values: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in names:
            raise ValueError(f"LUOSHI_MEETINGS: unknown rule {key!r}")
        values[key] = type(getattr(defaults, key))(value)
    return dataclasses.replace(defaults, **values)


def policy() -> Policy:
    return policy_from(settings.LUOSHI_MEETINGS)


# --- the rotating sign-in token ----------------------------------------------------------------


def minute_of(timestamp: float) -> int:
    return int(timestamp // 60)


def _key(meeting_secret: str) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"meetings.sign-in:{meeting_secret}".encode(), hashlib.sha256
    ).digest()


def _mac(meeting_id: int, minute: int, meeting_secret: str) -> str:
    message = f"{meeting_id}:{minute}".encode()
    return hmac.new(_key(meeting_secret), message, hashlib.sha256).hexdigest()[:32]


def sign_in_token(meeting_id: int, minute: int, meeting_secret: str) -> str:
    """The token of one meeting for one minute: "<meeting>-<minute>-<mac>"."""
    return f"{meeting_id}-{minute}-{_mac(meeting_id, minute, meeting_secret)}"


def token_meeting_id(token: str) -> int | None:
    """The meeting a token claims to be for (not yet verified), or None if it is malformed."""
    parts = token.split("-") if isinstance(token, str) and len(token) <= 80 else []
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0])


def token_problem(
    token: str, *, meeting_id: int, meeting_secret: str, now_minute: int, accepted: int = 2
) -> str:
    """Why a token is refused ("malformed", "forged", "other_meeting", "expired", "future"), or
    "" when it is good: signed for this meeting, in the current minute or one of the
    `accepted - 1` before it."""
    claimed = token_meeting_id(token)
    if claimed is None:
        return "malformed"
    _id, minute_text, mac = token.split("-")
    minute = int(minute_text)
    if claimed != meeting_id:
        return "other_meeting"
    if not hmac.compare_digest(mac, _mac(meeting_id, minute, meeting_secret)):
        return "forged"
    if minute > now_minute:
        return "future"
    if minute <= now_minute - accepted:
        return "expired"
    return ""


# --- participants by rule ----------------------------------------------------------------------


def meets_threshold(
    *,
    rank_order: int | None,
    post_order: int | None,
    rank_threshold: int | None,
    post_threshold: int | None,
) -> bool:
    """A person attends by rule when their rank is at or above the rule's rank (a lower sort
    order is a higher rank) or their post at or above the rule's post. A rule with neither
    threshold takes nobody; a person with neither rank nor post meets no threshold."""
    by_rank = rank_threshold is not None and rank_order is not None and rank_order <= rank_threshold
    by_post = post_threshold is not None and post_order is not None and post_order <= post_threshold
    return by_rank or by_post


def guest_code_digest(code: str) -> str:
    return hashlib.sha256(f"meetings.guest:{code.strip().upper()}".encode()).hexdigest()


# --- the readiness of each step ----------------------------------------------------------------

PLANNING, NOTIFIED, IN_SESSION, CLOSED, MINUTES_PUBLISHED = (
    "planning",
    "notified",
    "in_session",
    "closed",
    "minutes_published",
)
STATES = (PLANNING, NOTIFIED, IN_SESSION, CLOSED, MINUTES_PUBLISHED)
NEXT = {
    PLANNING: NOTIFIED,
    NOTIFIED: IN_SESSION,
    IN_SESSION: CLOSED,
    CLOSED: MINUTES_PUBLISHED,
}
