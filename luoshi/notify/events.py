"""Event families other apps may register, so people can turn e-mail off per family.

A family is the part of an event code before the first dot ("supervision" for
"supervision.assigned"). Apps call `register_family("supervision", _("Supervision"))` from their
AppConfig.ready(); families that appear in a person's inbox are offered too, by their code.
"""

from __future__ import annotations

from typing import Any

_FAMILIES: dict[str, Any] = {}


def register_family(code: str, label: Any) -> None:
    _FAMILIES[code] = label


def family_label(code: str) -> str:
    label = _FAMILIES.get(code)
    return str(label) if label is not None else code


def registered() -> list[str]:
    return list(_FAMILIES)
