"""A real Celery worker process takes uploaded revisions from the configured broker and processes them.

The worker is a separate process on this run's test database (a file for SQLite, ``test_<name>`` for PostgreSQL)
and test broker (a folder by default, Redis when ``REDIS_URL`` is set), so these tests commit their transactions
(``transactional_db``) and see what a deployment sees.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from pytest_django.fixtures import SettingsWrapper

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from competitions.tasks import process_revision
from tests.factories import EntryFactory, captain_of

pytestmark = pytest.mark.worker

REPO = Path(__file__).resolve().parents[1]
WORKER_START_TIMEOUT = 60
PROCESSING_TIMEOUT = 60
QUEUES = ("validation", "rendering")


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

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
            broker.default_channel.queue_purge(queue)


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


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None, worker_media_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """``celery worker`` in a subprocess, on the test database and broker; stopped when the module is done."""
    purge_test_queues()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "platform"),
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": django_settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(worker_media_root),
    }
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "metascene", "worker",
        "-Q", ",".join(QUEUES), "-P", "solo", "-c", "1", "-l", "info",
        "-n", f"test-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    worker = Worker(process, log)

    def ready_or_exited() -> bool:
        return process.poll() is not None or " ready." in log.read_text(errors="replace")

    try:
        if not wait_for(ready_or_exited, WORKER_START_TIMEOUT) or process.poll() is not None:
            pytest.fail(f"The Celery worker did not start:\n{worker.log_tail()}")
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        forget_test_broker()


@pytest.fixture
def worker(celery_worker: Worker, worker_media_root: Path, transactional_db: None, settings: SettingsWrapper) -> Worker:
    """The running worker, with this test's uploads stored where the worker reads them."""
    settings.MEDIA_ROOT = str(worker_media_root)
    return celery_worker


def upload(content: bytes, name: str = "scene.glb") -> EntryRevision:
    entry = EntryFactory()
    return entries.revision_receive(entry=entry, user=captain_of(entry.team), upload=SimpleUploadedFile(name, content))


def processed(revision: EntryRevision, worker: Worker) -> EntryRevision:
    """The revision once the worker has finished with it; fails with the worker's log if it never does."""
    finished = wait_for(lambda: EntryRevision.objects.get(pk=revision.pk).is_final, PROCESSING_TIMEOUT)
    assert finished, f"Revision still {EntryRevision.objects.get(pk=revision.pk).status}:\n{worker.log_tail()}"
    return EntryRevision.objects.select_related("entry").get(pk=revision.pk)


def test_worker_makes_an_uploaded_cube_ready_with_twelve_triangles(worker: Worker) -> None:
    revision = upload(box_glb())

    result = processed(revision, worker)

    assert result.status == EntryRevision.Status.READY
    assert result.stats["triangles"] == 12
    assert result.entry.current_revision_id == revision.pk


def test_worker_rejects_a_truncated_glb_for_its_length(worker: Worker) -> None:
    content = box_glb()

    revision = upload(content[:-100])

    result = processed(revision, worker)
    assert result.status == EntryRevision.Status.REJECTED
    assert [message["code"] for message in result.report["messages"]] == ["GLB_LENGTH_MISMATCH"]
    assert result.entry.current_revision_id is None


def test_running_the_task_again_on_a_finished_revision_changes_nothing(worker: Worker) -> None:
    finished = processed(upload(box_glb()), worker)

    outcome = process_revision(finished.pk)

    again = EntryRevision.objects.get(pk=finished.pk)
    assert outcome is None
    assert (again.status, again.attempts, again.processed_at, again.status_changed_at, again.stats) == (
        finished.status,
        1,
        finished.processed_at,
        finished.status_changed_at,
        finished.stats,
    )
