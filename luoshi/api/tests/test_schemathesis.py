"""Property-based run over the OpenAPI document: no input makes the API answer 5xx.

Schemathesis generates requests for every operation of /api/v1/openapi.json (valid and invalid
inputs, a bounded number per operation, derandomized) and sends them in-process through the
WSGI application, authenticated with a fresh persona token each time (fresh, because
`DELETE /api/v1/auth/token` revokes the one it is called with). Every answer must be a
documented status with a body matching its schema (errors are ErrorOut), and never a 5xx.

The calls run in the test's own thread, so they share its database connection and see the
persona fixtures; Django's per-request connection housekeeping is paused meanwhile, as the
Django test client does, so that it does not close the connection in the test's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from conftest import Org

MAX_EXAMPLES = 25

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260101,
        "generation": {
            "mode": "all",  # valid and invalid inputs
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
    }
)


@pytest.fixture
def _in_process_requests() -> Iterator[None]:
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Beyond "no 5xx", every default check runs (documented status, content type and body schema,
# 401 without credentials, valid input accepted, invalid input rejected) except where the
# schema cannot say all an operation checks:
LENIENT: dict[str, list[Any]] = {
    # a schema-valid upload need not be an xlsx workbook: 422 import_invalid is right
    "POST /api/v1/imports/org-people": [positive_data_acceptance],
    "POST /api/v1/plans/{plan_id}/import": [positive_data_acceptance],
    # a schema-valid block list need not be a valid body (a photo block needs 1–12 photos of
    # this item, each with a caption…): 422 blocks_invalid names every bad block
    "POST /api/v1/news": [positive_data_acceptance],
    "PATCH /api/v1/news/{news_id}": [positive_data_acceptance],
    # a schema-valid upload need not be a PDF (its content is read): 422 names the problem
    "POST /api/v1/meetings/{meeting_id}/agenda/{agenda_item_id}/material": [
        positive_data_acceptance
    ],
    # a schema-valid change may be one the meeting's state or the calendar refuses (a date in
    # the past, a date once in session): 422 names the field
    "PATCH /api/v1/meetings/{meeting_id}": [positive_data_acceptance],
}

# Each operation is called as a persona allowed to use it (the others answer 404 early).
PERSONA_FOR = {"/api/v1/imports/org-people": "admin", "/api/v1/audit": "auditor"}

# Loaded at collection time through the application itself (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@schema.parametrize()
@settings(
    # the fixtures are built once per operation; the generated calls only add rows to them
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_api_never_answers_5xx(
    case: Any, org: Org, token_for: Any, _in_process_requests: None
) -> None:
    persona = PERSONA_FOR.get(case.path, "leader")
    header = token_for(persona)["HTTP_AUTHORIZATION"]
    case.call_and_validate(
        headers={"Authorization": header},
        excluded_checks=LENIENT.get(f"{case.method.upper()} {case.path}", []),
    )
