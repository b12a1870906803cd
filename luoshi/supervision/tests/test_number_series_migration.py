"""The migration that moves supervision's counters into core's numbered series (supervision
0002): every counter becomes a series with the same last number, and going back restores them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("supervision", "0001_initial"), ("core", "0007_numberseries")]
AFTER = [("supervision", "0002_number_series_in_core")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _series(apps: Any) -> set[tuple[int, int, str, int]]:
    rows = apps.get_model("core", "NumberSeries").objects.values_list(
        "agency_id", "year", "kind", "last"
    )
    return set(rows)


def test_counters_become_series_and_come_back() -> None:
    apps = _migrate(BEFORE)
    try:
        OrgUnit = apps.get_model("orgs", "OrgUnit")
        NumberCounter = apps.get_model("supervision", "NumberCounter")
        a = OrgUnit.objects.create(name="甲", code="A", kind="agency", level="provincial")
        b = OrgUnit.objects.create(name="乙", code="B", kind="agency", level="provincial")
        NumberCounter.objects.create(agency=a, kind="item", year=2025, last=12)
        NumberCounter.objects.create(agency=a, kind="urging", year=2025, last=3)
        NumberCounter.objects.create(agency=b, kind="item", year=2026, last=1)
        apps.get_model("core", "NumberSeries").objects.create(
            agency_id=a.pk, year=2025, kind="other.kind", last=9
        )

        apps = _migrate(AFTER)
        assert _series(apps) == {
            (a.pk, 2025, "supervision.item", 12),
            (a.pk, 2025, "supervision.urging", 3),
            (b.pk, 2026, "supervision.item", 1),
            (a.pk, 2025, "other.kind", 9),
        }

        apps = _migrate(BEFORE)
        counters = apps.get_model("supervision", "NumberCounter").objects.values_list(
            "agency_id", "kind", "year", "last"
        )
        assert set(counters) == {
            (a.pk, "item", 2025, 12),
            (a.pk, "urging", 2025, 3),
            (b.pk, "item", 2026, 1),
        }
        assert _series(apps) == {(a.pk, 2025, "other.kind", 9)}  # another app's series stays
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
