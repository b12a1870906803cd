"""What waits for the user in the annual summaries (rows of core.home's "waiting for you"):
their unit's summary to write (draft or returned), and summaries waiting for their review.
Three statements at most, whatever the number of summaries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from luoshi.core.home import Todo
from luoshi.orgs.permissions import scope_for

from . import permissions as perms
from .models import SummaryRound, UnitSummary

S = UnitSummary.Status


def home_todos(user: Any) -> list[Todo]:
    if scope_for(user).is_empty:
        return []
    url = reverse("summaries:rounds")
    rows = []
    unit_id = perms.own_unit_id(user)
    open_round = {"round__status": SummaryRound.Status.OPEN}
    if unit_id is not None:
        to_write = UnitSummary.objects.filter(
            unit_id=unit_id, status__in=[S.DRAFT, S.RETURNED], **open_round
        ).count()
        if to_write:
            rows.append(Todo("summaries.write", _("Annual summary to write"), to_write, url, 45))
    waiting = perms.waiting_for(user).filter(**open_round).count()
    if waiting:
        rows.append(Todo("summaries.review", _("Annual summaries to review"), waiting, url, 46))
    return rows
