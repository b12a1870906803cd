"""The page frame (top bar and navigation) is rendered once per combination of what it shows and
reused: what differs per request — the CSRF token, the current path, the unread notices — and
what differs per user must still be right on every page."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from django.test import Client

from luoshi.core.templatetags import luoshi as tags
from luoshi.notify import services as notify
from luoshi.notify.models import Notice
from luoshi.orgs import services
from luoshi.orgs.roles import Role

from .test_navigation import with_work

pytestmark = pytest.mark.django_db


def csrf_fields(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)


def meta_token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert match is not None
    return match.group(1)


def next_field(html: str) -> str:
    match = re.search(r'<input type="hidden" name="next" value="([^"]*)"', html)
    assert match is not None
    return htmllib.unescape(match.group(1))


def test_each_session_gets_its_own_csrf_token_from_the_shared_frame(org, client_for) -> None:
    tags._FRAMES.clear()
    pages = []
    for persona in ("staff", "staff"):  # same user, same frame, two sessions
        client = client_for(persona)
        client.get("/tasks/")
        pages.append(client.get("/tasks/").content.decode())
    tokens = []
    for html in pages:
        fields = csrf_fields(html)
        # the language form, its copy in the account menu (phones) and the log-out form
        assert len(fields) == 3
        assert set(fields) == {meta_token(html)}
        tokens.append(fields[0])
    assert tokens[0] != tokens[1]
    assert "<!--ls:" not in pages[0] + pages[1]
    assert len(tags._FRAMES) == 1  # both pages were framed by one rendering


def test_the_frame_s_forms_post_with_their_token(org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["staff"], backend="luoshi.orgs.auth.AccountBackend")
    html = client.get("/tasks/?q=学习").content.decode()
    token = csrf_fields(html)[0]
    response = client.post(
        "/language/", {"language": "en", "next": next_field(html), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == next_field(html)
    refused = client.post("/language/", {"language": "en", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_the_language_form_returns_to_the_current_path_escaped(org, client_for) -> None:
    client = client_for("staff")
    client.get("/tasks/")
    html = client.get("/tasks/", {"q": '"><script>', "light": "red"}).content.decode()
    assert next_field(html) == "/tasks/?q=%22%3E%3Cscript%3E&light=red"
    assert '"><script>' not in html
    assert 'value="/tasks/?q=%22%3E%3Cscript%3E&amp;light=red"' in html


def test_unread_notices_are_counted_on_every_page(org, client_for) -> None:
    staff = org.users["staff"]
    client = client_for("staff")
    assert 'id="ls-notices-unread"' not in client.get("/tasks/").content.decode()
    notify.notify(recipients=[staff.pk], event="supervision.assigned", subject="通知", body="")
    html = client.get("/tasks/").content.decode()
    assert re.search(r'id="ls-notices-unread">1<span class="visually-hidden"> 未读</span>', html)
    Notice.objects.filter(recipient=staff).update(read_at="2026-01-01T00:00:00Z")
    assert 'id="ls-notices-unread"' not in client.get("/tasks/").content.decode()


def test_the_current_page_is_lit_and_roles_change_the_navigation_at_once(org, client_for) -> None:
    with_work(org)  # the plans' entries are offered where a plan is in scope (issue 15)
    client = client_for("staff")
    for url in ("/tasks/", "/plans/", "/tasks/"):
        html = client.get(url).content.decode()
        assert re.findall(r'class="nav-link active" href="([^"]*)"', html) == [url]
    assert 'href="/reports/"' not in html
    services.role_assign(
        actor=org.users["security"], user=org.users["staff"], role=Role.AGENCY_LEADER
    )
    assert 'href="/reports/"' in client.get("/tasks/").content.decode()


def test_each_user_sees_their_own_name_and_language(org, client_for) -> None:
    with_work(org)  # the plans' entries are offered where a plan is in scope (issue 15)
    pages: dict[str, Any] = {}
    for persona in ("staff", "supervisor"):
        client = client_for(persona)
        pages[persona] = client.get("/tasks/").content.decode()
    assert f'id="ls-user-menu">{org.people["staff"].name}<' in pages["staff"]
    assert f'id="ls-user-menu">{org.people["supervisor"].name}<' in pages["supervisor"]
    english = client_for("staff").get("/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Task ledger</a>" in english and ">Log out</button>" in english
    assert ">任务台账</a>" in pages["staff"]


def test_the_frames_kept_are_bounded(org, client_for, monkeypatch) -> None:
    tags._FRAMES.clear()
    monkeypatch.setattr(tags, "_FRAMES_MAX", 2)
    client = client_for("supervisor")
    for url in ("/tasks/", "/plans/", "/my-work/", "/dashboard/"):
        assert client.get(url).status_code == 200
        assert len(tags._FRAMES) <= 2


def test_a_page_rendered_without_a_request_still_has_its_frame(db) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("404.html", {})
    assert 'class="ls-topbar' in html and 'name="next" value="/"' in html
    assert "<!--ls:" not in html
