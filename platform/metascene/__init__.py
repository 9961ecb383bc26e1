"""The Metascene Django project (settings, URLs, Celery app, WSGI/ASGI). It lives in ``platform/metascene``."""

from .celery import app as celery_app

__all__ = ["celery_app"]
