from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A Celery worker that says it is alive: it writes ``seen_at`` every few seconds while it runs.

    The database, not the broker, is where the site looks, so the check works the same on every broker. A worker
    that stops cleanly removes its row; one that was killed simply stops beating.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    # The queues it consumes, comma-separated ("validation,rendering").
    queues = models.CharField(_("queues"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.name

    @property
    def queue_names(self) -> list[str]:
        return [queue for queue in self.queues.split(",") if queue]


class WorkerOutage(models.Model):
    """A time when files were waiting on a queue that no live worker consumed. Opened once, so the organisers
    are told once; closed when a worker for the queue is back."""

    queue = models.CharField(_("queue"), max_length=32)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    waiting = models.PositiveIntegerField(_("files waiting when it started"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("worker outage")
        verbose_name_plural = _("worker outages")
        constraints = [
            models.UniqueConstraint(
                fields=["queue"], condition=Q(ended_at__isnull=True), name="outage_one_open_per_queue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.queue} since {self.started_at:%Y-%m-%d %H:%M}"
