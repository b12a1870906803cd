from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from luoshi.meetings import services
from luoshi.meetings.models import Seat

from .conftest import ready_meeting, small_pdf

pytestmark = pytest.mark.django_db


def _arranged(org: Any) -> Any:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.presidium_set(
        actor=office,
        meeting=meeting,
        person_ids=[org.people["leader"].pk, org.people["vice"].pk, org.people["head"].pk],
    )
    result = services.seating_arrange(actor=office, meeting=meeting)
    assert result == {"presidium": 3, "hall": 2, "unseated": 0}
    return meeting


def test_seating_api_answers_positions_as_seen_from_the_hall(org: Any, client_for: Any) -> None:
    meeting = _arranged(org)
    answer = client_for("supervisor").get(f"/api/v1/meetings/{meeting.pk}/seating")
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == {"presidium", "hall"}
    # three on the presidium, honour on its left = the hall's right: 3 1 2 from the hall's left
    assert [(s["position"], s["rank_order"]) for s in data["presidium"]] == [(1, 3), (2, 1), (3, 2)]
    assert data["presidium"][1] == {
        "position": 2,
        "person": org.people["leader"].pk,
        "name": org.people["leader"].name,
        "rank_order": 1,
    }
    assert {s["person"] for s in data["hall"] if s["person"]} == {
        org.people["staff"].pk,
        org.people["econ_colleague"].pk,
    }


