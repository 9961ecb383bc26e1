"""The Celery application. ``platform/`` must be on the path:

    celery -A metascene worker -Q validation,rendering   # or one queue per machine: -Q validation / -Q rendering
    celery -A metascene beat                             # the periodic sweep of stuck revisions, upload expiry

Everything is configured by the ``CELERY_*`` settings (queues, routes, time limits, the beat schedule).
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.local")

app = Celery("metascene")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Each worker's main process writes a heartbeat while it runs, so the site can tell whether anyone is checking
# uploads (competitions.services.workers). Imported on use: this module loads before Django is set up.
_heartbeat = None


@signals.worker_ready.connect
def _start_heartbeat(sender: object, **kwargs: object) -> None:
    from competitions.services import workers

    global _heartbeat
    queues = sorted(app.amqp.queues.consume_from or {})
    _heartbeat = workers.heartbeat_start(name=getattr(sender, "hostname", "") or "worker", queues=queues)


# Each worker's main process serves the metrics its pool counts (stage durations, rejections, failures) when
# METASCENE_WORKER_METRICS_PORT is set (competitions.observability.metrics).
@signals.worker_ready.connect
def _serve_metrics(sender: object, **kwargs: object) -> None:
    from django.conf import settings

    from competitions.observability import metrics

    if settings.METASCENE_WORKER_METRICS_PORT:
        metrics.worker_metrics_serve(settings.METASCENE_WORKER_METRICS_PORT)


@signals.worker_shutdown.connect
def _stop_heartbeat(sender: object, **kwargs: object) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()


# Each process that runs tasks starts its stages' sandbox children at once: the first upload after a start does not
# wait for Python to import trimesh, numpy and moderngl.
@signals.worker_process_init.connect
def _prestart_stage_processes(**kwargs: object) -> None:
    from competitions.services import processing

    processing.stage_processes_prestart(queues=sorted(app.amqp.queues.consume_from or {}))
