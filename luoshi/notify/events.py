"""Event families other apps may register, so people can turn e-mail off per family.

A family is the part of an event code before the first dot ("supervision" for
"supervision.assigned"). Apps call `register_family("supervision", _("Supervision"))` from their
AppConfig.ready(); families that appear in a person's inbox are offered too, by their code.
"""

from __future__ import annotations

from typing import Any

_FAMILIES: dict[str, Any] = {}
_EVENTS: dict[str, Any] = {}


def register_family(code: str, label: Any) -> None:
    _FAMILIES[code] = label


def family_label(code: str) -> str:
    label = _FAMILIES.get(code)
    return str(label) if label is not None else code


def registered() -> list[str]:
    return list(_FAMILIES)


def register_events(labels: dict[str, Any]) -> None:
    """Names of single events ("supervision.assigned" → 督办交办), for the delivery log."""
    _EVENTS.update(labels)


def event_label(code: str) -> str:
    """The event's name; an unnamed event of a known family shows the family; else the code."""
    label = _EVENTS.get(code)
    if label is not None:
        return str(label)
    family = code.split(".", 1)[0]
    if family in _FAMILIES:
        return str(_FAMILIES[family])
    return code
