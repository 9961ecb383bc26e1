"""Whether workers are alive, read from their heartbeats (see ``services.workers``)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from competitions.models import EntryRevision, WorkerHeartbeat, WorkerOutage

QUEUES = ("validation", "rendering")


def workers_alive(*, now: datetime | None = None) -> QuerySet[WorkerHeartbeat]:
    """Workers heard from within METASCENE_WORKER_DEAD_AFTER_SECONDS."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(
        seen_at__gte=now - timedelta(seconds=settings.METASCENE_WORKER_DEAD_AFTER_SECONDS)
    )


def queues_without_workers(*, now: datetime | None = None) -> set[str]:
    """The processing queues that no live worker consumes. One query."""
    served = {queue for worker in workers_alive(now=now) for queue in worker.queue_names}
    return set(QUEUES) - served


def queue_of(revision: EntryRevision) -> str | None:
    """The queue whose worker would move the revision on; None when it is finished."""
    return _queue_of_status(revision.status)


def outages_open() -> QuerySet[WorkerOutage]:
    return WorkerOutage.objects.filter(ended_at__isnull=True).order_by("started_at")


@dataclass(frozen=True)
class QueueHealth:
    queue: str
    workers: list[str]
    waiting: int
    outage: WorkerOutage | None

    @property
    def down(self) -> bool:
        """Files wait on the queue and no live worker consumes it."""
        return not self.workers and self.waiting > 0


def processing_health(*, now: datetime | None = None) -> list[QueueHealth]:
    """Per processing queue: the live workers consuming it, the files waiting on it, and its open outage. Four
    queries, for the organiser console."""
    alive = list(workers_alive(now=now))
    waiting = dict(
        EntryRevision.objects.exclude(status__in=EntryRevision.FINAL_STATUSES)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    outages = {outage.queue: outage for outage in outages_open()}
    return [
        QueueHealth(
            queue=queue,
            workers=[worker.name for worker in alive if queue in worker.queue_names],
            waiting=sum(count for status, count in waiting.items() if _queue_of_status(status) == queue),
            outage=outages.get(queue),
        )
        for queue in QUEUES
    ]


def _queue_of_status(status: str) -> str | None:
    if status in (EntryRevision.Status.RECEIVED, EntryRevision.Status.VALIDATING):
        return "validation"
    if status == EntryRevision.Status.RENDERING:
        return "rendering"
    return None
