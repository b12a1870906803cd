"""Certificates issued concurrently (two officers printing batches at once) get distinct,
consecutive serials with no gap — each thread on its own database connection, real
transactions (PostgreSQL row locks; SQLite's immediate transactions)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from luoshi.honors import services
from luoshi.honors.models import Certificate, Honour


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_number_gap_free(org: Any) -> None:
    hr = org.users["hr"]
    people = [
        org.people[k]
        for k in ("staff", "econ_colleague", "head", "office_staff", "liaison_staff", "committee")
    ]
    honours = [
        services.external_record(
            actor=hr,
            agency=org.agency,
            unit=p.unit,
            person=p,
            kind="advanced_individual",
            title="全省侨联系统先进个人",
            approving_body="省侨联",
            document_number="d",
            awarded_on=timezone.localdate(),
        )
        for p in people
    ]
    batches = [honours[0::2], honours[1::2]]
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def issue(batch: list[Honour]) -> None:
        try:
            barrier.wait(timeout=10)
            for h in batch:  # one transaction per certificate, interleaving with the other
                services.certificates_issue(actor=hr, honours=[h])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == list(range(1, len(honours) + 1))
    assert Certificate.objects.values("number").distinct().count() == len(honours)
