from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone, translation

from luoshi.meetings import services
from luoshi.meetings.models import AgendaItem, Meeting


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """The services' messages in the source language, so that tests match them by meaning."""
    with translation.override("en"):
        yield


def make_meeting(org: Any, *, days: int = 7, **extra: Any) -> Meeting:
    office = org.users["supervisor"]
    return services.meeting_create(
        actor=office,
        agency=org.agency,
        year=timezone.localdate().year - 1,
        title="机关工作会议",
        date=timezone.localdate() + dt.timedelta(days=days),
        venue="机关三楼大会议室",
        presiding=org.people["leader"],
        **extra,
    )


def ready_meeting(org: Any, **extra: Any) -> Meeting:
    """A meeting with an agenda and participants, notified."""
    office = org.users["supervisor"]
    meeting = make_meeting(org, days=0, **extra)
    services.agenda_add(
        actor=office,
        meeting=meeting,
        kind=AgendaItem.Kind.SPEECH,
        title="主席讲话",
        presenter=org.people["leader"],
    )
    for key in ("vice", "head", "staff", "econ_colleague"):
        services.participant_add(actor=office, meeting=meeting, person=org.people[key])
    return services.meeting_advance(actor=office, meeting=meeting, to="notified")


@pytest.fixture
def meeting(org: Any) -> Meeting:
    return make_meeting(org)


def small_pdf() -> bytes:
    """A real one-page PDF (uploads are checked by a PDF parser, not by their name)."""
    # reportlab loads only for the tests that upload
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, "speech")
    c.showPage()
    c.save()
    return buffer.getvalue()
