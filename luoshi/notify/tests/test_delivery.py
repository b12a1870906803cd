"""After-commit delivery to a real HTTP receiver on 127.0.0.1, retries with backoff, e-mail."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from luoshi.notify import delivery as engine
from luoshi.notify import services
from luoshi.notify.models import Delivery, Notice, WebhookEndpoint
from luoshi.orgs.models import Person, User

from .conftest import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def _hook(receiver: Receiver, kind: str = "generic", **kwargs: Any) -> WebhookEndpoint:
    return services.webhook_create(
        actor=None,  # type: ignore[arg-type]
        name=f"{kind} robot",
        url=receiver.url,
        kind=kind,
        **kwargs,
    )


def _action_with_notice(org: Any, *, subject: str = "督办事项已交办") -> None:
    """A caller's action: a change of its own and a notice, in one transaction."""
    staff = org.users["staff"]
    with transaction.atomic():
        Person.objects.filter(pk=org.people["staff"].pk).update(mobile="13911112222")
        services.notify(
            recipients=[staff.pk],
            event="supervision.assigned",
            subject=subject,
            body="请于5个工作日内反馈。",
            link="/supervision/items/1/",
            actor=org.users["supervisor"],
            org_unit_id=org.econ.pk,
        )


def test_after_commit_the_webhook_and_email_are_delivered(org: Any, receiver: Receiver) -> None:
    User.objects.filter(pk=org.users["staff"].pk).update(email="staff@example.org")
    _hook(receiver)
    _action_with_notice(org)
    assert len(receiver.received) == 1
    body = receiver.bodies[0]
    assert body["event"] == "supervision.assigned"
    assert body["subject"] == "督办事项已交办"
    assert body["body"] == "请于5个工作日内反馈。"
    assert body["link"] == "/supervision/items/1/"
    assert dt.datetime.fromisoformat(body["created_at"])
    assert receiver.received[0]["content_type"].startswith("application/json")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@example.org"]
    assert mail.outbox[0].subject == "督办事项已交办"
    assert "/supervision/items/1/" in mail.outbox[0].body
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert all(d.attempts == 1 and d.sent_at for d in Delivery.objects.all())


def test_rollback_sends_nothing(org: Any, receiver: Receiver) -> None:
    User.objects.filter(pk=org.users["staff"].pk).update(email="staff@example.org")
    _hook(receiver)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.notify(recipients=[org.users["staff"].pk], event="plans.x", subject="s", body="b")
        assert Notice.objects.count() == 1  # visible inside the transaction
        raise Boom
    assert Notice.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert receiver.received == []
    assert mail.outbox == []


def test_nothing_is_sent_before_commit(org: Any, receiver: Receiver) -> None:
    _hook(receiver)
    with transaction.atomic():
        services.notify(recipients=[org.users["staff"].pk], event="a.b", subject="s", body="")
        assert receiver.received == []
    assert len(receiver.received) == 1


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_group_robot_text_shape(org: Any, receiver: Receiver, kind: str, settings: Any) -> None:
    settings.LUOSHI_NOTIFY_SITE_URL = "https://luoshi.example.gov.cn/"
    _hook(receiver, kind)
    _action_with_notice(org)
    assert receiver.bodies == [
        {
            "msgtype": "text",
            "text": {
                "content": "督办事项已交办\n请于5个工作日内反馈。\n"
                "https://luoshi.example.gov.cn/supervision/items/1/"
            },
        }
    ]
    assert Delivery.objects.get().status == "sent"


def test_group_robot_refusal_is_a_failure(org: Any, receiver: Receiver) -> None:
    receiver.answer = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    _hook(receiver, "wecom")
    _action_with_notice(org)
    d = Delivery.objects.get()
    assert d.status == "failed"
    assert "93000" in d.last_error


def test_failing_receiver_retries_with_backoff_and_never_breaks_the_action(
    org: Any, receiver: Receiver, settings: Any, client_for: Any
) -> None:
    settings.LUOSHI_NOTIFY_MAX_ATTEMPTS = 3
    settings.LUOSHI_NOTIFY_RETRY_BASE_SECONDS = 60
    receiver.status = 500
    receiver.answer = b'{"error": "boom"}'
    _hook(receiver)
    start = timezone.now()
    _action_with_notice(org)  # no exception reaches the caller
    # the action and its notice are committed
    assert Person.objects.get(pk=org.people["staff"].pk).mobile == "13911112222"
    assert Notice.objects.count() == 1
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("failed", 1)
    assert "HTTP 500" in d.last_error
    assert d.next_attempt_at is not None
    first_wait = (d.next_attempt_at - start).total_seconds()
    assert 59 <= first_wait <= 70
    assert len(receiver.received) == 1

    # a tick before the backoff is over does nothing
    assert engine.run_due() == "0 sent, 0 failed"
    assert len(receiver.received) == 1

    with time_machine.travel(d.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert engine.run_due() == "0 sent, 1 failed"
        d.refresh_from_db()
        assert d.attempts == 2
        assert d.next_attempt_at is not None
        second_wait = (d.next_attempt_at - timezone.now()).total_seconds()
        assert 115 <= second_wait <= 125  # doubled
    # the administrator sees it in the delivery log
    page = client_for("admin").get("/notices/deliveries/?status=failed")
    assert page.status_code == 200
    assert "HTTP 500" in page.content.decode()

    receiver.status = 200
    with time_machine.travel(d.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert engine.run_due() == "1 sent, 0 failed"
        assert engine.run_due() == "0 sent, 0 failed"  # idempotent
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at, d.last_error) == ("sent", 3, None, "")
    assert len(receiver.received) == 3


def test_gives_up_after_max_attempts(org: Any, receiver: Receiver, settings: Any) -> None:
    settings.LUOSHI_NOTIFY_MAX_ATTEMPTS = 2
    receiver.status = 503
    _hook(receiver)
    _action_with_notice(org)
    d = Delivery.objects.get()
    assert d.next_attempt_at is not None
    with time_machine.travel(d.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        engine.run_due()
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 2, None)
    assert d.gave_up
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=True):
        assert engine.run_due() == "0 sent, 0 failed"
    assert len(receiver.received) == 2


