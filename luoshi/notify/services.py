"""Every write of the notify app, and the public entry points other apps call.

Other apps call `notify(...)` (or `notify_each(...)` to render in each recipient's language)
inside their own transaction: the in-app notices are written at once, in that transaction; the
e-mails and webhook POSTs are queued with the task API, which runs them only after the commit.
A rollback therefore sends nothing, and a failing receiver never touches the caller's action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from luoshi.core import audit, cache
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version
from luoshi.orgs.models import OrgUnit, User

from . import delivery as delivery_rules
from .models import Delivery, Notice, Preference, WebhookEndpoint, event_family
from .selectors import unread_generation
from .tasks import deliver


@dataclass(frozen=True)
class _Message:
    user: User
    subject: str
    body: str


def _ids(recipients: Iterable[Any]) -> list[int]:
    """Primary keys in first-seen order, duplicates dropped (User objects are accepted too)."""
    seen: dict[int, None] = {}
    for item in recipients:
        pk = getattr(item, "pk", item)
        if pk is not None:
            seen[int(pk)] = None
    return list(seen)


def _recipients(ids: list[int]) -> list[User]:
    """The active accounts among `ids`, in that order (queried in chunks: a bulletin to every
    member of a large agency stays below the database's limit on query parameters)."""
    by_id: dict[int, User] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for u in User.objects.filter(pk__in=chunk, is_active=True).select_related(
            "notify_preference"
        ):
            by_id[u.pk] = u
    return [by_id[pk] for pk in ids if pk in by_id]


def _wants_email(user: User, event: str) -> bool:
    if not user.email:
        return False
    try:
        pref: Preference = user.notify_preference
    except Preference.DoesNotExist:
        return True  # e-mail is on until the person turns it off
    return pref.wants_email(event)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _endpoints_for(event: str, org_unit_id: int | None) -> list[WebhookEndpoint]:
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True).select_related("org_unit")
        if e.accepts(event)
    ]
    if not any(e.org_unit_id for e in endpoints):
        return endpoints
    path = ""
    if org_unit_id is not None:
        path = OrgUnit.objects.filter(pk=org_unit_id).values_list("path", flat=True).first() or ""
    return [
        e for e in endpoints if e.org_unit is None or (path and path.startswith(e.org_unit.path))
    ]


def _send(
    messages: list[_Message],
    *,
    event: str,
    link: str,
    actor: Any,
    org_unit_id: int | None,
    webhook_text: Callable[[], tuple[str, str]] | None,
) -> int:

    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    notices = Notice.objects.bulk_create(
        [
            Notice(
                recipient=m.user,
                event=event,
                subject=_clip(m.subject, 255),
                body=m.body,
                link=link,
                actor_id=actor_id,
                org_unit_id=org_unit_id,
                created_at=now,
            )
            for m in messages
        ],
        batch_size=1000,
    )
    if not notices:
        return 0
    cache.bump(*sorted({unread_generation(m.user.pk) for m in messages}))
    deliveries = [
        Delivery(
            channel=Delivery.Channel.EMAIL,
            notice=notice,
            target=m.user.email,
            event=event,
            subject=notice.subject,
            body=m.body,
            link=link,
            next_attempt_at=now,
            created_at=now,
        )
        for notice, m in zip(notices, messages, strict=True)
        if _wants_email(m.user, event)
    ]
    endpoints = _endpoints_for(event, org_unit_id) if webhook_text is not None else []
    if endpoints and webhook_text is not None:
        subject, body = webhook_text()
        deliveries += [
            Delivery(
                channel=Delivery.Channel.WEBHOOK,
                endpoint=endpoint,
                target=endpoint.url,
                event=event,
                subject=_clip(subject, 255),
                body=body,
                link=link,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
        ]
    if deliveries:
        created = Delivery.objects.bulk_create(deliveries, batch_size=1000)
        ids = [d.pk for d in created]
        if all(ids):
            # ENQUEUE_ON_COMMIT: the task is queued only when the caller's transaction commits
            deliver.enqueue(ids)
        # else: a database without RETURNING; `luoshi tick` sends them (they are due now)
    return len(notices)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[int],
    event: str,
    subject: str,
    body: str,
    link: str = "",
    actor: User | None = None,
    org_unit_id: int | None = None,
) -> int:
    """Send one message to several people; returns the number of notices created.

    `recipients` are account primary keys (duplicates and inactive or unknown accounts are
    ignored); `event` a stable dotted code ("supervision.assigned"); `subject` and `body` text
    already rendered. Call it inside your own transaction: notices are written in it, e-mail and
    webhooks go out after it commits (nothing at all if it rolls back).
    """
    users = _recipients(_ids(recipients))
    messages = [_Message(u, subject, body) for u in users]
    return _send(
        messages,
        event=event,
        link=link,
        actor=actor,
        org_unit_id=org_unit_id,
        webhook_text=(lambda: (subject, body)) if users else None,
    )


