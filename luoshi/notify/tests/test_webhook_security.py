"""Webhooks: DingTalk signing (加签), no destination on internal networks, the log in words."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

import pytest
from django.db import transaction

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.notify import delivery as engine
from luoshi.notify import services
from luoshi.notify.models import Delivery

from .conftest import Receiver

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


def _notice(org: Any) -> None:
    with transaction.atomic():
        services.notify(
            recipients=[org.users["staff"].pk],
            event="supervision.assigned",
            subject="督办事项已交办",
            body="请于5个工作日内反馈。",
            actor=org.users["supervisor"],
        )


def test_signed_url_follows_dingtalks_algorithm() -> None:
    url = engine.signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=T", SECRET, 1700000000000
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["T"]
    assert query["timestamp"] == ["1700000000000"]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"1700000000000\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]


@pytest.mark.django_db(transaction=True)
def test_a_signing_dingtalk_robot_gets_timestamp_and_sign(org: Any, receiver: Receiver) -> None:
    services.webhook_create(
        actor=org.users["admin"], name="钉钉", url=receiver.url, kind="dingtalk", secret=SECRET
    )
    _notice(org)
    assert Delivery.objects.get().status == "sent"
    path = receiver.received[0]["path"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]


@pytest.mark.django_db(transaction=True)
def test_an_unsigned_robot_gets_no_sign(org: Any, receiver: Receiver) -> None:
    services.webhook_create(
        actor=org.users["admin"], name="钉钉", url=receiver.url, kind="dingtalk"
    )
    _notice(org)
    assert "sign=" not in receiver.received[0]["path"]


@pytest.mark.django_db
def test_secret_rules(org: Any) -> None:
    admin = org.users["admin"]
    with pytest.raises(InvalidInput, match="钉钉"):
        services.webhook_create(
            actor=admin, name="w", url="https://hooks.example.org/x", kind="wecom", secret=SECRET
        )
    with pytest.raises(InvalidInput, match="SEC"):
        services.webhook_create(
            actor=admin, name="d", url="https://hooks.example.org/x", kind="dingtalk", secret="abc"
        )


@pytest.mark.django_db
def test_the_secret_is_never_written_to_the_audit_log(org: Any) -> None:
    admin = org.users["admin"]
    hook = services.webhook_create(
        actor=admin, name="d", url="https://hooks.example.org/x", kind="dingtalk", secret=SECRET
    )
    services.webhook_update(actor=admin, endpoint=hook, secret=SECRET.replace("0", "9"))
    services.webhook_update(actor=admin, endpoint=hook, secret="")
    entries = list(AuditEntry.objects.filter(action__startswith="notify.webhook").order_by("id"))
    assert len(entries) == 3
    text = " ".join(f"{e.before} {e.after}" for e in entries)
    assert "SEC" not in text
    after = [e.after or {} for e in entries]
    assert after[0]["signed"] is True
    assert after[1].get("secret") == "changed"
    assert after[2]["signed"] is False
    hook.refresh_from_db()
    assert hook.secret == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_internal_destinations_are_refused(org: Any, settings: Any, url: str) -> None:
    settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(InvalidInput, match="LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS"):
        services.webhook_create(actor=org.users["admin"], name="x", url=url, kind="generic")


@pytest.mark.django_db
def test_a_listed_network_or_host_is_allowed(org: Any, settings: Any) -> None:
    settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["10.8.0.0/16", "localhost"]
    admin = org.users["admin"]
    services.webhook_create(actor=admin, name="a", url="http://10.8.3.4/hook", kind="generic")
    services.webhook_create(actor=admin, name="b", url="http://localhost:9000/h", kind="generic")
    with pytest.raises(InvalidInput):
        services.webhook_create(actor=admin, name="c", url="http://10.9.0.1/hook", kind="generic")


@pytest.mark.django_db(transaction=True)
def test_each_attempt_checks_the_destination_again(
    org: Any, receiver: Receiver, settings: Any
) -> None:
    services.webhook_create(actor=org.users["admin"], name="g", url=receiver.url, kind="generic")
    settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = []  # the allowance was withdrawn
    _notice(org)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "private network" in delivery.last_error
    assert receiver.received == []


@pytest.mark.django_db
def test_the_delivery_log_names_events_in_words(org: Any, client_for: Any) -> None:
    services.webhook_create(
        actor=org.users["admin"], name="all", url="https://hooks.example.org/x", kind="generic"
    )
    with transaction.atomic():
        services.notify(
            recipients=[org.users["staff"].pk], event="supervision.assigned", subject="s", body=""
        )
    html = client_for("admin").get("/notices/deliveries/").content.decode()
    assert "督办事项交办" in html
    assert ">supervision.assigned<" not in html
