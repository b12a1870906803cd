"""API for importing units and people from xlsx: the same import as the import page.

Error answers (`{"code", "message", "details"}`) are documented on each operation by
luoshi.api.api; the ones specific to the import are described here.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.core.errors import NotFound

from .. import imports, workbook
from .. import permissions as perms

router = Router(tags=["imports"])

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class ImportOut(Schema):
    dry_run: bool
    units: int
    people: int


@router.post(
    "/org-people",
    response={201: ImportOut},
    summary="Import units and people from an xlsx workbook",
    openapi_extra={
        "responses": {
            404: {
                "description": "The account may not import (code `not_found`).",
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
            422: {
                "description": (
                    "The file has problems and nothing was written (code `import_invalid`); "
                    "`details` lists each as {sheet, row, column, message}."
                ),
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
        }
    },
)
def import_org_people(
    request: HttpRequest,
    file: Annotated[UploadedFile | None, File()] = None,
    dry_run: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Import the sheets 单位 and 人员 in the layout of org-people.xlsx, all or nothing.

    Send the workbook as the multipart field `file`. With `dry_run` the file is only checked.
    `201` gives the numbers of units and people created (or that would be); `422`
    (`import_invalid`) lists every problem with its sheet, Excel row, column and message, and
    nothing is written. Only the system administrator may import.
    """
    user = request.auth  # type: ignore[attr-defined]
    if not perms.can_import_org_people(user):
        raise NotFound()
    if file is None:
        raise workbook.ImportInvalid(
            [workbook.Problem("", None, "file", workbook.missing_file_message())]
        )
    result = imports.import_org_people(
        file, actor=user, dry_run=dry_run, file_name=workbook.clean_file_name(file.name or "")
    )
    return Status(201, {"dry_run": result.dry_run, "units": result.units, "people": result.people})
