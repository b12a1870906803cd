"""Files of an evaluation: the results table (xlsx) and the printed sheet of ballot codes (PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.documents import pdf
from luoshi.documents.xlsx import SheetSpec, xlsx_bytes

from . import rules
from .models import Campaign, Candidate, GradeOption
from .services import IssuedCode


def results_rows(
    candidates: Sequence[Candidate], grades: Sequence[GradeOption], results: dict[int, Any]
) -> list[list[Any]]:
    rows = []
    for index, candidate in enumerate(candidates, start=1):
        result = results[candidate.person_id]
        rows.append(
            [
                index,
                candidate.person.name,
                candidate.person.unit.name,
                *[result.counts.get(g.code, 0) for g in grades],
                result.ballots,
                float(result.score) if result.score is not None else "",
                _("Valid") if result.valid else _("Below the minimum"),
            ]
        )
    return rows


def results_xlsx(
    campaign: Campaign,
    candidates: Sequence[Candidate],
    grades: Sequence[GradeOption],
    results: dict[int, Any],
) -> bytes:
    headers = [
        _("No."),
        _("Name"),
        _("Unit"),
        *[g.display_label for g in grades],
        _("Ballots counted"),
        _("Score"),
        _("Result"),
    ]
    return xlsx_bytes(
        [
            SheetSpec(
                title=_("Results"),
                headers=headers,
                rows=results_rows(candidates, grades, results),
                widths=[6, 14, 24, *[10] * len(grades), 12, 10, 16],
            )
        ]
    )


def codes_pdf(
    campaign: Campaign, issued: Sequence[IssuedCode], *, vote_url: str, day: dt.date | None = None
) -> bytes:
    """One slip per voter: name, unit, code, where to vote; cut along the rules and hand out."""
    font = pdf.cjk_font()
    s = pdf.styles(font)
    day = day or timezone.localdate()
    flowables: list[Any] = [
        pdf.paragraph(campaign.title, s["title"]),
        pdf.paragraph(
            _(
                "Ballot codes printed on %(day)s. Each code votes once; codes printed earlier "
                "no longer work. Vote at %(url)s — enter the code, rate each candidate, submit."
            )
            % {"day": day.isoformat(), "url": vote_url},
            s["small"],
        ),
    ]
    rows: list[list[Any]] = [[_("Name"), _("Unit"), _("Ballot code")]]
    for item in issued:
        rows.append(
            [
                item.voter.person.name,
                item.voter.person.unit.name,
                pdf.paragraph(rules.format_code(item.code), s["code"]),
            ]
        )
    from reportlab.lib.units import mm

    flowables.append(pdf.table(rows, font, col_widths=[40 * mm, 70 * mm, 60 * mm], padding=8))
    return pdf.build_pdf(flowables, title=campaign.title)
