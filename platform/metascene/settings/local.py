"""The embedded default: a developer machine or a small install with nothing configured."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Local only: a key that is not secret, so `make run` works with nothing set. Production requires its own.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-only-metascene-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

VAR_DIR.mkdir(parents=True, exist_ok=True)
