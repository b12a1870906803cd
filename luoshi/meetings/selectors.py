"""Read-only views of meetings built for a page or the API, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from luoshi.core import lights
from luoshi.plans.models import Task

from . import rules
from .models import AwardingEntry, AwardingRound, Meeting, Participant, Requirement, Seat

PR = Participant.Reply


def participants(meeting: Meeting) -> Any:
    return meeting.participants.select_related(
        "person__post", "person__rank", "unit", "substitute_for"
    ).order_by("sort_key", "id")


SIGNED_IN_CHOICES = ("yes", "no")


def filter_participants(
    qs: Any,
    *,
    q: str = "",
    reply: str = "",
    source: str = "",
    signed_in: str = "",
    unit: int | None = None,
) -> Any:
    """The list narrowed by a name, unit or body (part of it), the reply, the source, signed in
    or not ("yes"/"no") and the unit (empty: not narrowed)."""
    q = q.strip()[:100]
    if q:
        qs = qs.filter(
            Q(person__name__icontains=q)
            | Q(guest_name__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(guest_body__icontains=q)
        )
    if reply in Participant.Reply.values:
        qs = qs.filter(reply=reply)
    if source in Participant.Source.values:
        qs = qs.filter(source=source)
    if signed_in in SIGNED_IN_CHOICES:
        qs = qs.filter(signed_in_at__isnull=signed_in == "no")
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs


def participant_counts(meeting: Meeting) -> dict[str, int]:
    """The whole list's counts (one query, whatever page is shown): total, by reply, signed in,
    guests and the presidium."""
    return meeting.participants.order_by().aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(reply=PR.PENDING)),
        accepted=Count("id", filter=Q(reply=PR.ACCEPTED)),
        leave=Count("id", filter=Q(reply=PR.LEAVE)),
        signed_in=Count("id", filter=Q(signed_in_at__isnull=False)),
        guests=Count("id", filter=Q(person__isnull=True)),
    )


def presidium(meeting: Meeting) -> list[Any]:
    """The presidium in protocol order, No. 1 first (one query)."""
    return list(
        meeting.participants.filter(presidium=True, person__isnull=False)
        .select_related("person")
        .order_by("protocol_order", "id")
    )


def _late_cutoff(meeting: Meeting) -> dt.datetime | None:
    if meeting.starts_at is None:
        return None
    start = dt.datetime.combine(meeting.date, meeting.starts_at)
    start = timezone.make_aware(start) if timezone.is_naive(start) else start
    return start + dt.timedelta(minutes=rules.policy().late_after_minutes)


def attendance(meeting: Meeting) -> dict[str, Any]:
    """Live attendance: counts by unit (expected, signed in, on leave), the late and the absent
    (neither signed in nor on leave). Two queries."""
    rows = list(participants(meeting))
    cutoff = _late_cutoff(meeting)
    by_unit: dict[Any, dict[str, Any]] = {}
    late, absent, leave, present = [], [], [], []
    for p in rows:
        key = p.unit_id or 0
        entry = by_unit.setdefault(
            key,
            {
                "unit": p.unit.name if p.unit else p.guest_body or "",
                "expected": 0,
                "signed_in": 0,
                "leave": 0,
                "guest": p.unit is None,
            },
        )
        entry["expected"] += 1
        if p.signed_in_at is not None:
            entry["signed_in"] += 1
            present.append(p)
            if cutoff is not None and p.signed_in_at > cutoff:
                late.append(p)
        elif p.reply == PR.LEAVE:
            entry["leave"] += 1
            leave.append(p)
        else:
            absent.append(p)
    units = sorted(by_unit.values(), key=lambda e: (e["guest"], e["unit"]))
    return {
        "total": len(rows),
        "signed_in": len(present),
        "units": units,
        "late": late,
        "absent": absent,
        "leave": leave,
        "present": present,
    }


def minutes_lists(meeting: Meeting) -> dict[str, list[Participant]]:
    """出席 (attended as members), 列席 (observers and guests who came), 请假 (on leave)."""
    data = attendance(meeting)
    attended = [p for p in data["present"] if p.role == Participant.Role.ATTEND and p.person_id]
    observed = [p for p in data["present"] if p.role == Participant.Role.OBSERVE or not p.person_id]
    return {"attended": attended, "observed": observed, "leave": data["leave"]}


def _seats(meeting: Meeting) -> Any:
    return (
        Seat.objects.filter(meeting=meeting)
        .select_related("participant__person", "participant__unit")
        .order_by("area", "row", "position")
    )


def seating(meeting: Meeting) -> dict[str, list[dict[str, Any]]]:
    """The seats as the API answers them: `{"presidium": [{"position", "person", "name",
    "rank_order"}], "hall": [... the same, with "row" and "zone"]}`, positions counted from the
    left as seen from the hall. One query."""
    out: dict[str, list[dict[str, Any]]] = {"presidium": [], "hall": []}
    for seat in _seats(meeting):
        p = seat.participant
        entry: dict[str, Any] = {
            "position": seat.position,
            "person": p.person_id if p is not None else None,
            "name": p.name if p is not None else "",
            "rank_order": p.protocol_order if p is not None else None,
        }
        if seat.area == Seat.Area.HALL:
            entry.update({"row": seat.row, "zone": seat.zone})
        out[seat.area].append(entry)
    return out


def seat_rows(meeting: Meeting) -> dict[str, list[list[Seat]]]:
    """The seats of each area row by row (front row first), for the editor and the chart."""
    rows: dict[str, dict[int, list[Seat]]] = {"presidium": {}, "hall": {}}
    for seat in _seats(meeting):
        rows[seat.area].setdefault(seat.row, []).append(seat)
    return {area: [rows[area][r] for r in sorted(rows[area])] for area in rows}


def seat_of(meeting: Meeting, participant: Participant) -> Seat | None:
    return Seat.objects.filter(meeting=meeting, participant=participant).first()


def awarding(meeting: Meeting) -> list[AwardingRound]:
    return list(
        meeting.awarding_rounds.prefetch_related(
            Prefetch(
                "entries",
                queryset=AwardingEntry.objects.select_related(
                    "honour__person", "honour__unit", "presenter"
                ),
            )
        )
    )


LIGHT_ORDER = {light: i for i, light in enumerate(lights.LIGHTS)}  # worst first


def requirements(meeting: Meeting) -> list[dict[str, Any]]:
    """Each requirement with what became of it: the key point (progress: the mean of its
    tasks; light: the worst of them) and the supervision item (its progress and light).
    Three queries."""
    reqs = list(
        Requirement.objects.filter(meeting=meeting)
        .select_related("key_point__plan", "supervision_item")
        .order_by("number")
    )
    point_ids = [r.key_point_id for r in reqs if r.key_point_id]
    stats: dict[int, dict[str, Any]] = {}
    if point_ids:
        counted = Task.objects.filter(key_point_id__in=point_ids).exclude(
            status__in=(Task.Status.DRAFT, Task.Status.CANCELLED)
        )
        for row in counted.values("key_point_id").annotate(
            progress=Avg("progress"),
            tasks=Count("id"),
            red=Count("id", filter=Q(light=lights.RED)),
            yellow=Count("id", filter=Q(light=lights.YELLOW)),
            green=Count("id", filter=Q(light=lights.GREEN)),
        ):
            light = next(
                (c for c in (lights.RED, lights.YELLOW, lights.GREEN) if row[c]), lights.GREY
            )
            stats[row["key_point_id"]] = {
                "tasks": row["tasks"],
                "progress": round(row["progress"] or 0),
                "light": light,
            }
    out = []
    for r in reqs:
        kp = None
        if r.key_point is not None:
            s = stats.get(r.key_point.pk, {"tasks": 0, "progress": 0, "light": lights.GREY})
            kp = {
                "id": r.key_point.pk,
                "plan": r.key_point.plan_id,
                "label": r.key_point.label,
                "title": r.key_point.title,
                **s,
                "light_label": light_label(s["light"]),
            }
        si = None
        if r.supervision_item is not None:
            item = r.supervision_item
            si = {
                "id": item.pk,
                "number": item.number,
                "title": item.title,
                "status": item.status,
                "progress": item.progress,
                "light": item.light,
                "light_label": light_label(item.light),
            }
        out.append(
            {
                "id": r.pk,
                "number": r.number,
                "text": r.text,
                "passage": r.passage,
                "key_point": kp,
                "supervision_item": si,
                "version": r.version,
            }
        )
    return out


def light_label(light: str) -> str:
    return str(dict(lights.Light.choices).get(light, light))


def my_meetings(user: Any) -> list[tuple[Meeting, Participant]]:
    pid = getattr(user, "person_id", None)
    if not pid:
        return []
    rows = (
        Participant.objects.filter(person_id=pid)
        .exclude(meeting__state=Meeting.State.PLANNING)
        .select_related("meeting__agency")
        .order_by("-meeting__date")
    )
    return [(p.meeting, p) for p in rows]


def counts_by_state(qs: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in qs.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return dict(counts)
