"""The OpenAPI operationIds are a published contract: clients generate code from them, so a
restructuring of the code must not change them. operation_ids.json pins every one; a new
endpoint adds its line there."""

from __future__ import annotations

import json
from pathlib import Path

from luoshi.api.api import api

PINNED = Path(__file__).with_name("operation_ids.json")


def _operation_ids() -> dict[str, str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def test_every_operation_id_is_the_published_one() -> None:
    assert _operation_ids() == json.loads(PINNED.read_text())


def test_operation_ids_are_unique() -> None:
    ids = list(_operation_ids().values())
    assert len(ids) == len(set(ids))
