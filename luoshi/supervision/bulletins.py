"""The monthly supervision bulletin (督查通报): compiled from the items, edited, published.

Compiling reads every item of the agency assigned in the bulletin's year up to the end of the
month and counts, per lead unit (the lead unit counts): assigned, closed, closed on time
(against the original deadline), overdue and open as of the month's end; it lists the red
items by name, the items escalated by the urging ladder, and praises early completions. The
office edits the introduction and closing, then publishes: HTML for all staff of the agency, and
a Word document in the official layout.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version, save_versioned
from luoshi.documents.official import OfficialDocument, chinese_date
from luoshi.notify.services import notify_each
from luoshi.orgs.models import OrgUnit, User

from . import rules
from .models import Bulletin, SupervisionItem, UrgingStep

S = SupervisionItem.Status


def parse_month(text: str | None) -> dt.date:
    """ "2025-10" → 2025-10-01; ValueError otherwise."""
    if not text:
        raise ValueError("no month")
    year, month = text.strip().split("-")[:2]
    return dt.date(int(year), int(month), 1)


def compile_data(agency: OrgUnit, month: dt.date, today: dt.date | None = None) -> dict[str, Any]:
    """The bulletin's statistics and lists (JSON-ready), as of the end of `month`."""
    first, last = rules.month_bounds(month)
    as_of = min(last, today or timezone.localdate())
    items = list(
        SupervisionItem.objects.filter(
            agency=agency, assigned_on__isnull=False, assigned_on__lte=last, year=first.year
        )
        .select_related("lead_unit")
        .order_by("lead_unit__path", "serial")
    )
    escalated_ids = set(
        UrgingStep.objects.filter(
            item__in=[i.pk for i in items], step=UrgingStep.Step.ESCALATION, on__lte=last
        ).values_list("item_id", flat=True)
    )
    units: dict[int, dict[str, Any]] = {}
    red, early, escalated = [], [], []
    for item in items:
        row = units.setdefault(
            item.lead_unit_id,
            {
                "unit": item.lead_unit.name,
                "assigned": 0,
                "closed": 0,
                "closed_on_time": 0,
                "overdue": 0,
                "open": 0,
            },
        )
        row["assigned"] += 1
        closed = item.status == S.CLOSED and item.closed_on is not None and item.closed_on <= last
        brief = {
            "id": item.pk,
            "number": item.number,
            "title": item.title,
            "unit": item.lead_unit.name,
            "deadline": (item.original_deadline or item.deadline or first).isoformat(),
        }
        if closed:
            row["closed"] += 1
            row["closed_on_time"] += bool(item.closed_on_time)
            if (
                item.closed_on is not None
                and item.closed_on >= first
                and rules.is_early(item.completed_on, item.original_deadline)
            ):
                early.append({**brief, "completed_on": str(item.completed_on)})
        elif item.status != S.SUSPENDED:
            row["open"] += 1
            if item.deadline is not None and item.deadline < as_of:
                row["overdue"] += 1
            if item.light == SupervisionItem.Light.RED:
                red.append(brief)
            if item.pk in escalated_ids:
                escalated.append(brief)
    rows = []
    for row in units.values():
        row["completion_rate"] = rules.rate(row["closed"], row["assigned"])
        row["on_time_rate"] = rules.rate(row["closed_on_time"], row["closed"])
        rows.append(row)
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("assigned", "closed", "closed_on_time", "overdue", "open")
    }
    totals["completion_rate"] = rules.rate(totals["closed"], totals["assigned"])
    totals["on_time_rate"] = rules.rate(totals["closed_on_time"], totals["closed"])
    return {
        "month": f"{first:%Y-%m}",
        "as_of": as_of.isoformat(),
        "units": rows,
        "totals": totals,
        "red": red,
        "escalated": escalated,
        "early": early,
    }


def _default_title(month: dt.date) -> str:
    return f"{month.year}年{month.month}月督查督办工作通报"


@transaction.atomic
def bulletin_compile(
    *, actor: Any, agency: OrgUnit, month: dt.date, today: dt.date | None = None
) -> Bulletin:
    """Compile (or recompile, while a draft) the month's bulletin."""
    month = month.replace(day=1)
    data = compile_data(agency, month, today)
    bulletin = Bulletin.objects.select_for_update().filter(agency=agency, month=month).first()
    if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
        raise InvalidInput(_("This month's bulletin is already published."))
    if bulletin is None:
        t = data["totals"]
        bulletin = Bulletin.objects.create(
            agency=agency,
            month=month,
            title=_default_title(month),
            introduction=(
                f"截至{month.year}年{month.month}月底，共交办督办事项{t['assigned']}件，"
                f"已办结{t['closed']}件，其中按期办结{t['closed_on_time']}件；"
                f"在办{t['open']}件，其中逾期{t['overdue']}件。现将有关情况通报如下。"
            ),
            data=data,
            compiled_at=timezone.now(),
        )
    else:
        bulletin.data, bulletin.compiled_at = data, timezone.now()
        save_versioned(bulletin, ["data", "compiled_at"])
    audit.record(
        "supervision.bulletin_compile",
        actor=actor,
        obj=bulletin,
        after={"month": data["month"], "totals": data["totals"]},
    )
    return bulletin


