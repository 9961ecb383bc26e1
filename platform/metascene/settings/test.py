"""Settings for the test suite. The database and broker come from the same variables as everywhere else."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import (
    CELERY_BROKER_TRANSPORT_OPTIONS,
    DATABASES,
    DEFAULT_FILE_STORAGE_SETTINGS,
    REDIS_URL,
    VAR_DIR,
    env,
    filesystem_broker_options,
)

SECRET_KEY = "test-only-metascene-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
VAR_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "test-media"))
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_SETTINGS,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Workers' scratch: the run's own, so that tests can check that a stage leaves nothing behind.
METASCENE_WORK_DIR = env.str("METASCENE_WORK_DIR", default="")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Each test run has its own SQLite file and broker, so two runs at once (two terminals, CI beside a developer)
# never share them, and a worker started by `make run` never takes a test's task. tests/test_worker.py passes the
# run id on to the worker it starts, which then opens the same file and broker.
_borrowed_run_id = env.str("METASCENE_TEST_RUN_ID", default="")
TEST_RUN_ID = _borrowed_run_id or str(os.getpid())
TEST_RUN_DIR = Path(tempfile.gettempdir()) / f"metascene-test-{TEST_RUN_ID}"
TEST_RUN_DIR.mkdir(parents=True, exist_ok=True)
if not _borrowed_run_id:
    # This process owns the run's folder (a worker given the id only borrows it), so it removes it when done.
    atexit.register(shutil.rmtree, TEST_RUN_DIR, ignore_errors=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real Celery worker process sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "test.sqlite3")}
CELERY_BROKER_DIR = TEST_RUN_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"metascene-test-{TEST_RUN_ID}:",
    }
else:
    # The options are built from the folder, so they are built again here; changing the folder alone does nothing.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_DIR)

# Tests never collect static files; WhiteNoise would warn on every request that the folder is missing.
STATIC_ROOT = str(TEST_RUN_DIR / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
if not METASCENE_WORK_DIR:
    METASCENE_WORK_DIR = str(TEST_RUN_DIR / "work")
