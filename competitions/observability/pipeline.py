"""What Prometheus reads about the pipeline when it scrapes the web's ``/metrics``: three cheap queries and one
broker round trip, so the figures are those of the whole site whichever web process answers.

- ``metascene_queue_depth{queue}``: tasks waiting on each processing queue. Redis broker: ``LLEN`` of the queue's
  list (tasks a worker has taken but not finished are not counted; nor are tasks sent with a priority, which
  Metascene never does). Filesystem broker (the embedded default): the
  queue's message files in its folder. Another broker, or one that does not answer: no sample, and
  ``metascene_broker_up`` says 0 for a broker that did not answer.
- ``metascene_revisions{status}``: revisions by status (one ``GROUP BY``).
- ``metascene_worker_heartbeat_age_seconds{worker,queues}``: seconds since each worker's last heartbeat, and
  ``metascene_workers_alive{queue}``: the workers heard from within METASCENE_WORKER_DEAD_AFTER_SECONDS.
"""

import logging
from collections.abc import Iterable
from pathlib import Path

import redis
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from prometheus_client import Metric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from competitions.models import EntryRevision, WorkerHeartbeat
from competitions.selectors.workers import QUEUES

logger = logging.getLogger(__name__)

# A scrape must not wait long on a broker that is down.
BROKER_TIMEOUT_SECONDS = 1.0


def queue_depths() -> dict[str, int] | None:
    """Tasks waiting per processing queue; None when the broker is of another kind (amqp) or did not answer."""
    url: str = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = redis.Redis.from_url(
            url, socket_timeout=BROKER_TIMEOUT_SECONDS, socket_connect_timeout=BROKER_TIMEOUT_SECONDS
        )
        # Celery's Redis transport keeps each queue in a list of its name, after the options' key prefix.
        prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
        try:
            return {queue: int(client.llen(f"{prefix}{queue}")) for queue in QUEUES}  # type: ignore[arg-type]
        except redis.RedisError:
            logger.warning("The broker did not answer for the queue depth metrics")
            return None
        finally:
            client.close()
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        try:
            names = [entry.name for entry in folder.iterdir()]
        except OSError:
            logger.warning("The broker folder %s could not be read for the queue depth metrics", folder)
            return None
        # kombu names each message "<time>_<uuid>.<queue>.msg".
        return {queue: sum(name.endswith(f".{queue}.msg") for name in names) for queue in QUEUES}
    return None


def broker_is_supported() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://", "filesystem://"))


class PipelineCollector(Collector):
    """Read at each scrape; see the module's docstring."""

    def collect(self) -> Iterable[Metric]:
        yield from self._queues()
        yield from self._revisions()
        yield from self._workers()

    def _queues(self) -> Iterable[Metric]:
        if not broker_is_supported():
            return
        depths = queue_depths()
        up = GaugeMetricFamily("metascene_broker_up", "Whether the broker answered the queue depth read.")
        up.add_metric([], 0 if depths is None else 1)
        yield up
        if depths is None:
            return
        depth = GaugeMetricFamily(
            "metascene_queue_depth", "Tasks waiting on the processing queue, read at scrape time.", labels=["queue"]
        )
        for queue, count in depths.items():
            depth.add_metric([queue], count)
        yield depth

    def _revisions(self) -> Iterable[Metric]:
        counts = dict(
            EntryRevision.objects.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        family = GaugeMetricFamily("metascene_revisions", "Revisions by processing status.", labels=["status"])
        for status in EntryRevision.Status.values:
            family.add_metric([status], counts.get(status, 0))
        yield family

    def _workers(self) -> Iterable[Metric]:
        now = timezone.now()
        dead_after = settings.METASCENE_WORKER_DEAD_AFTER_SECONDS
        age = GaugeMetricFamily(
            "metascene_worker_heartbeat_age_seconds",
            "Seconds since the worker's last heartbeat.",
            labels=["worker", "queues"],
        )
        alive = dict.fromkeys(QUEUES, 0)
        for heartbeat in WorkerHeartbeat.objects.order_by("name"):
            seconds = max((now - heartbeat.seen_at).total_seconds(), 0.0)
            age.add_metric([heartbeat.name, heartbeat.queues], seconds)
            for queue in heartbeat.queue_names:
                if queue in alive and seconds <= dead_after:
                    alive[queue] += 1
        yield age
        workers = GaugeMetricFamily(
            "metascene_workers_alive",
            "Workers consuming the queue heard from within METASCENE_WORKER_DEAD_AFTER_SECONDS.",
            labels=["queue"],
        )
        for queue, count in alive.items():
            workers.add_metric([queue], count)
        yield workers


def workers_health() -> dict[str, int | float | None]:
    """For ``/healthz``: live workers per processing queue and the age in seconds of the newest heartbeat (None:
    no worker ever beat). One query over the heartbeats (one row per worker)."""
    now = timezone.now()
    dead_after = settings.METASCENE_WORKER_DEAD_AFTER_SECONDS
    summary: dict[str, int | float | None] = dict.fromkeys(QUEUES, 0)
    newest: float | None = None
    for queues, seen_at in WorkerHeartbeat.objects.order_by().values_list("queues", "seen_at"):
        age = max((now - seen_at).total_seconds(), 0.0)
        newest = age if newest is None else min(newest, age)
        for queue in queues.split(","):
            if queue in QUEUES and age <= dead_after:
                summary[queue] = int(summary[queue] or 0) + 1
    summary["newest_heartbeat_age_s"] = None if newest is None else round(newest, 1)
    return summary