@transaction.atomic
def bulletin_update(
    *, actor: Any, bulletin: Bulletin, changes: dict[str, str], version: int | None
) -> Bulletin:
    check_version(bulletin, version)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise InvalidInput(_("A published bulletin cannot be edited."))
    before = audit.snapshot(bulletin, ["title", "introduction", "closing"])
    for name in ("title", "introduction", "closing"):
        if name in changes:
            setattr(bulletin, name, (changes[name] or "").strip())
    if not bulletin.title:
        raise InvalidInput(details=[{"field": "title", "message": _("The title is required.")}])
    save_versioned(bulletin, ["title", "introduction", "closing"])
    old, new = audit.diff(before, audit.snapshot(bulletin, ["title", "introduction", "closing"]))
    audit.record("supervision.bulletin_update", actor=actor, obj=bulletin, before=old, after=new)
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor: Any, bulletin: Bulletin, version: int | None = None) -> Bulletin:
    check_version(bulletin, version)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise InvalidInput(_("This bulletin is already published."))
    bulletin.status, bulletin.published_at = Bulletin.Status.PUBLISHED, timezone.now()
    bulletin.published_by = actor if getattr(actor, "is_authenticated", False) else None
    save_versioned(bulletin, ["status", "published_at", "published_by"])
    audit.record(
        "supervision.bulletin_publish", actor=actor, obj=bulletin, after={"status": "published"}
    )
    staff = User.objects.filter(
        is_active=True, person__unit__path__startswith=bulletin.agency.path
    ).values_list("pk", flat=True)
    notify_each(
        list(staff),
        "supervision.bulletin",
        lambda _user: (_("Supervision bulletin published"), bulletin.title),
        link=reverse("supervision:bulletin", args=[bulletin.pk]),
        actor=bulletin.published_by,
        org_unit_id=bulletin.agency_id,
    )
    return bulletin


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def bulletin_docx(bulletin: Bulletin, issuing_body: str = "") -> OfficialDocument:
    """The bulletin in the official layout."""
    data = bulletin.data or {}
    doc = OfficialDocument(title=bulletin.title)
    if issuing_body:
        doc.issuing_mark(issuing_body)
    doc.title(bulletin.title)
    for para in (bulletin.introduction or "").splitlines():
        if para.strip():
            doc.paragraph(para.strip())
    doc.heading("一、总体情况")
    doc.table(
        ["牵头单位", "交办", "办结", "按期办结", "逾期", "在办", "办结率", "按期率"],
        [
            [
                r["unit"],
                r["assigned"],
                r["closed"],
                r["closed_on_time"],
                r["overdue"],
                r["open"],
                _pct(r["completion_rate"]),
                _pct(r["on_time_rate"]),
            ]
            for r in data.get("units", [])
        ],
        widths=(40, 14, 14, 18, 14, 14, 20, 20),
        center=(1, 2, 3, 4, 5, 6, 7),
    )
    doc.heading("二、逾期未办结事项（红灯）")
    red = data.get("red", [])
    if red:
        for n, r in enumerate(red, start=1):
            doc.paragraph(
                f"{n}. {r['number']} {r['title']}（牵头单位：{r['unit']}，时限：{r['deadline']}）"
            )
    else:
        doc.paragraph("本月无逾期未办结事项。")
    escalated = data.get("escalated", [])
    if escalated:
        doc.heading("三、提请分管领导督办事项")
        for n, r in enumerate(escalated, start=1):
            doc.paragraph(f"{n}. {r['number']} {r['title']}（牵头单位：{r['unit']}）")
    doc.heading("四、提前办结事项" if escalated else "三、提前办结事项")
    early = data.get("early", [])
    if early:
        for n, r in enumerate(early, start=1):
            doc.paragraph(
                f"{n}. {r['number']} {r['title']}（{r['unit']}，{r['completed_on']}办结，"
                f"时限{r['deadline']}），予以表扬。"
            )
    else:
        doc.paragraph("本月无提前办结事项。")
    for para in (bulletin.closing or "").splitlines():
        if para.strip():
            doc.paragraph(para.strip())
    day = (bulletin.published_at or timezone.now()).date()
    if issuing_body:
        doc.signature(issuing_body, day)
    else:
        doc.date_line(day)
    return doc


def bulletin_published_on(bulletin: Bulletin) -> str:
    return chinese_date((bulletin.published_at or timezone.now()).date())
