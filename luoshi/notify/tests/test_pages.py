from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luoshi.core.models import AuditEntry
from luoshi.notify import services
from luoshi.notify.models import Notice, Preference, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _notices(user: Any, n: int, event: str = "supervision.assigned") -> None:
    for i in range(n):
        services.notify(
            recipients=[user.pk], event=event, subject=f"测试通知甲{i}", body="正文", link="/plans/"
        )


def _notice_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "notify_notice" in q["sql"]]


def test_badge_costs_one_query_and_shows_the_unread_count(org: Any, client_for: Any) -> None:
    _notices(org.users["staff"], 3)
    client = client_for("staff")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="ls-notices-unread"' in html
    assert ">3<" in html
    assert len(_notice_queries(captured)) == 1


def test_no_badge_query_for_anonymous_users() -> None:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/login/")
    assert page.status_code == 200
    assert _notice_queries(captured) == []


def test_no_badge_when_nothing_is_unread(org: Any, client_for: Any) -> None:
    page = client_for("staff").get("/profile/")
    assert 'id="ls-notices"' in page.content.decode()
    assert 'id="ls-notices-unread"' not in page.content.decode()


def test_badge_caps_at_99(org: Any, client_for: Any) -> None:
    staff = org.users["staff"]
    Notice.objects.bulk_create(
        [
            Notice(recipient=staff, event="a.b", subject=str(i), created_at=timezone.now())
            for i in range(120)
        ]
    )
    assert ">99+<" in client_for("staff").get("/notices/").content.decode()


def test_inbox_lists_only_ones_own_notices_in_fixed_queries(
    org: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    _notices(org.users["staff"], 3)
    _notices(org.users["head"], 2)
    client = client_for("staff")
    client.get("/notices/")  # warm the session
    with django_assert_max_num_queries(12) as captured:
        page = client.get("/notices/")
    small = len(captured.captured_queries)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("测试通知甲") == 3
    _notices(org.users["staff"], 15)
    with CaptureQueriesContext(connection) as captured:
        client.get("/notices/")
    assert len(captured.captured_queries) == small


def test_unread_filter_and_pagination(org: Any, client_for: Any, settings: Any) -> None:
    settings.LUOSHI_PAGE_SIZE = 5
    staff = org.users["staff"]
    _notices(staff, 7)
    first = Notice.objects.filter(recipient=staff).order_by("id").first()
    assert first is not None
    services.notice_mark_read(user=staff, notice=first)
    client = client_for("staff")
    assert client.get("/notices/?unread=1").content.decode().count("测试通知甲") == 5
    assert client.get("/notices/?unread=1&page=2").content.decode().count("测试通知甲") == 1


def test_mark_read_and_open_the_link(org: Any, client_for: Any) -> None:
    _notices(org.users["staff"], 2)
    notice = Notice.objects.filter(recipient=org.users["staff"]).first()
    assert notice is not None
    client = client_for("staff")
    answer = client.post(f"/notices/{notice.pk}/read/", {"open": "1"})
    assert answer.status_code == 302
    assert answer["Location"] == "/plans/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    answer = client.post("/notices/read-all/")
    assert answer.status_code == 302
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_an_outside_link_is_not_followed(org: Any, client_for: Any) -> None:
    services.notify(
        recipients=[org.users["staff"].pk],
        event="a.b",
        subject="s",
        body="",
        link="//evil.example/",
    )
    notice = Notice.objects.get()
    answer = client_for("staff").post(f"/notices/{notice.pk}/read/", {"open": "1"})
    assert answer["Location"] == "/notices/"


def test_someone_elses_notice_is_not_found(org: Any, client_for: Any) -> None:
    _notices(org.users["head"], 1)
    notice = Notice.objects.get()
    answer = client_for("staff").post(f"/notices/{notice.pk}/read/")
    assert answer.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_needs_post_and_csrf(org: Any) -> None:
    _notices(org.users["staff"], 1)
    notice = Notice.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["staff"], backend="luoshi.orgs.auth.AccountBackend")
    assert client.get(f"/notices/{notice.pk}/read/").status_code == 405
    assert client.post(f"/notices/{notice.pk}/read/").status_code == 403
    assert client.post("/notices/read-all/").status_code == 403


def test_preferences_are_saved_and_audited(org: Any, client_for: Any) -> None:
    staff = org.users["staff"]
    _notices(staff, 1, event="supervision.assigned")
    _notices(staff, 1, event="appraisal.published")
    client = client_for("staff")
    page = client.get("/notices/preferences/")
    assert page.status_code == 200
    assert "supervision" in page.content.decode()
    answer = client.post("/notices/preferences/", {"email": "on", "email_families": ["appraisal"]})
    assert answer.status_code == 302
    pref = Preference.objects.get(user=staff)
    assert pref.email is True
    assert pref.email_muted == ["supervision"]
    assert not pref.wants_email("supervision.urged")
    assert pref.wants_email("appraisal.published")
    entry = AuditEntry.objects.filter(action="notify.preference_update").get()
    assert entry.actor_id == staff.pk
    client.post("/notices/preferences/", {})
    assert Preference.objects.get(user=staff).email is False


