"""Files of an evaluation: the results table (xlsx) and the printed anonymous slips (PDF),
laid out by `results_xlsx` and `codes_pdf` and sent by the registered exporters
(luoshi.documents.exporters) `ResultsXlsx` and `CodesPdf`.

Both are built in memory and sent whole, never stored by a cache (`no_store`). Reading the
results is audited by `services.results_view` and issuing the codes by `services.codes_issue`;
the exporters only lay out what those gave. The verbose names are strings the pages already
translate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.documents import pdf
from luoshi.documents.exporters import Exporter, register
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, SheetSpec, xlsx_bytes

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
    """The anonymous slips, cut apart and drawn at random at the meeting: grouped by rater
    category (each category from a new page), two slips a row, each with the campaign, the
    category and its weight, the code and where to vote. No name, unit or number that could tie
    a slip to a person is printed (the order within a category is random)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Table, TableStyle

    font = pdf.cjk_font()
    s = pdf.styles(font)
    day = day or timezone.localdate()
    groups: dict[int, list[IssuedCode]] = {}
    for item in issued:
        groups.setdefault(item.category.pk, []).append(item)
    flowables: list[Any] = []
    for index, items in enumerate(groups.values()):
        category = items[0].category
        if index:
            flowables.append(PageBreak())
        flowables += [
            pdf.paragraph(campaign.title, s["title"]),
            pdf.paragraph(
                _("Rater category: %(category)s · weight %(weight)d%% · %(count)d slips")
                % {"category": category.name, "weight": category.weight, "count": len(items)},
                s["heading"],
            ),
            pdf.paragraph(
                _(
                    "Printed on %(day)s. Cut along the dashed lines, fold each slip, and let each "
                    "rater of this category draw one at random. Each code votes once; codes "
                    "printed earlier no longer work. Nobody's name is on a slip: the system "
                    "does not know who holds which code."
                )
                % {"day": day.isoformat()},
                s["small"],
            ),
        ]
        cells = [_slip(campaign, item, vote_url, s) for item in items]
        rows: list[list[Any]] = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        if len(rows[-1]) == 1:
            rows[-1].append("")
        grid = Table(rows, colWidths=[85 * mm, 85 * mm])
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.grey, None, (3, 3)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        flowables.append(grid)
    if not flowables:
        flowables.append(pdf.paragraph(campaign.title, s["title"]))
        flowables.append(pdf.paragraph(_("Every slip has been used."), s["body"]))
    return pdf.build_pdf(flowables, title=campaign.title)


def _slip(campaign: Campaign, item: IssuedCode, vote_url: str, s: dict[str, Any]) -> list[Any]:
    return [
        pdf.paragraph(campaign.title, s["small"]),
        pdf.paragraph(
            _("%(category)s · weight %(weight)d%%")
            % {"category": item.category.name, "weight": item.category.weight},
            s["cell"],
        ),
        pdf.paragraph(rules.format_code(item.code), s["code"]),
        pdf.paragraph(_("Vote at %(url)s with this code.") % {"url": vote_url}, s["small"]),
    ]


class EvaluationExporter(Exporter):
    """What every evaluation export shares: built in memory, sent whole, not cached."""

    streaming = False
    no_store = True


@register
class ResultsXlsx(EvaluationExporter):
    """The tally of a closed campaign (the results as `services.results_view` gave them)."""

    identifier = "evaluation_results_xlsx"
    verbose_name = gettext_lazy("Results")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def __init__(
        self,
        user: Any,
        campaign: Campaign,
        candidates: Sequence[Candidate],
        grades: Sequence[GradeOption],
        results: dict[int, Any],
    ) -> None:
        super().__init__(user)
        self.campaign = campaign
        self.candidates = candidates
        self.grades = grades
        self.results = results

    def file_name(self) -> str:
        return f"evaluation-results-{self.campaign.year}-{self.campaign.pk}"

    def write(self, target: IO[bytes]) -> int:
        target.write(results_xlsx(self.campaign, self.candidates, self.grades, self.results))
        return len(self.candidates)


@register
class CodesPdf(EvaluationExporter):
    """The anonymous slips just issued (`services.codes_issue`), grouped by rater category."""

    identifier = "evaluation_codes_pdf"
    verbose_name = gettext_lazy("Printed ballot slips")
    extension = "pdf"
    content_type = "application/pdf"

    def __init__(
        self, user: Any, campaign: Campaign, issued: Sequence[IssuedCode], *, vote_url: str
    ) -> None:
        super().__init__(user)
        self.campaign = campaign
        self.issued = issued
        self.vote_url = vote_url

    def file_name(self) -> str:
        return f"ballot-slips-{self.campaign.pk}"

    def write(self, target: IO[bytes]) -> int:
        target.write(codes_pdf(self.campaign, self.issued, vote_url=self.vote_url))
        return len(self.issued)
