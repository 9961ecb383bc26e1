"""WSGI entry point: ``gunicorn --pythonpath platform metascene.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.production")

application = get_wsgi_application()