def test_email_preference_decides_who_gets_mail(org: Any) -> None:
    from luoshi.notify.models import Delivery
    from luoshi.orgs.models import User

    staff, head = org.users["staff"], org.users["head"]
    User.objects.filter(pk__in=[staff.pk, head.pk]).update(email="x@example.org")
    services.preference_update(actor=staff, email=True, email_muted=["supervision"])
    services.preference_update(actor=head, email=False)
    services.notify(recipients=[staff.pk, head.pk], event="supervision.x", subject="s", body="")
    services.notify(recipients=[staff.pk, head.pk], event="plans.x", subject="s", body="")
    rows = list(Delivery.objects.values_list("event", "notice__recipient_id"))
    assert rows == [("plans.x", staff.pk)]
    assert Notice.objects.count() == 4  # the inbox is always on


# --- webhooks and the delivery log ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "head", "auditor", "security"])
def test_webhook_pages_are_for_administrators_only(org: Any, client_for: Any, persona: str) -> None:
    hook = services.webhook_create(
        actor=org.users["admin"], name="群机器人", url="https://example.org/h", kind="wecom"
    )
    client = client_for(persona)
    for url in [
        "/notices/webhooks/",
        "/notices/webhooks/new/",
        f"/notices/webhooks/{hook.pk}/",
        "/notices/deliveries/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/notices/webhooks/{hook.pk}/delete/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=hook.pk).exists()


@pytest.mark.parametrize("persona", ["admin", "supervisor"])
def test_webhook_create_edit_delete_with_audit(org: Any, client_for: Any, persona: str) -> None:
    client = client_for(persona)
    assert client.get("/notices/webhooks/").status_code == 200
    answer = client.post(
        "/notices/webhooks/new/",
        {
            "name": "督查群",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            "kind": "wecom",
            "events": "supervision, appraisal.published",
            "org_unit": org.econ.pk,
            "active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    hook = WebhookEndpoint.objects.get()
    assert hook.events == ["appraisal.published", "supervision"]
    assert hook.org_unit_id == org.econ.pk
    page = client.get("/notices/webhooks/")
    assert "督查群" in page.content.decode()
    assert "key=abc" not in page.content.decode()  # the robot's secret is not shown
    answer = client.post(
        f"/notices/webhooks/{hook.pk}/",
        {
            "name": "督查群2",
            "url": hook.url,
            "kind": "dingtalk",
            "events": "",
            "version": hook.version,
        },
    )
    assert answer.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.kind, hook.events, hook.active) == ("督查群2", "dingtalk", [], False)
    # a stale form is refused
    answer = client.post(
        f"/notices/webhooks/{hook.pk}/",
        {"name": "x", "url": hook.url, "kind": "generic", "version": hook.version - 1},
    )
    assert answer.status_code == 200
    assert WebhookEndpoint.objects.get().name == "督查群2"
    assert client.post(f"/notices/webhooks/{hook.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="notify.webhook")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["notify.webhook_create", "notify.webhook_update", "notify.webhook_delete"]


def test_webhook_url_must_be_http(org: Any, client_for: Any) -> None:
    answer = client_for("admin").post(
        "/notices/webhooks/new/", {"name": "x", "url": "ftp://example.org/", "kind": "generic"}
    )
    assert answer.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_webhook_filters_by_event_and_unit(org: Any) -> None:
    from luoshi.notify.models import Delivery

    admin = org.users["admin"]
    every = services.webhook_create(actor=admin, name="all", url="http://h/1", kind="generic")
    sup = services.webhook_create(
        actor=admin, name="sup", url="http://h/2", kind="generic", events=["supervision"]
    )
    econ = services.webhook_create(
        actor=admin, name="econ", url="http://h/3", kind="generic", org_unit=org.econ
    )
    services.webhook_create(actor=admin, name="off", url="http://h/4", kind="generic", active=False)
    staff = org.users["staff"].pk

    def targets(event: str, unit: Any) -> set[int]:
        Delivery.objects.all().delete()
        services.notify(recipients=[staff], event=event, subject="s", body="", org_unit_id=unit)
        return set(Delivery.objects.values_list("endpoint_id", flat=True))

    assert targets("supervision.assigned", org.econ.pk) == {every.pk, sup.pk, econ.pk}
    assert targets("plans.due", org.office.pk) == {every.pk}
    assert targets("plans.due", None) == {every.pk}
    assert targets("supervisionx.y", org.econ.pk) == {every.pk, econ.pk}
    # one webhook message per call, however many recipients
    Delivery.objects.all().delete()
    services.notify(recipients=[staff, org.users["head"].pk], event="plans.x", subject="s", body="")
    assert Delivery.objects.filter(endpoint=every).count() == 1


def test_delivery_log_in_fixed_queries(
    org: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    admin = org.users["admin"]
    services.webhook_create(actor=admin, name="all", url="http://h/1", kind="generic")
    services.notify(recipients=[org.users["staff"].pk], event="a.b", subject="s", body="")
    client = client_for("admin")
    client.get("/notices/deliveries/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/notices/deliveries/?status=pending&channel=webhook")
    assert page.status_code == 200
    small = len(captured.captured_queries)
    for _ in range(10):
        services.notify(recipients=[org.users["staff"].pk], event="a.b", subject="s", body="")
    with django_assert_max_num_queries(small):
        client.get("/notices/deliveries/?status=pending&channel=webhook")


def test_navigation_entries(org: Any, client_for: Any) -> None:
    html = client_for("supervisor").get("/notices/").content.decode()
    assert 'href="/notices/webhooks/"' in html
    assert 'href="/notices/deliveries/"' in html
    html = client_for("staff").get("/notices/").content.decode()
    assert 'href="/notices/preferences/"' in html  # from the inbox
    assert 'href="/notices/webhooks/"' not in html
    assert 'href="/notices/"' in client_for("staff").get("/profile/").content.decode()  # the bell
