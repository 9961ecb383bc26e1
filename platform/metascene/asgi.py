"""ASGI entry point: ``uvicorn --app-dir platform metascene.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.production")

application = get_asgi_application()
