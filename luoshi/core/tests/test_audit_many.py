"""Many audit entries appended in one pass (audit.record_many): the chain's head read once,
each hash computed in sequence, the entries inserted in batches; the chain verifies and goes on
with single entries after it, and an empty batch appends nothing."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core import audit
from luoshi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_record_many_continues_the_chain_in_one_pass(org: Any) -> None:
    head = AuditEntry.objects.order_by("-id").first()
    assert head is not None  # the org fixture's own writes
    before = AuditEntry.objects.count()
    unit = org.econ
    entries = (
        audit.Entry("test.bulk", obj=unit, after={"n": i, "名称": "经济科技部"})
        for i in range(2500)
    )
    with CaptureQueriesContext(connection) as queries:
        assert audit.record_many(entries, actor=org.users["admin"], batch=1000) == 2500
    reads = [q for q in queries if q["sql"].startswith("SELECT") and "core_auditentry" in q["sql"]]
    inserts = [q for q in queries if q["sql"].startswith("INSERT")]
    assert len(reads) == 1  # the chain's head, once
    if connection.vendor == "postgresql":
        # one COPY stream a batch, which the captured statements do not show: no INSERT at all
        assert inserts == [] and len(queries) <= 10
    else:
        # in batches (SQLite's limit on parameters splits a batch further)
        assert 3 <= len(inserts) <= 2500 // 50
    new = list(AuditEntry.objects.filter(id__gt=head.pk).order_by("id"))
    assert len(new) == 2500 and AuditEntry.objects.count() == before + 2500
    assert new[0].prev_hash == head.hash
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(new))
    assert [e.pk for e in new] == list(range(head.pk + 1, head.pk + 2501))  # gap-free ids
    assert new[-1].after == {"n": 2499, "名称": "经济科技部"}
    assert new[0].object_type == "orgs.orgunit" and new[0].object_id == str(unit.pk)
    assert new[0].actor_id == org.users["admin"].pk
    # a single entry after them links to the last one, and the whole chain verifies
    single = audit.record("test.single", actor=None, object_type="x")
    assert single.prev_hash == new[-1].hash and single.pk == new[-1].pk + 1
    report = audit.verify_chain(batch_size=700)
    assert report.ok and report.checked == before + 2501


def test_record_many_of_nothing_appends_nothing(org: Any) -> None:
    before = AuditEntry.objects.count()
    assert audit.record_many([]) == 0
    assert AuditEntry.objects.count() == before