@transaction.atomic
def notify_each(
    recipients: Iterable[int],
    event: str,
    render: Callable[[User], tuple[str, str]],
    link: str = "",
    *,
    actor: User | None = None,
    org_unit_id: int | None = None,
) -> int:
    """Like `notify`, but `render(user)` returns (subject, body) for each recipient and runs
    with that recipient's language active (their account's language, else the site's).

    Webhooks (group robots: one message for the group, not one per person) get the text
    rendered for the first recipient in the site's language.
    """
    users = _recipients(_ids(recipients))
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = render(user)
        messages.append(_Message(user, str(subject), str(body)))

    def webhook_text() -> tuple[str, str]:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = render(users[0])
        return str(subject), str(body)

    return _send(
        messages,
        event=event,
        link=link,
        actor=actor,
        org_unit_id=org_unit_id,
        webhook_text=webhook_text if users else None,
    )


# --- the inbox --------------------------------------------------------------------------------


@transaction.atomic
def notice_mark_read(*, user: User, notice: Notice) -> Notice:
    """Mark one of the user's own notices read (access is checked by the caller)."""
    if notice.recipient_id != user.pk:
        raise InvalidInput()
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        cache.bump(unread_generation(user.pk))
    return notice


@transaction.atomic
def notice_mark_all_read(*, user: User) -> int:
    """Mark every unread notice of the user read; returns how many changed."""
    changed = Notice.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    cache.bump(unread_generation(user.pk))
    return changed


# --- preferences ------------------------------------------------------------------------------


def preference_for(user: User) -> Preference:
    """The stored choices, or the defaults (unsaved) when the person never changed them."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@transaction.atomic
def preference_update(*, actor: User, email: bool, email_muted: Iterable[str] = ()) -> Preference:
    """The person's own channel choices (the inbox is always on)."""
    muted = sorted({event_family(f.strip()) for f in email_muted if f and f.strip()})
    pref, created = Preference.objects.select_for_update().get_or_create(user=actor)
    before = audit.snapshot(pref, ["email", "email_muted"])
    if created:
        before = {}
    pref.email = bool(email)
    pref.email_muted = muted
    pref.version += 1
    pref.save(update_fields=["email", "email_muted", "version", "updated_at"])
    after = audit.snapshot(pref, ["email", "email_muted"])
    old, new = audit.diff(before, after)
    if new:
        audit.record("notify.preference_update", actor=actor, obj=pref, before=old, after=new)
    return pref


# --- webhooks ---------------------------------------------------------------------------------

_WEBHOOK_FIELDS = ["name", "url", "kind", "events", "active", "org_unit"]


def _clean_events(events: Iterable[str]) -> list[str]:
    return sorted({e.strip() for e in events if e and e.strip()})


@transaction.atomic
def webhook_create(
    *,
    actor: User,
    name: str,
    url: str,
    kind: str,
    events: Iterable[str] = (),
    active: bool = True,
    org_unit: OrgUnit | None = None,
    secret: str = "",
) -> WebhookEndpoint:
    secret = secret.strip()
    _check_webhook(url=url, kind=kind, secret=secret)
    endpoint = WebhookEndpoint.objects.create(
        name=name.strip(),
        url=url.strip(),
        kind=kind,
        secret=secret,
        events=_clean_events(events),
        active=active,
        org_unit=org_unit,
    )
    audit.record(
        "notify.webhook_create",
        actor=actor,
        obj=endpoint,
        after={**audit.snapshot(endpoint, _WEBHOOK_FIELDS), "signed": bool(secret)},
    )
    return endpoint


