"""The Celery application. ``platform/`` must be on the path:

    celery -A metascene worker -Q validation,rendering   # or one queue per machine: -Q validation / -Q rendering
    celery -A metascene beat                             # the periodic sweep of stuck revisions, upload expiry

Everything is configured by the ``CELERY_*`` settings (queues, routes, time limits, the beat schedule).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.local")

app = Celery("metascene")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
