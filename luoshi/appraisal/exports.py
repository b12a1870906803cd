"""Exports of appraisal: registered exporters (luoshi.documents.exporters) that read through the
selectors and lay the files out with `documents` from the plain data `docbuild` builds.

- `RegistrationFormDocx`, `RegistrationFormPdf`: a participant's registration form (考核登记表).
- `ResultNoticeDocx`: the written notice of a participant's final result (考核结果通知).
- `ResultsXlsx`: a cycle's result table, the participants the viewer may see in full.
- `UnitPerformanceXlsx`: an agency's units scored and ranked for a year (部门绩效).

Each is a page's worth of bytes, built in memory and sent whole (`streaming = False`). Taking
one is recorded by the views as a view of a confidential record (`appraisal.view`), as always.
The verbose names are strings the pages already translate.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.documents.exporters import Exporter, register
from luoshi.documents.official import DOCX_CONTENT_TYPE
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, XlsxWriter
from luoshi.orgs.models import OrgUnit

from . import docbuild, documents, rules, selectors
from .models import AnnualCycle, Participant

PDF_CONTENT_TYPE = "application/pdf"

# lazy: the sheet's metric columns are in the language of the request that exports
METRIC_LABELS = rules.UNIT_METRIC_LABELS


class AppraisalExporter(Exporter):
    """What every appraisal export shares: built in memory, sent whole."""

    streaming = False


class ParticipantDocument(AppraisalExporter):
    """A document of one participant the viewer can see (`perms.access_participant`)."""

    document = ""  # the document's words in the file name

    def __init__(self, user: Any, participant: Participant) -> None:
        super().__init__(user)
        self.participant = participant

    def file_name(self) -> str:
        p = self.participant
        return f"{p.cycle.year}-{p.person.name}-{self.document}"

    @abstractmethod
    def data(self) -> bytes:
        """The document's bytes."""

    def write(self, target: IO[bytes]) -> int:
        target.write(self.data())
        return 1


@register
class RegistrationFormDocx(ParticipantDocument):
    identifier = "appraisal_registration_form_docx"
    verbose_name = gettext_lazy("Registration form (docx)")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    document = "考核登记表"

    def data(self) -> bytes:
        return documents.registration_form_docx(docbuild.registration_data(self.participant))


@register
class RegistrationFormPdf(ParticipantDocument):
    identifier = "appraisal_registration_form_pdf"
    verbose_name = gettext_lazy("Registration form (PDF)")
    extension = "pdf"
    content_type = PDF_CONTENT_TYPE
    document = "考核登记表"

    def data(self) -> bytes:
        return documents.registration_form_pdf(docbuild.registration_data(self.participant))


@register
class ResultNoticeDocx(ParticipantDocument):
    """Only of a final result (the view answers not-found before that)."""

    identifier = "appraisal_result_notice_docx"
    verbose_name = gettext_lazy("Result notice (docx)")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    document = "考核结果通知"

    def data(self) -> bytes:
        return documents.result_notice_docx(docbuild.notice_data(self.participant))


@register
class ResultsXlsx(AppraisalExporter):
    """The result table of a cycle: the participants whose whole record the viewer may see,
    with the linked evaluation's scores."""

    identifier = "appraisal_results_xlsx"
    verbose_name = gettext_lazy("Result table (xlsx)")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def __init__(self, user: Any, cycle: AnnualCycle) -> None:
        super().__init__(user)
        self.cycle = cycle

    def file_name(self) -> str:
        return f"{self.cycle.year}-考核结果"

    def write(self, target: IO[bytes]) -> int:
        participants = list(
            selectors.participants_confidential(self.user, self.cycle).select_related(
                "person__staff_category"
            )
        )
        rows = docbuild.result_rows(participants, selectors.evaluation_results(self.cycle))
        documents.result_table_xlsx(rows, target)
        return len(rows)


@register
class UnitPerformanceXlsx(AppraisalExporter):
    """An agency's units, scored and ranked for a year."""

    identifier = "appraisal_unit_performance_xlsx"
    verbose_name = gettext_lazy("Unit performance")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def __init__(self, user: Any, agency: OrgUnit, year: int) -> None:
        super().__init__(user)
        self.agency = agency
        self.year = year

    def file_name(self) -> str:
        return f"{self.year}-部门绩效"

    def write(self, target: IO[bytes]) -> int:
        rows, _supervision = selectors.unit_performance(self.agency, self.year)
        book = XlsxWriter()
        sheet = book.add_sheet(
            _("Unit performance"),
            [
                _("Rank"),
                _("Unit"),
                *[str(METRIC_LABELS[k]) for k in rules.UNIT_METRICS],
                _("Score"),
            ],
        )
        for r in rows:
            sheet.append(
                [r.rank, r.unit.name, *[r.metrics.get(k) for k in rules.UNIT_METRICS], r.score]
            )
        book.save(target)
        return len(rows)
