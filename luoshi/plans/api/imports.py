"""API for importing into a draft plan: the same two steps as the import page
(services.imports.prepare_import, then commit_import), in one call."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from luoshi.core import importflow
from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import InvalidInput
from luoshi.orgs.models import OrgUnit

from .. import permissions as perms
from ..services.imports import Override, PreparedImport, commit_import, prepare_import

router = Router(tags=["plans"])


Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class OverrideIn(Schema):
    """What the office fixes for one task (by its code) that the file did not say clearly."""

    model_config = ConfigDict(extra="forbid")

    lead: int | None = Field(None, ge=1, le=MAX_ID, description="The lead unit's id")
    deadline: dt.date | None = None


_OVERRIDES = TypeAdapter(dict[Text, OverrideIn])


class UnresolvedOut(Schema):
    code: str
    field: str
    text: str
    message: str


class UnmatchedRowOut(Schema):
    row: int
    title: str


class SkippedOut(Schema):
    row: int
    code: str
    message: str


class EnrichedOut(Schema):
    """A breakdown table completing a plan that already has its outline."""

    sheet: str
    tasks: int
    milestones: int
    indicators: int
    unmatched: list[UnmatchedRowOut]
    skipped: list[SkippedOut]


class MismatchOut(Schema):
    """Where the document's heading does not fit the plan: `field` is "agency" or "year"."""

    field: str
    message: str


class PlanImportOut(Schema):
    kind: Literal["outline", "breakdown", "enrich"]
    key_points: int
    tasks: int
    unresolved: list[UnresolvedOut]
    committed: bool
    enriched: EnrichedOut | None = None
    mismatches: list[MismatchOut] = []
    archived: bool = Field(
        False, description="The plan is a past year's archive: no lights, no reports owed."
    )


def _overrides(raw: str, plan: Any, prepared: PreparedImport) -> dict[str, Override]:
    """The `overrides` form field: JSON {"code": {"lead": unit id, "deadline": "YYYY-MM-DD"}}."""
    if not raw.strip():
        return {}
    try:
        values = _OVERRIDES.validate_python(json.loads(raw))
    except (ValueError, PydanticValidationError) as exc:
        details = [{"field": "overrides", "message": _("Send a JSON object keyed by task code.")}]
        if isinstance(exc, PydanticValidationError):
            details = [
                {
                    "field": ".".join(["overrides", *(str(p) for p in error["loc"])]),
                    "message": str(error["msg"]),
                }
                for error in exc.errors()
            ]
        raise InvalidInput(details=details) from None
    codes = {task.code for task in prepared.parsed.tasks()} if prepared.parsed else set()
    units = set(
        OrgUnit.objects.filter(path__startswith=plan.agency.path, is_active=True).values_list(
            "pk", flat=True
        )
    )
    problems = []
    for code, value in values.items():
        if code not in codes:
            problems.append(
                {
                    "field": f"overrides.{code}",
                    "message": _("The file has no task %(code)s.") % {"code": code},
                }
            )
        elif value.lead is not None and value.lead not in units:
            problems.append(
                {
                    "field": f"overrides.{code}.lead",
                    "message": _("Choose a lead unit of the agency."),
                }
            )
    if problems:
        raise InvalidInput(details=problems)
    return {code: Override(lead=v.lead, deadline=v.deadline) for code, v in values.items()}


@router.post(
    "/plans/{plan_id}/import",
    response={201: PlanImportOut},
    summary="Import a Word outline or an Excel breakdown table into a draft plan",
    openapi_extra=error_responses(
        {
            403: "The account may see the plan but not import into it.",
            404: "No such plan, or not visible to the account.",
            422: (
                "The file cannot be read, does not fit the plan, or tasks have no lead unit "
                "(code `lead_unit_missing`, one entry per task in `details`), or the document's "
                "heading names another agency or year and `confirm_mismatch` was not sent "
                "(code `outline_mismatch`, one entry per mismatch in `details`); nothing was "
                "written."
            ),
        }
    ),
)
def import_plan(
    request: HttpRequest,
    plan_id: Id,
    file: Annotated[UploadedFile | None, File()] = None,
    dry_run: Form[bool] = False,
    overrides: Form[str] = "",
    confirm_mismatch: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Send the file as the multipart field `file`: a work plan as a numbered outline (.docx)
    or a task breakdown table (.xlsx).

    Into an empty draft plan, the outline (or the table's rows, under one key point named after
    the sheet) becomes the plan's key points and tasks. Into a plan that already has its
    outline, a breakdown table adds each row's milestones and indicators to the task it matches
    (by code, else by title), and `enriched` lists what was added and the rows matching no task.

    `overrides` (a JSON form field) fixes what the file did not say clearly, per task code:
    `{"2024-1-1-1": {"lead": 12, "deadline": "2024-06-30"}}`. Every task needs a lead unit;
    anything else not recognised is listed in `unresolved` and left out. With `dry_run` nothing
    is written and `committed` is false. All or nothing.

    When the document's heading names another agency or another year than the plan's, the
    dry run lists it in `mismatches` and the commit is refused (422, `outline_mismatch`) unless
    `confirm_mismatch` is true (the confirmation is audited). A plan for a past year is
    imported as an archive (`archived`): no lights, no reports owed.
    """
    user = request.auth  # type: ignore[attr-defined]
    plan = perms.access_plan(user, plan_id)
    perms.require(perms.can_manage_plans(user))
    if file is None:
        raise InvalidInput(
            details=[{"field": "file", "message": _("Choose a .docx or .xlsx file to upload.")}]
        )
    name = importflow.clean_file_name(file.name or "", "")
    data = importflow.read_upload(file)
    prepared = prepare_import(plan, data, name)
    fixes = _overrides(overrides, plan, prepared)
    outcome = commit_import(
        actor=user,
        plan=plan,
        prepared=prepared,
        overrides=fixes,
        dry_run=dry_run,
        source={"file": name, "sha256": hashlib.sha256(data).hexdigest()},
        confirm_mismatch=confirm_mismatch,
    )
    return Status(201, outcome.summary())
