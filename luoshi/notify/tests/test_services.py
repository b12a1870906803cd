from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luoshi.notify import services
from luoshi.notify.models import Delivery, Notice
from luoshi.orgs.models import User

pytestmark = pytest.mark.django_db


def _with_email(*users: User) -> None:
    for user in users:
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
        user.email = f"{user.username}@example.org"


def test_notify_creates_one_notice_per_distinct_recipient(org: Any) -> None:
    staff, head = org.users["staff"], org.users["head"]
    n = services.notify(
        recipients=[staff.pk, head.pk, staff.pk],
        event="supervision.assigned",
        subject="督办事项已交办",
        body="请按期办理。",
        link="/supervision/1/",
        actor=org.users["supervisor"],
        org_unit_id=org.econ.pk,
    )
    assert n == 2
    notices = Notice.objects.order_by("recipient_id")
    assert {x.recipient_id for x in notices} == {staff.pk, head.pk}
    first = notices[0]
    assert first.event == "supervision.assigned"
    assert first.link == "/supervision/1/"
    assert first.actor_id == org.users["supervisor"].pk
    assert first.org_unit_id == org.econ.pk
    assert first.read_at is None


def test_unknown_and_inactive_recipients_are_ignored(org: Any) -> None:
    staff = org.users["staff"]
    User.objects.filter(pk=org.users["head"].pk).update(is_active=False)
    n = services.notify(
        recipients=[staff.pk, org.users["head"].pk, 999999],
        event="x.y",
        subject="s",
        body="b",
    )
    assert n == 1
    assert services.notify(recipients=[], event="x.y", subject="s", body="b") == 0


def test_email_goes_to_people_with_an_address_after_commit(org: Any) -> None:
    staff, head = org.users["staff"], org.users["head"]
    _with_email(staff)
    with transaction.atomic():
        services.notify(recipients=[staff.pk, head.pk], event="plans.due", subject="S", body="B")
    # the test's own transaction never commits: nothing was sent yet
    assert len(mail.outbox) == 0
    delivery = Delivery.objects.get()
    assert delivery.channel == Delivery.Channel.EMAIL
    assert delivery.target == "staff@example.org"
    assert delivery.status == Delivery.Status.PENDING


def test_notify_each_renders_in_each_recipients_language(org: Any) -> None:
    staff, head = org.users["staff"], org.users["head"]
    User.objects.filter(pk=staff.pk).update(language="en")
    User.objects.filter(pk=head.pk).update(language="zh-hant")
    seen: dict[int, str] = {}

    def render(user: User) -> tuple[str, str]:
        seen[user.pk] = translation.get_language()
        return (_("Not found."), f"body for {user.username}")

    n = services.notify_each([staff.pk, head.pk], "supervision.urged", render, link="/x/")
    assert n == 2
    assert seen[staff.pk] == "en"
    assert seen[head.pk] == "zh-hant"
    assert Notice.objects.get(recipient=staff).body == "body for staff"


def test_mark_read_and_all_read(org: Any) -> None:
    staff = org.users["staff"]
    services.notify(recipients=[staff.pk], event="a.b", subject="1", body="")
    services.notify(recipients=[staff.pk], event="a.b", subject="2", body="")
    first = Notice.objects.order_by("id").first()
    assert first is not None
    services.notice_mark_read(user=staff, notice=first)
    assert Notice.objects.filter(read_at__isnull=True).count() == 1
    assert services.notice_mark_all_read(user=staff) == 1
    assert Notice.objects.filter(read_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_cached_unread_count_follows_every_change(
    org: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    """With a shared cache the badge on every page is counted once, then read from the cache
    until the user's notices change: a new notice, one read, all read."""
    from luoshi.notify.selectors import unread_count

    settings.LUOSHI_CACHE_SHARED = True  # this process's cache stands for the shared one
    staff = org.users["staff"]
    assert unread_count(staff) == 0
    with django_assert_num_queries(0):
        assert unread_count(staff) == 0
    services.notify(recipients=[staff.pk, org.users["head"].pk], event="a.b", subject="1", body="")
    services.notify(recipients=[staff.pk], event="a.b", subject="2", body="")
    assert unread_count(staff) == 2
    assert unread_count(org.users["head"]) == 1
    with django_assert_num_queries(0):
        assert unread_count(staff) == 2
    services.notice_mark_read(user=staff, notice=Notice.objects.filter(recipient=staff)[0])
    assert unread_count(staff) == 1
    assert unread_count(org.users["head"]) == 1
    services.notice_mark_all_read(user=staff)
    assert unread_count(staff) == 0
    Notice.objects.create(recipient=staff, event="a.b", subject="3", created_at=timezone.now())
    assert unread_count(staff) == 1