def test_the_right_side_of_honour_mirrors_the_presidium(org: Any, client_for: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.meeting_update(actor=office, meeting=meeting, honour_side="right")
    services.presidium_set(
        actor=office,
        meeting=meeting,
        person_ids=[org.people["leader"].pk, org.people["vice"].pk, org.people["head"].pk],
    )
    services.seating_arrange(actor=office, meeting=meeting)
    data = client_for("supervisor").get(f"/api/v1/meetings/{meeting.pk}/seating").json()
    assert [s["rank_order"] for s in data["presidium"]] == [2, 1, 3]


def test_move_and_lock_in_the_editor(org: Any, client_for: Any) -> None:
    meeting = _arranged(org)
    office = org.users["supervisor"]
    taken = list(Seat.objects.filter(meeting=meeting, area="hall", participant__isnull=False))
    empty = Seat.objects.filter(meeting=meeting, area="hall", participant__isnull=True).first()
    assert empty is not None
    page = client_for("supervisor")
    page.post(
        f"/meetings/{meeting.pk}/seating/", {"action": "move", "seat": taken[0].pk, "to": empty.pk}
    )
    empty.refresh_from_db()
    assert empty.participant_id == taken[0].participant_id
    services.seat_lock(actor=office, meeting=meeting, seat_id=empty.pk, locked=True)
    services.seating_arrange(actor=office, meeting=meeting)
    kept = Seat.objects.get(meeting=meeting, area="hall", row=empty.row, position=empty.position)
    assert kept.participant_id == taken[0].participant_id and kept.locked
    assert page.get(f"/meetings/{meeting.pk}/seating/").status_code == 200


def test_meeting_detail_carries_requirements(org: Any, token_for: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    services.requirement_add(actor=office, meeting=meeting, text="狠抓落实")
    api = Client(**token_for("supervisor"))
    data = api.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert data["requirements"][0]["text"] == "狠抓落实"
    assert data["requirements"][0]["key_point"] is None
    assert data["requirements"][0]["supervision_item"] is None
    # a participant sees it; an outsider gets the same 404 as a missing meeting
    assert Client(**token_for("staff")).get(f"/api/v1/meetings/{meeting.pk}").status_code == 200
    assert Client(**token_for("outsider")).get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    answer = api.post(
        f"/api/v1/meetings/{meeting.pk}/sign-in",
        json.dumps({"token": "1-2-forged"}),
        content_type="application/json",
    )
    assert answer.status_code == 422


def test_pages_answer(org: Any, client_for: Any) -> None:
    meeting = _arranged(org)
    page = client_for("supervisor")
    for suffix in (
        "",
        "participants/",
        "desk/",
        "door/",
        "seating/",
        "materials/",
        "minutes/",
        "requirements/",
    ):
        assert page.get(f"/meetings/{meeting.pk}/{suffix}").status_code == 200, suffix
    assert page.get(f"/meetings/{meeting.pk}/door.svg")["Content-Type"] == "image/svg+xml"
    assert page.get(f"/meetings/{meeting.pk}/participants.xlsx").status_code == 200
    assert page.get(f"/meetings/{meeting.pk}/table-cards.pdf").status_code == 200
    assert page.get(f"/meetings/{meeting.pk}/seat-chart.pdf").status_code == 200
    staff = client_for("staff")
    assert staff.get("/meetings/mine/").status_code == 200
    assert staff.get(f"/meetings/{meeting.pk}/my-seat/").status_code == 200
    assert staff.get(f"/meetings/{meeting.pk}/participants/").status_code == 404
    token = services.current_token(meeting)
    assert staff.get(f"/meetings/sign-in/{token}/").status_code == 200
    done = staff.post(f"/meetings/sign-in/{token}/")
    assert "signed-in" in done.content.decode()
    assert Client().get(f"/meetings/sign-in/{meeting.pk}-1-{'0' * 32}/").status_code == 404


def test_awarding_rounds_from_the_decision(org: Any, client_for: Any) -> None:
    import datetime as dt

    from luoshi.honors import services as honors_services
    from luoshi.honors.models import Honour

    hr, office = org.users["hr"], org.users["supervisor"]
    program = honors_services.program_create(
        actor=hr, agency=org.agency, year=2025, title="先进工作者评选", scope="internal"
    )
    from luoshi.honors.models import Program

    Program.objects.filter(pk=program.pk).update(status="final")
    for key in ("staff", "econ_colleague", "liaison_staff"):
        Honour.objects.create(
            agency=org.agency,
            person=org.people[key],
            unit=org.people[key].unit,
            kind="commendation",
            title="嘉奖",
            year=2025,
            approving_body="机关党组",
            awarded_on=dt.date(2025, 12, 28),
            source="program",
            program=program,
        )
    meeting = ready_meeting(org, program=Program.objects.get(pk=program.pk))
    services.participants_apply(actor=office, meeting=meeting)
    assert meeting.participants.filter(source="honouree").count() == 1  # liaison_staff
    services.presidium_set(
        actor=office, meeting=meeting, person_ids=[org.people["leader"].pk, org.people["vice"].pk]
    )
    rounds = services.awarding_plan(actor=office, meeting=meeting, per_round=2)
    assert [r.entries.count() for r in rounds] == [2, 1]
    first = list(rounds[0].entries.order_by("order"))
    assert first[0].presenter_id == org.people["leader"].pk
    page = client_for("supervisor")
    assert page.get(f"/meetings/{meeting.pk}/standing-order.docx").status_code == 200
    assert page.get(f"/meetings/{meeting.pk}/notice.docx").status_code == 200


def test_material_upload_and_frozen_compilation(org: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from luoshi.meetings.models import AgendaItem

    meeting = ready_meeting(org)
    item = AgendaItem.objects.get(meeting=meeting)
    leader = client_for("leader")  # the presenter attaches their own material
    answer = leader.post(
        f"/meetings/{meeting.pk}/materials/",
        {"action": "upload", "item": item.pk, "file": SimpleUploadedFile("讲话.pdf", small_pdf())},
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.has_material and item.material_name == "讲话.pdf"
    assert (
        client_for("staff").get(f"/meetings/{meeting.pk}/agenda/{item.pk}/material.pdf").status_code
        == 404
    )
    office = client_for("supervisor")
    office.post(f"/meetings/{meeting.pk}/materials/", {"action": "freeze"})
    office.post(f"/meetings/{meeting.pk}/materials/", {"action": "freeze"})
    assert list(meeting.compilations.values_list("version", flat=True)) == [2, 1]
    pdf = office.get(f"/meetings/{meeting.pk}/compilation-v1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert meeting.compilations.get(version=1).contents


def test_report_speakers_from_the_units_with_an_accepted_summary(org: Any, client_for: Any) -> None:
    from luoshi.summaries import services as summaries_services
    from luoshi.summaries.models import UnitSummary

    from .conftest import make_meeting

    office = org.users["supervisor"]
    meeting = make_meeting(org)
    summary_round = summaries_services.round_create(
        actor=office, agency=org.agency, year=meeting.year
    )
    summary = UnitSummary.objects.get(round=summary_round, unit=org.econ)
    summaries_services.summary_record_accepted(
        actor=office,
        summary=summary,
        achievements="全年完成重点任务。" * 70,
        problems="统筹不够。",
        next_year="继续推进。",
    )
    items = services.report_speakers_propose(actor=office, meeting=meeting)
    assert [i.unit_id for i in items] == [org.econ.pk]
    page = client_for("supervisor").get(f"/meetings/{meeting.pk}/materials/")
    assert "accepted summary" in page.content.decode() or "总结" in page.content.decode()
    compilation = services.compilation_freeze(actor=office, meeting=meeting)
    assert any("主要工作" in e["title"] for e in compilation.contents), compilation.contents


def test_every_participant_gets_a_hall_seat_when_many_small_units_each_start_a_row(
    org: Any,
) -> None:
    """Each unit starts a row of its own: twelve units of two people need twelve rows, not the
    two that their 24 seats would fill (the hall grew too little, and 20 people had no seat)."""
    from luoshi.orgs.models import OrgUnit, Person
    from luoshi.orgs.services import org_unit_create

    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    for i in range(12):
        unit = org_unit_create(
            actor=None,
            name=f"直属单位{i:02d}",
            code=f"SEAT-{i:02d}",
            kind=OrgUnit.Kind.AFFILIATED,
            level=org.agency.level,
            parent=org.agency,
            sort_order=100 + i,
        )
        for j in range(2):
            person = Person.objects.create(name=f"座位{i:02d}{j}", gender="M", unit=unit)
            services.participant_add(actor=office, meeting=meeting, person=person)
    hall = meeting.participants.filter(presidium=False).exclude(reply="leave").count()
    result = services.seating_arrange(actor=office, meeting=meeting)
    assert result["unseated"] == 0 and result["hall"] == hall >= 24
    seats = meeting.seats.filter(area="hall", participant__isnull=False)
    rows_of: dict[str, set[int]] = {}
    for seat in seats.select_related("participant__unit"):
        assert seat.participant is not None
        home = seat.participant.unit
        if home is not None and home.code.startswith("SEAT-"):
            rows_of.setdefault(home.code, set()).add(seat.row)
    assert len(rows_of) == 12
    first_rows = sorted(min(rows) for rows in rows_of.values())
    assert len(set(first_rows)) == 12  # each unit on a row of its own
