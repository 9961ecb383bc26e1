"""Worker heartbeats and the watchdog: whether anyone is processing uploads, and telling the organisers when not.

Each Celery worker writes a ``WorkerHeartbeat`` every METASCENE_HEARTBEAT_SECONDS from a thread of its main
process (``heartbeat_start``, wired to Celery's signals in ``metascene.celery``). The watchdog process
(``manage.py watch_workers``) calls ``workers_watch`` every METASCENE_WATCHDOG_SECONDS: when files wait on a queue
that no live worker consumes, it opens a ``WorkerOutage`` and emails the organisers once, in English and Chinese;
when a worker for the queue is back, it closes the outage. Pages read the same state through
``selectors.workers`` and tell entrants that checking is delayed and their upload is safe.
"""

import logging
import os
import threading
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competitions.models import WorkerHeartbeat, WorkerOutage
from competitions.selectors import organiser_emails
from competitions.selectors import workers as selectors

logger = logging.getLogger(__name__)


def worker_beat(*, name: str, queues: list[str], pid: int, started_at: datetime) -> None:
    """Record that the worker ``name`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"queues": ",".join(queues), "pid": pid, "started_at": started_at, "seen_at": timezone.now()},
    )


def worker_gone(*, name: str) -> None:
    """A worker that stops cleanly removes its heartbeat at once, rather than being missed for a while."""
    WorkerHeartbeat.objects.filter(name=name).delete()


class Heartbeat:
    """The thread that beats for one worker process until ``stop``."""

    def __init__(self, name: str, queues: list[str]) -> None:
        self.name, self.queues = name, queues
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metascene-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            worker_gone(name=self.name)
        except DatabaseError:
            logger.warning("Could not remove the heartbeat of %s", self.name)
        finally:
            connections.close_all()

    def _run(self) -> None:
        while True:
            try:
                worker_beat(name=self.name, queues=self.queues, pid=os.getpid(), started_at=self.started_at)
            except DatabaseError:
                logger.warning("Could not write the heartbeat of %s; trying again", self.name)
            finally:
                # One short connection per beat: a pool process forked meanwhile never inherits it open.
                connections.close_all()
            if self._stop.wait(settings.METASCENE_HEARTBEAT_SECONDS):
                return


def heartbeat_start(*, name: str, queues: list[str]) -> Heartbeat:
    heartbeat = Heartbeat(name, queues)
    heartbeat.start()
    return heartbeat


def workers_watch(*, now: datetime | None = None) -> dict[str, list[str]]:
    """Open an outage (and email the organisers, once) for each queue with files waiting and no live worker;
    close the open outage of each queue that has a live worker again. Returns {"opened": [...], "closed": [...]}.

    Safe to run from several watchdogs at once: the database allows one open outage per queue, so only one of them
    opens it and sends the email.
    """
    now = now or timezone.now()
    opened, closed = [], []
    for health in selectors.processing_health(now=now):
        queue = health.queue
        if health.down:
            if health.outage is not None:
                continue
            try:
                with transaction.atomic():
                    outage = WorkerOutage.objects.create(queue=queue, started_at=now, waiting=health.waiting)
                    transaction.on_commit(partial(_tell_organisers, outage))
            except IntegrityError:  # another watchdog opened it first
                continue
            opened.append(queue)
        elif health.workers and health.outage is not None:
            WorkerOutage.objects.filter(pk=health.outage.pk).update(ended_at=now)
            closed.append(queue)
    if opened:
        logger.error("No live worker for %s while files wait; the organisers were told", ", ".join(opened))
    return {"opened": opened, "closed": closed}


def _tell_organisers(outage: WorkerOutage) -> None:
    """Email the staff, in English and Chinese, that files are waiting with no worker to check them."""
    recipients = organiser_emails()
    if not recipients:
        return
    parts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            subject = _("Uploads are waiting: no worker is checking files")
            body = _(
                "Since %(since)s no worker has been consuming the “%(queue)s” queue, and %(count)d file(s) are "
                "waiting there. Uploads are still accepted and stored safely; they will be checked as soon as a "
                "worker is back. Start the workers (see README: Run it) or check their machines.\n\n"
                "Organiser console: %(url)s"
            ) % {
                "since": timezone.localtime(outage.started_at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                "queue": outage.queue,
                "count": outage.waiting,
                "url": f"{settings.SITE_URL}/organise/",
            }
            parts.append((subject, body))
    subject = f"{parts[0][0]} / {parts[1][0]}"
    body = f"{parts[0][1]}\n\n---\n\n{parts[1][1]}"
    send_mail(subject, body, None, recipients, fail_silently=True)
