"""The exports of supervision, evaluation and appraisal are registered exporters
(luoshi.documents.exporters), each found under its app."""

from __future__ import annotations

from luoshi.appraisal import exports as appraisal_exports  # noqa: F401 (registers)
from luoshi.documents.exporters import EXPORTERS
from luoshi.evaluation import exports as evaluation_exports  # noqa: F401 (registers)
from luoshi.supervision import exports as supervision_exports  # noqa: F401 (registers)


def test_the_apps_exporters_are_registered_under_their_app() -> None:
    assert [cls.identifier for cls in EXPORTERS.for_app("supervision")] == [
        "assignment_sheet",
        "bulletin_docx",
        "supervision_ledger_xlsx",
        "urging_notice",
    ]
    assert [cls.identifier for cls in EXPORTERS.for_app("evaluation")] == [
        "evaluation_codes_pdf",
        "evaluation_results_xlsx",
    ]
    assert {cls.identifier for cls in EXPORTERS.for_app("appraisal")} == {
        "appraisal_registration_form_docx",
        "appraisal_registration_form_pdf",
        "appraisal_result_notice_docx",
        "appraisal_results_xlsx",
        "appraisal_unit_performance_xlsx",
    }
    assert EXPORTERS.get("supervision_ledger_xlsx").app() == "supervision"
