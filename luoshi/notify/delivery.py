"""Sending deliveries: e-mail through Django's mail settings, webhooks as JSON POSTs (urllib).

A delivery is *claimed* before it is sent: in a short transaction the row is locked (SKIP LOCKED
on PostgreSQL; SQLite serialises writers) and its next_attempt_at is moved one lease into the
future, with the attempt counted. Whoever runs next (the task worker, another `luoshi tick`) sees
it as not due and leaves it alone. The HTTP call runs outside any transaction; its outcome is
written afterwards: sent, or failed with a retry after an exponential backoff, or failed for good
after LUOSHI_NOTIFY_MAX_ATTEMPTS attempts. Nothing here raises to the caller.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from .models import Delivery, WebhookEndpoint

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The receiver did not accept the message (the text goes to the delivery log)."""


def max_attempts() -> int:
    return max(1, int(settings.LUOSHI_NOTIFY_MAX_ATTEMPTS))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: base × 2^(n-1), capped."""
    base = float(settings.LUOSHI_NOTIFY_RETRY_BASE_SECONDS)
    cap = float(settings.LUOSHI_NOTIFY_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.LUOSHI_NOTIFY_WEBHOOK_TIMEOUT) + 60)


def absolute_link(link: str) -> str:
    if link.startswith("/") and settings.LUOSHI_NOTIFY_SITE_URL:
        return settings.LUOSHI_NOTIFY_SITE_URL.rstrip("/") + link
    return link


# --- message shapes ---------------------------------------------------------------------------


def text_content(subject: str, body: str, link: str) -> str:
    parts = [subject]
    if body:
        parts.append(body)
    if link:
        parts.append(absolute_link(link))
    return "\n".join(parts)


def payload(delivery: Delivery, kind: str) -> dict[str, Any]:
    """The JSON body for a receiver of this kind."""
    if kind in (WebhookEndpoint.Kind.WECOM, WebhookEndpoint.Kind.DINGTALK):
        return {
            "msgtype": "text",
            "text": {"content": text_content(delivery.subject, delivery.body, delivery.link)},
        }
    return {
        "event": delivery.event,
        "subject": delivery.subject,
        "body": delivery.body,
        "link": absolute_link(delivery.link),
        "created_at": delivery.created_at.isoformat(),
    }


# --- destinations -----------------------------------------------------------------------------


def _allowed_entries() -> list[str]:
    return [
        str(e).strip().lower()
        for e in settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS
        if str(e).strip()
    ]


def _listed(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for entry in _allowed_entries():
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def destination_problem(url: str) -> str:
    """Why a webhook may not be sent to this address ("" when it may).

    A destination whose host resolves to a loopback, private, link-local, shared, reserved or
    multicast address is refused — a webhook must not become a way to reach the server's own
    network (the cloud metadata service at 169.254.169.254, an intranet admin page) — unless the
    host name or the address is listed in LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS. Checked when the
    webhook is saved and again before every POST (a name may resolve elsewhere later).
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    host = parts.hostname.lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "unresolvable"
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return "unresolvable"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None:
            address = mapped
        if not address.is_global and not _listed(host, address):
            return "internal"
    return ""


def signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "<timestamp>\n<secret>" keyed with the secret, base64, in
    the query with the timestamp in milliseconds (the robot refuses one older than an hour)."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    query = urllib.parse.urlencode({"timestamp": timestamp, "sign": base64.b64encode(digest)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


# --- sending ----------------------------------------------------------------------------------


def _post(url: str, data: dict[str, Any], kind: str, secret: str = "") -> None:
    problem = destination_problem(url)
    if problem == "internal":
        raise DeliveryError(
            "refused: the address is on the server's own or a private network "
            "(allow it in LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS)"
        )
    if problem:
        raise DeliveryError(f"refused: the address cannot be resolved ({problem})")
    if secret and kind == WebhookEndpoint.Kind.DINGTALK:
        url = signed_url(url, secret)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked when saved
        url,
        data=json.dumps(data, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Luoshi"},
        method="POST",
    )
    timeout = float(settings.LUOSHI_NOTIFY_WEBHOOK_TIMEOUT)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
            text = response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{type(exc).__name__}: {reason}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
    if kind in (WebhookEndpoint.Kind.WECOM, WebhookEndpoint.Kind.DINGTALK):
        # group robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
        try:
            answer = json.loads(text) if text.strip() else {}
        except ValueError:
            answer = {}
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode not in (0, "0"):
            raise DeliveryError(f"errcode {errcode}: {answer.get('errmsg', '')}")


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        message = delivery.body
        if delivery.link:
            message = f"{message}\n\n{absolute_link(delivery.link)}"
        send_mail(
            delivery.subject,
            message,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.target],
            fail_silently=False,
        )
        return
    endpoint = delivery.endpoint
    kind = endpoint.kind if endpoint is not None else WebhookEndpoint.Kind.GENERIC
    secret = endpoint.secret if endpoint is not None else ""
    _post(delivery.target, payload(delivery, kind), kind, secret)


def _claim(pk: int, now: dt.datetime) -> Delivery | None:
    with transaction.atomic():
        qs = Delivery.objects.filter(pk=pk, next_attempt_at__lte=now).exclude(
            status=Delivery.Status.SENT
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        delivery = qs.select_related("endpoint").first()
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + _lease()
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def attempt(pk: int) -> str | None:
    """One attempt at one delivery if it is due; returns "sent", "failed" or None (not due)."""
    now = timezone.now()
    try:
        delivery = _claim(pk, now)
    except Exception:  # a database hiccup: the row stays due, the next tick takes it
        logger.exception("notify: could not claim delivery %s", pk)
        return None
    if delivery is None:
        return None
    error = ""
    try:
        _send(delivery)
    except DeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a receiver or mail server must never break anything
        error = f"{type(exc).__name__}: {exc}"
    done = timezone.now()
    if not error:
        fields: dict[str, Any] = {
            "status": Delivery.Status.SENT,
            "sent_at": done,
            "next_attempt_at": None,
            "last_error": "",
        }
    else:
        retry = delivery.attempts < max_attempts()
        fields = {
            "status": Delivery.Status.FAILED,
            "last_error": error[:2000],
            "next_attempt_at": done + backoff(delivery.attempts) if retry else None,
        }
    try:
        Delivery.objects.filter(pk=pk).update(**fields)
    except Exception:
        logger.exception("notify: could not record the outcome of delivery %s", pk)
    if error:
        logger.warning("notify: delivery %s failed (attempt %s): %s", pk, delivery.attempts, error)
    return "failed" if error else "sent"


def deliver_many(pks: Iterable[int]) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0}
    for pk in pks:
        outcome = attempt(pk)
        if outcome:
            counts[outcome] += 1
    return counts


def run_due(today: dt.date | None = None, *, batch: int = 500) -> str:
    """The `luoshi tick` step: every delivery that is due (new ones a worker has not sent yet,
    failed ones whose backoff is over). Safe when two ticks run at once: each row is claimed."""
    due = list(
        Delivery.objects.filter(next_attempt_at__lte=timezone.now())
        .exclude(status=Delivery.Status.SENT)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:batch]
    )
    counts = deliver_many(due)
    return f"{counts['sent']} sent, {counts['failed']} failed"
