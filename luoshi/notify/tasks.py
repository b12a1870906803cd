"""Background jobs of the notify app (django-tasks; queued after commit)."""

from __future__ import annotations

from django_tasks import task

from .delivery import deliver_many


@task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries (the ones already sent or claimed elsewhere are skipped)."""
    return deliver_many(delivery_ids)