@transaction.atomic
def webhook_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    version: int | None = None,
    secret: str | None = None,
    **changes: Any,
) -> WebhookEndpoint:
    """Change a webhook. ``secret``: None keeps the signing secret, "" removes it, text sets it;
    the audit entry records whether the webhook signs, never the secret."""

    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if version is not None:
        check_version(endpoint, version)
    before = audit.snapshot(endpoint, _WEBHOOK_FIELDS)
    unknown = set(changes) - set(_WEBHOOK_FIELDS)
    if unknown:
        raise InvalidInput()
    if "events" in changes:
        changes["events"] = _clean_events(changes["events"])
    for field in ("name", "url"):
        if field in changes:
            changes[field] = str(changes[field]).strip()
    for field, value in changes.items():
        setattr(endpoint, field, value)
    old_secret = endpoint.secret
    if secret is not None:
        endpoint.secret = secret.strip()
    if endpoint.kind != WebhookEndpoint.Kind.DINGTALK:
        endpoint.secret = ""
    _check_webhook(url=endpoint.url, kind=endpoint.kind, secret=endpoint.secret)
    endpoint.version += 1
    endpoint.save()
    before["signed"] = bool(old_secret)
    old, new = audit.diff(
        before, {**audit.snapshot(endpoint, _WEBHOOK_FIELDS), "signed": bool(endpoint.secret)}
    )
    if endpoint.secret != old_secret and old_secret and endpoint.secret:
        old, new = {**old, "secret": "…"}, {**new, "secret": "changed"}
    if new:
        audit.record("notify.webhook_update", actor=actor, obj=endpoint, before=old, after=new)
    return endpoint


@transaction.atomic
def webhook_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    before = audit.snapshot(endpoint, _WEBHOOK_FIELDS)
    audit.record("notify.webhook_delete", actor=actor, obj=endpoint, before=before)
    endpoint.delete()


def _check_webhook(*, url: str, kind: str, secret: str = "") -> None:
    from django.utils.translation import gettext as _

    if kind not in WebhookEndpoint.Kind.values:
        raise InvalidInput(_("Unknown webhook kind."))
    if not url.strip().lower().startswith(("http://", "https://")):
        raise InvalidInput(_("The URL must start with http:// or https://."))
    if secret and kind != WebhookEndpoint.Kind.DINGTALK:
        raise InvalidInput(_("Only a DingTalk group robot signs its messages with a secret."))
    if secret and not secret.startswith("SEC"):
        raise InvalidInput(
            _("A DingTalk signing secret starts with SEC (the robot's security settings show it).")
        )
    problem = delivery_rules.destination_problem(url)
    if problem == "internal":
        raise InvalidInput(
            _(
                "This address is on the server's own or a private network; an administrator "
                "may allow it with LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS."
            )
        )
    # A name that does not resolve now is accepted (DNS may be down for a moment); every attempt
    # checks it again and the delivery log shows why one failed.


# --- deliveries -------------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """Try a failed delivery again now (an administrator's action): attempts start again."""

    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        attempts=0, next_attempt_at=timezone.now()
    )
    if updated:
        audit.record(
            "notify.delivery_retry",
            actor=actor,
            obj=delivery,
            object_repr=f"{delivery.channel} → {delivery.target}",
        )
        deliver.enqueue([delivery.pk])
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def webhook_test(*, actor: User, endpoint: WebhookEndpoint) -> Delivery:
    """Send a test message to one receiver now (after commit), whatever its event filter."""
    from django.utils.translation import gettext as _

    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Test message from Luoshi")
        body = _("If you can read this, the webhook “%(name)s” works.") % {"name": endpoint.name}
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.WEBHOOK,
        endpoint=endpoint,
        target=endpoint.url,
        event="notify.test",
        subject=subject,
        body=body,
        next_attempt_at=now,
        created_at=now,
    )
    audit.record("notify.webhook_test", actor=actor, obj=endpoint)
    deliver.enqueue([delivery.pk])
    return delivery
