"""Files of an evaluation: the results table (xlsx) and the printed sheet of ballot codes (PDF),
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
    """The sheet of ballot codes just issued (`services.codes_issue`), one slip per voter."""

    identifier = "evaluation_codes_pdf"
    verbose_name = gettext_lazy("Printed ballot codes")
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
        return f"ballot-codes-{self.campaign.pk}"

    def write(self, target: IO[bytes]) -> int:
        target.write(codes_pdf(self.campaign, self.issued, vote_url=self.vote_url))
        return len(self.issued)
