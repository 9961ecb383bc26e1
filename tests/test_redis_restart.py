"""Redis restarted with tasks queued (a crash, an upgrade, a failover without persistence) loses them, and an upload
made while Redis is down never reaches it: the database is the source of truth, so nothing is lost for good. The
uploads were accepted; the sweep (``sweep_stuck_revisions``, run by beat every METASCENE_SWEEP_SECONDS) finds the
revisions queued long ago and never claimed, queues them again, and each becomes ready exactly once.

A private ``redis-server`` on a free port plays the broker, so that restarting it disturbs nobody else's Redis. The
test process sends its tasks there and a real worker consumes them. METASCENE_REQUEUE_AFTER_SECONDS is one second
here (fifteen minutes by default).
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import SettingsWrapper

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from competitions.tasks import sweep_stuck_revisions
from tests.factories import EntryFactory, captain_of
from tests.worker_process import PROCESSING_TIMEOUT, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.worker

Status = EntryRevision.Status
QUEUED_BEFORE_THE_RESTART = 3


@dataclass
class PrivateRedis:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it without persistence (``--save ""``, no AOF): a restart forgets everything it held."""
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        assert wait_for(answers, 10), self.log.read_text()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def queued(self, queue: str) -> int:
        prefix = broker_options()["global_keyprefix"]
        length = redis.Redis.from_url(self.url).llen(f"{prefix}{queue}")
        assert isinstance(length, int)  # a synchronous client answers at once, never with an awaitable
        return length


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def broker_options() -> dict[str, object]:
    """The transport options a worker started with REDIS_URL computes (settings.test): same keys, same prefix."""
    return {
        "visibility_timeout": django_settings.BROKER_VISIBILITY_TIMEOUT,
        "global_keyprefix": f"metascene-test-{django_settings.TEST_RUN_ID}:",
    }


def send_tasks_to(url: str | None, options: dict[str, object]) -> None:
    """Make this process's Celery app publish to ``url``: new settings, and new pools of connections and producers
    (the old ones are left to close with their broker: closing them would close kombu's shared pools too)."""
    from metascene.celery import app

    # The app reads the Django settings under the CELERY_ namespace: its keys carry the prefix.
    app.conf["CELERY_BROKER_URL"] = url
    app.conf["CELERY_BROKER_TRANSPORT_OPTIONS"] = options
    app._pool = None  # type: ignore[attr-defined]  # the app's private pool, which celery-types does not declare
    app.amqp._producer_pool = None  # type: ignore[attr-defined]  # likewise


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: the test restarts a Redis of its own and needs the binary.")
    from metascene.celery import app

    before = app.conf.broker_url, app.conf.broker_transport_options
    server = PrivateRedis(free_port(), tmp_path / "redis.log")
    server.start()
    send_tasks_to(server.url, broker_options())
    try:
        yield server
    finally:
        send_tasks_to(*before)
        server.stop()


def upload() -> EntryRevision:
    entry = EntryFactory()
    upload = SimpleUploadedFile("scene.glb", box_glb())
    return entries.revision_receive(entry=entry, user=captain_of(entry.team), upload=upload)


def test_revisions_whose_tasks_a_redis_restart_lost_are_queued_again_by_the_sweep_and_become_ready_once(
    private_redis: PrivateRedis,
    transactional_db: None,
    settings: SettingsWrapper,
    worker_media_root: Path,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    settings.MEDIA_ROOT = str(worker_media_root)
    settings.METASCENE_REQUEUE_AFTER_SECONDS = 1

    # Given uploads accepted while no worker runs: their tasks wait in Redis
    revisions = [upload() for _ in range(QUEUED_BEFORE_THE_RESTART)]
    assert private_redis.queued("validation") == QUEUED_BEFORE_THE_RESTART

    # When Redis restarts without persistence, and one more upload arrives while it is down
    private_redis.stop()
    revisions.append(upload())
    private_redis.start()
    assert private_redis.queued("validation") == 0

    # Then every upload was accepted, and nothing is processed while the tasks are lost
    assert all(EntryRevision.objects.get(pk=r.pk).status == Status.RECEIVED for r in revisions)
    log = tmp_path / "worker.log"
    worker = start_worker(worker_media_root, log, extra_env={"REDIS_URL": private_redis.url}, name="redis-restart")
    try:
        # When the sweep runs once the revisions have waited past METASCENE_REQUEUE_AFTER_SECONDS
        time.sleep(settings.METASCENE_REQUEUE_AFTER_SECONDS + 0.5)
        swept_at = time.monotonic()
        queued = sweep_stuck_revisions()
        assert sorted(queued["validation"]) == sorted(r.pk for r in revisions)

        # Then each revision becomes ready, exactly once
        def all_final() -> bool:
            return all(EntryRevision.objects.get(pk=r.pk).is_final for r in revisions)

        assert wait_for(all_final, PROCESSING_TIMEOUT * 2), worker.log_tail()
        record_property("recovery_seconds", time.monotonic() - swept_at)  # for bench/faults.py
        for revision in revisions:
            revision.refresh_from_db()
            assert revision.status == Status.READY, worker.log_tail()

        # The worker logs "succeeded" only after the task has returned, a moment after the row turned ready
        def ready_lines() -> list[str]:
            return [line for line in log.read_text().splitlines() if "succeeded" in line and "'ready'" in line]

        wait_for(lambda: len(ready_lines()) >= len(revisions), PROCESSING_TIMEOUT)
        assert len(ready_lines()) == len(revisions), worker.log_tail()
        # And the sweep, run again, finds nothing left to queue
        time.sleep(settings.METASCENE_REQUEUE_AFTER_SECONDS + 0.5)
        assert sweep_stuck_revisions() == {"validation": [], "rendering": []}
    finally:
        stop_worker(worker)
