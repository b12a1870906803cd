"""Data scopes: what part of the organization a user's records may come from.

A Scope is a value computed once per request from the user's roles (see orgs.permissions). It
knows nothing of concrete models: it turns into a Q object on whatever field path leads to an
org unit (and, for "own records", to a person), so every app can scope its querysets the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Q, QuerySet

QS = TypeVar("QS", bound=QuerySet)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    subtree_paths: frozenset[str] = field(default_factory=frozenset)  # materialised paths
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    person_ids: frozenset[int] = field(default_factory=frozenset)  # "own records"

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.subtree_paths or self.unit_ids or self.person_ids)

    def q(self, unit: str | None = "unit", person: str | None = None) -> Q | None:
        """A filter for rows whose org unit (field path `unit`) or person (`person`) is in scope.

        Returns None for "everything" (no filter) and an always-false Q for an empty scope.
        """
        if self.everything:
            return None
        condition = Q(pk__in=[])
        if unit is not None:
            for path in sorted(self.subtree_paths):
                condition |= Q(**{f"{unit}__path__startswith": path})
            if self.unit_ids:
                condition |= Q(**{f"{unit}__in": sorted(self.unit_ids)})
        if person is not None and self.person_ids:
            condition |= Q(**{f"{person}__in": sorted(self.person_ids)})
        return condition

    def filter(self, qs: QS, unit: str | None = "unit", person: str | None = None) -> QS:
        condition = self.q(unit=unit, person=person)
        if condition is None:
            return qs
        return qs.filter(condition)

    def covers_unit(self, unit_id: int, unit_path: str) -> bool:
        if self.everything or unit_id in self.unit_ids:
            return True
        return any(unit_path.startswith(p) for p in self.subtree_paths)

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            everything=self.everything or other.everything,
            subtree_paths=self.subtree_paths | other.subtree_paths,
            unit_ids=self.unit_ids | other.unit_ids,
            person_ids=self.person_ids | other.person_ids,
        )


EMPTY = Scope()
