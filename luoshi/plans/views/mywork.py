"""My work (我的工作): what waits for the user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from luoshi.orgs.permissions import require_business_scope

from ..selectors.adjustments import adjustments_to_decide
from ..selectors.closeout import tasks_to_verify
from ..selectors.reports import MissingReport, missing_for_unit, tasks_to_report
from ..selectors.tasks import tasks_due_soon
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)

MY_WORK_SHOWN = 50


DUE_SOON_SHOWN = 20


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """What I must report, approve or verify this week."""
    require_business_scope(request)
    user = request.user
    today = timezone.localdate()
    person = getattr(user, "person", None)
    missing: list[MissingReport] = []
    if person is not None:
        missing = missing_for_unit(user, person.unit_id, today=today)
    to_report = tasks_to_report(user, today)
    # The lists show the first MY_WORK_SHOWN; the counts are exact (a national office may have
    # thousands waiting: the ledger lists them all).
    verify = tasks_to_verify(user)
    decide = adjustments_to_decide(user)
    due_soon = tasks_due_soon(user, DUE_SOON_SHOWN)
    return render(
        request,
        "plans/my_work.html",
        {
            "to_report": to_report,
            "missing": missing,
            "to_verify": list(verify[:MY_WORK_SHOWN]),
            "to_verify_count": verify.count(),
            "adjustments": list(decide[:MY_WORK_SHOWN]),
            "adjustments_count": decide.count(),
            "verify_ledger_url": reverse("plans:ledger") + "?status=completion_requested",
            "adjust_ledger_url": reverse("plans:ledger") + "?status=adjustment_requested",
            "due_soon": due_soon,
            "today": today,
        },
    )