def test_unreachable_and_slow_receivers_fail_quickly(
    org: Any, receiver: Receiver, settings: Any
) -> None:
    settings.LUOSHI_NOTIFY_WEBHOOK_TIMEOUT = 1
    receiver.delay = 2
    _hook(receiver)
    services.webhook_create(
        actor=None,  # type: ignore[arg-type]
        name="nobody",
        url="http://127.0.0.1:9/none",
        kind="generic",
    )
    _action_with_notice(org)
    errors = sorted(d.last_error for d in Delivery.objects.all())
    assert all(e for e in errors)
    assert Delivery.objects.filter(status="failed").count() == 2


def test_two_ticks_at_once_send_each_delivery_once(
    org: Any, receiver: Receiver, settings: Any
) -> None:
    """Deliveries that are due (e.g. queued on a worker that died) are claimed by one tick."""
    _hook(receiver)
    staff = org.users["staff"]
    receiver.delay = 0.05
    # queue nothing now: rows are due, as if the worker never ran
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.get()
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel="webhook",
                endpoint=endpoint,
                target=endpoint.url,
                event="a.b",
                subject=f"n{i}",
                next_attempt_at=now,
                created_at=now,
            )
            for i in range(8)
        ]
    )
    assert staff  # the org exists
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            outcomes.append(engine.run_due())
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(b["subject"] for b in receiver.bodies) == sorted(f"n{i}" for i in range(8))
    assert Delivery.objects.filter(status="sent", attempts=1).count() == 8


def test_outside_a_transaction_it_is_delivered_at_once(org: Any, receiver: Receiver) -> None:
    _hook(receiver)
    services.notify(recipients=[org.users["staff"].pk], event="a.b", subject="s", body="")
    assert len(receiver.received) == 1


def test_webhook_test_message(org: Any, receiver: Receiver) -> None:
    hook = _hook(receiver, "dingtalk", events=["appraisal"])
    d = services.webhook_test(actor=org.users["admin"], endpoint=hook)
    d.refresh_from_db()
    assert d.status == "sent"
    assert receiver.bodies[0]["msgtype"] == "text"


def test_luoshi_tick_retries_due_deliveries(org: Any, receiver: Receiver) -> None:
    import io

    from django.core.management import call_command

    receiver.status = 500
    _hook(receiver)
    _action_with_notice(org)
    d = Delivery.objects.get()
    receiver.status = 200
    assert d.next_attempt_at is not None
    out = io.StringIO()
    with time_machine.travel(d.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        call_command("tick", stdout=out)
    assert "tick: notify_deliveries: 1 sent, 0 failed" in out.getvalue()
    d.refresh_from_db()
    assert d.status == "sent"


def test_administrator_retries_a_failed_delivery_from_the_log(
    org: Any, receiver: Receiver, client_for: Any
) -> None:
    from luoshi.core.models import AuditEntry

    receiver.status = 500
    hook = _hook(receiver, "wecom")
    _action_with_notice(org)
    d = Delivery.objects.get()
    assert d.status == "failed"
    receiver.status = 200
    client = client_for("supervisor")
    answer = client.post(f"/notices/deliveries/{d.pk}/retry/")
    assert answer.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 1)
    assert AuditEntry.objects.filter(action="notify.delivery_retry").count() == 1
    # a sent one is left alone; others' cannot reach it
    assert client.post(f"/notices/deliveries/{d.pk}/retry/").status_code == 302
    assert client_for("staff").post(f"/notices/deliveries/{d.pk}/retry/").status_code == 404
    assert len(receiver.received) == 2
    # the test button sends at once and reports the outcome
    answer = client.post(f"/notices/webhooks/{hook.pk}/test/", follow=True)
    assert answer.status_code == 200
    assert len(receiver.received) == 3
    assert Delivery.objects.filter(event="notify.test", status="sent").count() == 1
