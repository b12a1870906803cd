"""Who may do what with meetings. Forbidden and missing look the same (NotFound) for meetings the
user cannot see; Forbidden only for a visible meeting the user may not act on.

- The office (the supervisors, who also draft the plans and register supervision items) whose
  scope covers the agency plans and runs its meetings: agenda, participants, the sign-in desk,
  seats, materials, minutes, requirements.
- The agency's leaders (agency leader role over the agency) see every meeting of it.
- A participant sees a meeting once the notice is out: its agenda, their own invitation, their
  seat, the sign-in on their phone.
- A presenter attaches the material of their own agenda item.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from .models import AgendaItem, Meeting, Participant, Requirement


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def is_organizer(user: Any, agency: OrgUnit) -> bool:
    return has_role(user, Role.SUPERVISOR) and scope_for(user).covers_unit(agency.pk, agency.path)


def is_leader(user: Any, agency: OrgUnit) -> bool:
    return has_role(user, Role.AGENCY_LEADER) and scope_for(user).covers_unit(
        agency.pk, agency.path
    )


def sees_everything(user: Any, meeting: Meeting) -> bool:
    """The office and the agency's leaders see the whole meeting (list, attendance, seats)."""
    return is_organizer(user, meeting.agency) or is_leader(user, meeting.agency)


def _in_scope(user: Any) -> Q:
    q = scope_for(user).q(unit="agency")
    return Q(pk__isnull=False) if q is None else q


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("agency", "presiding")
    if not getattr(user, "is_authenticated", False) or scope_for(user).is_empty:
        return qs.none()
    q = Q(pk__in=[])
    if has_role(user, Role.SUPERVISOR, Role.AGENCY_LEADER):
        q |= _in_scope(user)
    pid = getattr(user, "person_id", None)
    if pid:
        q |= Q(pk__in=Participant.objects.filter(person_id=pid).values("meeting_id")) & ~Q(
            state=Meeting.State.PLANNING
        )
    return qs.filter(q)


def access_meeting(user: Any, pk: Any) -> Meeting:
    try:
        return meetings_visible(user).get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_organized(user: Any, pk: Any) -> Meeting:
    """A meeting the user runs; a visible one they do not run answers 404 as well (the office's
    pages: a participant has no business there, and need not learn they exist)."""
    meeting = access_meeting(user, pk)
    if not is_organizer(user, meeting.agency):
        raise NotFound()
    return meeting


def access_overseen(user: Any, pk: Any) -> Meeting:
    """A meeting the user sees whole (the office or a leader)."""
    meeting = access_meeting(user, pk)
    if not sees_everything(user, meeting):
        raise NotFound()
    return meeting


def own_participant(user: Any, meeting: Meeting) -> Participant | None:
    pid = getattr(user, "person_id", None)
    if not pid:
        return None
    return (
        Participant.objects.select_related("person", "unit")
        .filter(meeting=meeting, person_id=pid)
        .first()
    )


def access_participant(user: Any, meeting: Meeting, pk: Any) -> Participant:
    try:
        participant = Participant.objects.select_related("person", "unit").get(
            pk=int(pk), meeting=meeting
        )
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if sees_everything(user, meeting):
        return participant
    if participant.person_id is not None and participant.person_id == getattr(
        user, "person_id", None
    ):
        return participant
    raise NotFound()


def access_agenda_item(user: Any, meeting: Meeting, pk: Any) -> AgendaItem:
    try:
        return AgendaItem.objects.select_related("presenter", "unit").get(
            pk=int(pk), meeting=meeting
        )
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_requirement(user: Any, meeting: Meeting, pk: Any) -> Requirement:
    try:
        return Requirement.objects.get(pk=int(pk), meeting=meeting)
    except (Requirement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def may_attach_material(user: Any, item: AgendaItem) -> bool:
    pid = getattr(user, "person_id", None)
    return is_organizer(user, item.meeting.agency) or (pid is not None and item.presenter_id == pid)
