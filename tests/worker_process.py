"""A real Celery worker process for the tests that need one (tests/test_worker.py, the browser journey).

The worker is a separate process on this run's test database (a file for SQLite, ``test_<name>`` for PostgreSQL)
and test broker (a folder by default, Redis when ``REDIS_URL`` is set), so tests that use it commit their
transactions (``transactional_db``) and see what a deployment sees. Fixtures are registered in conftest.py.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from kombu.transport import virtual
from pytest_django.fixtures import SettingsWrapper

from competitions.models import EntryRevision, WorkerHeartbeat

REPO = Path(__file__).resolve().parents[1]
WORKER_START_TIMEOUT = 60
PROCESSING_TIMEOUT = 60
QUEUES = ("validation", "rendering")


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    name: str = ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def database_url(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` for the database the test process is connected to, for the worker to use."""
    engine, name = settings_dict["ENGINE"], settings_dict["NAME"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        credentials = quote(settings_dict.get("USER") or "", safe="")
        if settings_dict.get("PASSWORD"):
            credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{quote(name, safe='')}"
    raise NotImplementedError(f"No worker test set-up for {engine}")


def purge_test_queues() -> None:
    """Uploads committed by earlier tests that had no worker left messages; this worker starts on empty queues."""
    from metascene.celery import app

    with app.connection_for_write() as broker:
        for queue in QUEUES:
            # The test brokers (Redis, a folder) are kombu's virtual transports, whose channels purge a queue.
            cast(virtual.Channel, broker.default_channel).queue_purge(queue)


def forget_test_broker() -> None:
    """Remove what this run left in a shared Redis (its bindings); a folder broker lives in the run's temp dir."""
    prefix = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix")
    if not django_settings.REDIS_URL or not prefix:
        return
    import redis

    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture(scope="module")
def worker_media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("worker-media")


def start_worker(
    media_root: Path,
    log: Path,
    *,
    extra_env: dict[str, str] | None = None,
    pool: str = "solo",
    name: str = "test",
    queues: tuple[str, ...] = QUEUES,
) -> Worker:
    """``celery worker`` in a subprocess on the test database and broker, consuming ``queues`` (both by default);
    returns once it is ready. It runs in a session of its own, so that a test may kill its whole process group."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "platform"),
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": django_settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(media_root),
        **(extra_env or {}),
    }
    hostname = f"{name}-{os.getpid()}@{socket.gethostname()}"
    command = [
        sys.executable, "-m", "celery", "-A", "metascene", "worker",
        "-Q", ",".join(queues), "-P", pool, "-c", "1", "-l", "info",
        "-n", hostname, "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log, hostname)

    def ready_or_exited() -> bool:
        return process.poll() is not None or " ready." in log.read_text(errors="replace")

    if not wait_for(ready_or_exited, WORKER_START_TIMEOUT) or process.poll() is not None:
        stop_worker(worker)
        pytest.fail(f"The Celery worker did not start:\n{worker.log_tail()}")
    return worker


def start_beat(log: Path, schedule: Path, *, extra_env: dict[str, str] | None = None) -> Worker:
    """``celery beat`` in a subprocess on the test broker, sending the periodic tasks (the sweep) as in production;
    returns once it has started."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "platform"),
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": django_settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "metascene", "beat", "-l", "info", "-s", str(schedule)]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    beat = Worker(process, log)
    if not wait_for(lambda: process.poll() is not None or "beat: Starting" in log.read_text(errors="replace"), 30):
        stop_worker(beat)
        pytest.fail(f"Celery beat did not start:\n{beat.log_tail()}")
    if process.poll() is not None:
        pytest.fail(f"Celery beat stopped:\n{beat.log_tail()}")
    return beat


def stop_worker(worker: Worker) -> None:
    """Ask the worker to finish (warm shutdown), then kill it if it will not."""
    worker.process.terminate()
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None, worker_media_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """The worker the module's tests share, stopped when the module is done."""
    purge_test_queues()
    worker = start_worker(worker_media_root, tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        yield worker
    finally:
        stop_worker(worker)
        forget_test_broker()


@pytest.fixture
def worker(celery_worker: Worker, worker_media_root: Path, transactional_db: None, settings: SettingsWrapper) -> Worker:
    """The running worker, with this test's uploads stored where the worker reads them.

    Its heartbeat row is written again here: the previous test's database flush removed it, and the worker would
    only write it again within METASCENE_HEARTBEAT_SECONDS, so pages would say meanwhile that checking is delayed.
    """
    settings.MEDIA_ROOT = str(worker_media_root)
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=celery_worker.name,
        defaults={"queues": ",".join(QUEUES), "pid": celery_worker.process.pid, "started_at": now, "seen_at": now},
    )
    return celery_worker


def processed(revision: EntryRevision, worker: Worker) -> EntryRevision:
    """The revision once the worker has finished with it; fails with the worker's log if it never does."""
    finished = wait_for(lambda: EntryRevision.objects.get(pk=revision.pk).is_final, PROCESSING_TIMEOUT)
    assert finished, f"Revision still {EntryRevision.objects.get(pk=revision.pk).status}:\n{worker.log_tail()}"
    return EntryRevision.objects.select_related("entry").get(pk=revision.pk)
