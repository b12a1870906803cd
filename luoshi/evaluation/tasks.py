"""Background jobs of the evaluation app (django-tasks; enqueued after the close commits)."""

from __future__ import annotations

from django_tasks import task

from . import sealing


@task()
def seal_ballots(campaign_id: int) -> bool:
    """Rewrite a closed campaign's ballots anonymously; nothing if already sealed."""
    return sealing.campaign_seal(campaign_id=campaign_id)
