"""The meeting's particulars edited (page and PATCH, versioned, guarded by state), the seat,
material and compilation operations of the API, and a fixed number of queries per page and
API call whatever the participants' count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.meetings import services
from luoshi.meetings.models import AgendaItem, Meeting, Seat

from .conftest import make_meeting, ready_meeting, small_pdf

pytestmark = pytest.mark.django_db


def _api(token_for: Any, persona: str) -> Client:
    return Client(**token_for(persona))


# --- the particulars -----------------------------------------------------------------------------


def test_patch_changes_the_particulars_and_is_audited(org: Any, token_for: Any) -> None:
    meeting = make_meeting(org)
    api = _api(token_for, "supervisor")
    new_date = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    answer = api.patch(
        f"/api/v1/meetings/{meeting.pk}",
        {
            "title": "  二〇二六年机关工作会议 ",
            "date": new_date,
            "venue": "二楼会议室",
            "honour_side": "right",
            "presiding": org.people["vice"].pk,
            "version": meeting.version,
        },
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["title"] == "二〇二六年机关工作会议" and data["date"] == new_date
    assert data["honour_side"] == "right" and data["presiding"] == org.people["vice"].pk
    assert data["version"] == meeting.version + 1
    event = AuditEntry.objects.filter(action="meetings.update").latest("pk")
    assert event.after is not None and event.before is not None
    assert event.after["venue"] == "二楼会议室" and event.before["honour_side"] == "left"


def test_a_stale_version_answers_409_and_none_rereads(org: Any, token_for: Any) -> None:
    meeting = make_meeting(org)
    api = _api(token_for, "supervisor")
    url = f"/api/v1/meetings/{meeting.pk}"
    first = api.patch(url, {"venue": "甲", "version": meeting.version}, "application/json")
    assert first.status_code == 200
    stale = api.patch(url, {"venue": "乙", "version": meeting.version}, "application/json")
    assert stale.status_code == 409
    assert Meeting.objects.get(pk=meeting.pk).venue == "甲"
    # without a version: the row is re-read and locked, the write goes ahead on it
    blind = api.patch(url, {"venue": "丙"}, "application/json")
    assert blind.status_code == 200 and blind.json()["venue"] == "丙"
    with pytest.raises(Conflict):
        services.meeting_update(
            actor=org.users["supervisor"], meeting=meeting, version=meeting.version, venue="丁"
        )


def test_what_may_change_follows_the_state(org: Any, token_for: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    api = _api(token_for, "supervisor")
    url = f"/api/v1/meetings/{meeting.pk}"
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    moved = api.patch(url, {"date": later}, "application/json")
    assert moved.status_code == 422
    assert moved.json()["details"][0]["field"] == "date"
    assert Meeting.objects.get(pk=meeting.pk).date == meeting.date
    # the same date again is no change, the title's wording still may change
    same = api.patch(
        url, {"date": meeting.date.isoformat(), "title": "机关工作会议（改）"}, "application/json"
    )
    assert same.status_code == 200 and same.json()["title"] == "机关工作会议（改）"
    assert api.patch(url, {"venue": "别处"}, "application/json").status_code == 422
    assert api.patch(url, {"title": None}, "application/json").status_code == 422
    with pytest.raises(InvalidInput):
        services.meeting_update(actor=office, meeting=meeting, honour_side="right")


def test_a_past_date_is_refused(org: Any) -> None:
    meeting = make_meeting(org)
    with pytest.raises(InvalidInput):
        services.meeting_update(
            actor=org.users["supervisor"],
            meeting=meeting,
            date=timezone.localdate() - dt.timedelta(days=1),
        )


def test_forbidden_looks_missing_on_patch(org: Any, token_for: Any) -> None:
    meeting = ready_meeting(org)
    url = f"/api/v1/meetings/{meeting.pk}"
    # a participant sees the meeting but does not run it; an outsider does not see it
    for persona in ("staff", "outsider"):
        answer = _api(token_for, persona).patch(url, {"venue": "x"}, "application/json")
        assert answer.status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).venue == meeting.venue


def test_the_edit_page(org: Any, client_for: Any) -> None:
    office = org.users["supervisor"]
    meeting = make_meeting(org)
    page = client_for("supervisor")
    url = f"/meetings/{meeting.pk}/edit/"
    shown = page.get(url)
    assert shown.status_code == 200
    # a date input takes only an ISO value, whatever the language's date format
    assert f'value="{meeting.date.isoformat()}"' in shown.content.decode()
    assert client_for("staff").get(url).status_code == 404
    form = {
        "kind": "work",
        "title": "机关工作会议",
        "date": meeting.date.isoformat(),
        "starts_at": "09:00",
        "venue": "一楼报告厅",
        "presiding": org.people["leader"].pk,
        "honour_side": "left",
        "version": meeting.version,
    }
    answer = page.post(url, form)
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "一楼报告厅" and meeting.starts_at == dt.time(9, 0)
    stale = page.post(url, {**form, "venue": "别处"})  # the version posted is now stale
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode() or "他人" in stale.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).venue == "一楼报告厅"
    # in session: the date field is disabled, a posted date is ignored
    services.agenda_add(actor=office, meeting=meeting, kind="speech", title="讲话")
    services.participant_add(actor=office, meeting=meeting, person=org.people["staff"])
    meeting = Meeting.objects.get(pk=meeting.pk)
    services.meeting_update(actor=office, meeting=meeting, date=timezone.localdate())
    services.meeting_advance(actor=office, meeting=meeting, to="notified")
    services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    meeting.refresh_from_db()
    html = page.get(url).content.decode()
    assert 'name="date"' in html and "disabled" in html
    answer = page.post(
        url,
        {
            **form,
            "date": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "title": "改名",
            "version": meeting.version,
        },
    )
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "改名" and meeting.date == timezone.localdate()


# --- seats, materials and the compilation over the API -------------------------------------------


def _arranged(org: Any) -> Meeting:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.presidium_set(
        actor=office,
        meeting=meeting,
        person_ids=[org.people["leader"].pk, org.people["vice"].pk, org.people["head"].pk],
    )
    services.seating_arrange(actor=office, meeting=meeting)
    return meeting


def test_seat_move_and_lock_over_the_api(org: Any, token_for: Any) -> None:
    meeting = _arranged(org)
    api = _api(token_for, "supervisor")
    taken = Seat.objects.filter(meeting=meeting, area="hall", participant__isnull=False).first()
    empty = Seat.objects.filter(meeting=meeting, area="hall", participant__isnull=True).first()
    assert taken is not None and empty is not None
    who = taken.participant_id
    base = f"/api/v1/meetings/{meeting.pk}/seats"
    moved = api.post(f"{base}/{taken.pk}/move", {"to": empty.pk}, "application/json")
    assert moved.status_code == 200, moved.content
    assert {s["id"]: s["participant"] for s in moved.json()} == {taken.pk: None, empty.pk: who}
    locked = api.put(f"{base}/{empty.pk}/lock", {"locked": True}, "application/json")
    assert locked.status_code == 200 and locked.json()["locked"] is True
    refused = api.post(f"{base}/{empty.pk}/move", {"to": taken.pk}, "application/json")
    assert refused.status_code == 422
    presidium = Seat.objects.filter(meeting=meeting, area="presidium").first()
    assert presidium is not None
    across = api.post(f"{base}/{taken.pk}/move", {"to": presidium.pk}, "application/json")
    assert across.status_code == 422
    # a participant cannot move seats; an unknown seat is missing
    staff = _api(token_for, "staff")
    assert (
        staff.post(f"{base}/{taken.pk}/move", {"to": empty.pk}, "application/json").status_code
        == 404
    )
    assert api.post(f"{base}/999999/move", {"to": empty.pk}, "application/json").status_code == 404


def test_material_upload_over_the_api_checks_the_content(org: Any, token_for: Any) -> None:
    meeting = ready_meeting(org)
    item = AgendaItem.objects.get(meeting=meeting)
    url = f"/api/v1/meetings/{meeting.pk}/agenda/{item.pk}/material"
    leader = _api(token_for, "leader")  # the presenter
    fake = leader.post(url, {"file": SimpleUploadedFile("讲话.pdf", b"%PDF-1.4 not really")})
    assert fake.status_code == 422
    wrong = leader.post(url, {"file": SimpleUploadedFile("讲话.exe", small_pdf())})
    assert wrong.status_code == 422
    assert leader.post(url, {}).status_code == 422
    good = leader.post(url, {"file": SimpleUploadedFile("讲话.pdf", small_pdf())})
    assert good.status_code == 200, good.content
    assert good.json()["has_material"] is True
    item.refresh_from_db()
    assert item.material_name == "讲话.pdf"
    assert AuditEntry.objects.filter(action="meetings.material_attach").exists()
    other = _api(token_for, "staff")  # neither presenter nor office
    assert other.post(url, {"file": SimpleUploadedFile("x.pdf", small_pdf())}).status_code == 404


def test_material_size_limit(org: Any, token_for: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "MATERIAL_MAX_BYTES", 100)
    meeting = ready_meeting(org)
    item = AgendaItem.objects.get(meeting=meeting)
    url = f"/api/v1/meetings/{meeting.pk}/agenda/{item.pk}/material"
    upload = {"file": SimpleUploadedFile("a.pdf", small_pdf())}
    answer = _api(token_for, "supervisor").post(url, upload)
    assert answer.status_code == 422


def test_freeze_the_compilation_over_the_api(org: Any, token_for: Any) -> None:
    meeting = ready_meeting(org)
    api = _api(token_for, "supervisor")
    url = f"/api/v1/meetings/{meeting.pk}/compilations"
    first = api.post(url)
    second = api.post(url)
    assert first.status_code == 201 and second.status_code == 201
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert first.json()["contents"]
    assert _api(token_for, "staff").post(url).status_code == 404
    assert meeting.compilations.count() == 2


# --- a fixed number of queries -------------------------------------------------------------------


def _with_guests(org: Any, meeting: Meeting, count: int) -> None:
    office = org.users["supervisor"]
    have = meeting.participants.count()
    for n in range(have, count):
        services.participant_add(
            actor=office,
            meeting=meeting,
            guest_name=f"来宾{n}",
            guest_body="某协会",
            guest_title="会长",
        )
    services.seating_arrange(actor=office, meeting=meeting)


PAGES = (
    "",
    "edit/",
    "participants/",
    "desk/",
    "seating/",
    "materials/",
    "minutes/",
    "requirements/",
)
API = ("", "/participants", "/seating", "/presidium", "/attendance", "/requirements")


def _counts(page: Client, api: Client, meeting: Meeting) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        url = f"/meetings/{meeting.pk}/{path}"
        page.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert page.get(url).status_code == 200, url
        counts[url] = len(queries)
    for path in ("/api/v1/meetings", *(f"/api/v1/meetings/{meeting.pk}{p}" for p in API)):
        api.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200, path
        counts[path] = len(queries)
    return counts


def test_pages_and_api_take_a_fixed_number_of_queries(
    org: Any, client_for: Any, token_for: Any
) -> None:
    meeting = ready_meeting(org)
    services.presidium_set(
        actor=org.users["supervisor"],
        meeting=meeting,
        person_ids=[org.people["leader"].pk, org.people["vice"].pk],
    )
    page, api = client_for("supervisor"), _api(token_for, "supervisor")
    _with_guests(org, meeting, 5)
    few = _counts(page, api, meeting)
    _with_guests(org, meeting, 50)
    assert meeting.participants.count() == 50
    many = _counts(page, api, meeting)
    assert many == few


# --- the presidium's order -----------------------------------------------------------------------


def test_the_presidium_order_posted_by_the_widget(
    org: Any, client_for: Any, token_for: Any
) -> None:
    meeting = ready_meeting(org)
    page = client_for("supervisor")
    html = page.get(f"/meetings/{meeting.pk}/participants/").content.decode()
    assert 'id="presidium-order"' in html and "meetings/presidium.js" in html
    order = [org.people["vice"].pk, org.people["head"].pk]
    answer = page.post(
        f"/meetings/{meeting.pk}/participants/", {"action": "presidium", "order": order}
    )
    assert answer.status_code == 302
    api = _api(token_for, "supervisor")
    got = api.get(f"/api/v1/meetings/{meeting.pk}/presidium").json()
    assert [(e["protocol_order"], e["person"]) for e in got] == [(1, order[0]), (2, order[1])]
    # the API sets the same order
    api.post(
        f"/api/v1/meetings/{meeting.pk}/presidium",
        {"people": list(reversed(order))},
        "application/json",
    )
    got = api.get(f"/api/v1/meetings/{meeting.pk}/presidium").json()
    assert [e["person"] for e in got] == list(reversed(order))
    html = page.get(f"/meetings/{meeting.pk}/participants/").content.decode()
    assert html.index(f'data-person="{order[1]}"') < html.index(f'data-person="{order[0]}"')
    assert (
        _api(token_for, "outsider").get(f"/api/v1/meetings/{meeting.pk}/presidium").status_code
        == 404
    )
