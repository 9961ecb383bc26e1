"""The Celery application. Workers start with ``celery -A metascene worker`` (``platform/`` on the path)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.local")

app = Celery("metascene")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
