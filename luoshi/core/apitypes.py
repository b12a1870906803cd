"""Types shared by every app's API router (the NinjaAPI object itself lives in luoshi.api)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

MAX_ID = 2**63 - 1  # ids are 64-bit; anything larger cannot exist


def _plain_text(value: str) -> str:
    """Text the database can store: no NUL characters, valid Unicode."""
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("The text is not valid Unicode") from None
    return value


# The pattern puts "no NUL" into the OpenAPI document too, so that clients (and the schema
# fuzzer) know it; the validator also rejects text that cannot be encoded.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$"), AfterValidator(_plain_text)]


def _iso_day(value: Any) -> Any:
    """A day as JSON carries it: "YYYY-MM-DD" (pydantic alone would take a number as seconds)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and value):
        return value
    raise ValueError("A date is written as YYYY-MM-DD")


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


def _whole_number(value: Any) -> Any:
    """A count as JSON carries it: a number, never true/false (pydantic alone takes them)."""
    if isinstance(value, bool):
        raise ValueError("A whole number is expected, not true or false")
    return value


Count = Annotated[int, BeforeValidator(_whole_number)]


def error_responses(descriptions: dict[int, str]) -> dict[str, Any]:
    """`openapi_extra` that describes specific error answers (with the shared ErrorOut schema)."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    return {
        "responses": {
            status: {"description": text, "content": {"application/json": {"schema": ref}}}
            for status, text in descriptions.items()
        }
    }
