"""Read-only views of commendation built for a page or the API, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from . import permissions as perms
from . import rules
from .models import Nomination, Program, VettingOpinion


def vetting_waiting(user: Any) -> list[dict[str, Any]]:
    """The submitted nominations still waiting for an opinion of a body the user signs for,
    program by program (three queries whatever the number of programs and nominations)."""
    pol = rules.policy()
    programs = list(
        perms.programs_visible(user)
        .filter(status__in=(Program.Status.NOMINATION, Program.Status.VETTING))
        .order_by("-year", "id")
    )
    bodies = {
        p.pk: [b for b in rules.vetting_bodies(pol) if perms.may_vet(user, p, b, pol)]
        for p in programs
    }
    wanted = [p for p in programs if bodies[p.pk]]
    nominations = (
        Nomination.objects.filter(program__in=wanted, status=Nomination.Status.SUBMITTED)
        .select_related("person", "unit")
        .prefetch_related(Prefetch("opinions", queryset=VettingOpinion.objects.only("body")))
        .order_by("program_id", "unit__path", "id")
    )
    by_program = {p.pk: p for p in wanted}
    rows = []
    for n in nominations:
        signed = {o.body for o in n.opinions.all()}
        waiting = [b for b in bodies[n.program_id] if b not in signed]
        if waiting:
            rows.append(
                {
                    "program": by_program[n.program_id],
                    "nomination": n,
                    "bodies": [rules.body_label(b) for b in waiting],
                }
            )
    return rows
