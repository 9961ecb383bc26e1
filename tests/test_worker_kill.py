"""A worker killed with SIGKILL in the middle of rendering loses nothing: the revision uploaded through the HTTP API
still reaches ``ready``, exactly once, on another worker.

Two ways back, each tested: the sweep, sent by a real ``celery beat`` with the production defaults, queues again a
revision whose claim lease ran out when its worker stopped renewing it (any broker: within 60 s of the kill), and
the broker hands the unacknowledged task to a new worker once its visibility timeout has passed (Redis; kombu's
filesystem broker drops a task as it delivers it, so it has nothing to hand back).

The scene has 500,000 triangles, so rendering takes long enough to be caught in the middle.
"""

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from django.conf import settings as django_settings
from pytest_django.fixtures import SettingsWrapper
from rest_framework.authtoken.models import Token

from competitions.models import Entry, EntryRevision
from competitions.pipeline.samples import grid_scene_glb
from tests.factories import EntryFactory, captain_of
from tests.worker_process import (
    PROCESSING_TIMEOUT,
    Worker,
    forget_test_broker,
    purge_test_queues,
    start_beat,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = pytest.mark.worker

Status = EntryRevision.Status
STAGE_SECONDS = 15
# As settings.base.stage_time_limits computes them from STAGE_SECONDS.
LIMITS = {"stage": STAGE_SECONDS, "soft": STAGE_SECONDS + 5, "hard": STAGE_SECONDS + 10}
VISIBILITY_TIMEOUT = LIMITS["hard"] + 5
WORKER_ENV = {
    "METASCENE_VALIDATION_SECONDS": str(STAGE_SECONDS),
    "METASCENE_RENDERING_SECONDS": str(STAGE_SECONDS),
    "METASCENE_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    # Rendering on the rendering queue, where the kill catches it (not drawn during validation).
    "METASCENE_RENDER_AHEAD": "false",
}
TRIANGLES = 500_000


@pytest.fixture
def workers(
    transactional_db: None, tmp_path: Path, settings: SettingsWrapper, worker_media_root: Path
) -> Iterator[list[Worker]]:
    """Workers this test starts (and kills); whatever is still running at the end is stopped."""
    settings.MEDIA_ROOT = str(worker_media_root)
    settings.METASCENE_STAGE_TIME_LIMITS = {"validation": LIMITS, "rendering": LIMITS}
    purge_test_queues()
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.process.poll() is None:
            stop_worker(worker)
    forget_test_broker()


def start(workers: list[Worker], media_root: Path, log: Path) -> Worker:
    worker = start_worker(media_root, log, extra_env=WORKER_ENV, pool="prefork", name="kill-test")
    workers.append(worker)
    return worker


def upload_through_the_api(base_url: str, entry: Entry, content: bytes) -> int:
    """POST /api/entries/<id>/revisions/ with a token, as a script would; the new revision's id."""
    token, _created = Token.objects.get_or_create(user=captain_of(entry.team))
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="plaza.glb"\r\n',
            b"Content-Type: model/gltf-binary\r\n\r\n",
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    request = Request(
        f"{base_url}/api/entries/{entry.pk}/revisions/",
        data=body,
        headers={"Authorization": f"Token {token.key}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    with urlopen(request, timeout=60) as response:
        assert response.status == 201
        return json.loads(response.read())["id"]


def kill_mid_render(worker: Worker, revision_id: int) -> EntryRevision:
    """SIGKILL the worker's whole process group as soon as it has claimed the revision's rendering."""

    def rendering() -> bool:
        revision = EntryRevision.objects.get(pk=revision_id)
        return revision.status == Status.RENDERING and revision.claimed_at is not None

    assert wait_for(rendering, PROCESSING_TIMEOUT, interval=0.05), worker.log_tail()
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    revision = EntryRevision.objects.get(pk=revision_id)
    assert (revision.status, revision.attempts) == (Status.RENDERING, 1), "rendering finished before the kill"
    return revision


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def finished(revision_id: int, workers: list[Worker]) -> EntryRevision:
    done = wait_for(lambda: EntryRevision.objects.get(pk=revision_id).is_final, PROCESSING_TIMEOUT)
    assert done, "\n".join(worker.log_tail() for worker in workers)
    return EntryRevision.objects.select_related("entry").get(pk=revision_id)


def ready_transitions(workers: list[Worker]) -> int:
    """How many times any worker's render task ended by making a revision ready."""
    logs = "\n".join(worker.log.read_text(errors="replace") for worker in workers)
    finished_tasks = [line for line in logs.splitlines() if "competitions.tasks.render_revision[" in line]
    return sum(1 for line in finished_tasks if "succeeded" in line and line.rstrip().endswith("'ready'"))


def assert_ready_once(revision: EntryRevision, workers: list[Worker], media_root: Path) -> None:
    assert revision.status == Status.READY, "\n".join(worker.log_tail() for worker in workers)
    # One claim by the killed worker, one by its successor; no third.
    assert revision.attempts == 2
    # The worker logs the task's result just after it commits it: wait for the line, then count.
    assert wait_for(lambda: ready_transitions(workers) > 0, 10)
    assert ready_transitions(workers) == 1
    assert revision.status_changed_at == revision.processed_at
    assert revision.entry.current_revision_id == revision.pk
    assert revision.stats["triangles"] == TRIANGLES
    assert (media_root / revision.artifacts["hero"]).is_file()
    assert (media_root / revision.artifacts["viewer"]).is_file()


@pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="Needs Redis (REDIS_URL): kombu's filesystem broker drops a task when it delivers it, so a killed "
    "worker's task cannot be handed back; the sweep test covers that broker.",
)
def test_a_task_lost_with_its_killed_worker_is_redelivered_and_the_revision_becomes_ready_once(
    workers: list[Worker], live_server, worker_media_root: Path, tmp_path: Path
) -> None:
    # Given a worker rendering a large scene uploaded through the API
    first = start(workers, worker_media_root, tmp_path / "first.log")
    entry = EntryFactory()
    revision_id = upload_through_the_api(live_server.url, entry, grid_scene_glb(TRIANGLES))

    # When it is killed mid-render, and a new worker starts once the broker may hand the task on
    claimed = kill_mid_render(first, revision_id)
    assert claimed.claimed_at is not None
    wait_until(claimed.claimed_at.timestamp() + VISIBILITY_TIMEOUT + 1)
    start(workers, worker_media_root, tmp_path / "second.log")

    # Then the revision becomes ready, once
    assert_ready_once(finished(revision_id, workers), workers, worker_media_root)


# The promise: a killed worker's revision is back in the queue within this many seconds (lease 30 s after the last
# renewal, which came at most 10 s before the kill, plus a sweep every 10 s).
BACK_IN_QUEUE_SECONDS = 60


def test_a_killed_workers_revision_is_queued_again_within_60_seconds_and_becomes_ready_once(
    workers: list[Worker], live_server, worker_media_root: Path, tmp_path: Path, settings: SettingsWrapper
) -> None:
    # Given beat sending the sweep, and a worker rendering a large scene uploaded through the API; the claim lease,
    # its renewal and the sweep keep their production defaults
    settings.METASCENE_STAGE_TIME_LIMITS = django_settings.METASCENE_STAGE_TIME_LIMITS
    defaults = {
        name: str(getattr(django_settings, name))
        for name in ("METASCENE_CLAIM_LEASE_SECONDS", "METASCENE_CLAIM_RENEW_SECONDS", "METASCENE_SWEEP_SECONDS")
    }
    assert defaults == {
        "METASCENE_CLAIM_LEASE_SECONDS": "30",
        "METASCENE_CLAIM_RENEW_SECONDS": "10",
        "METASCENE_SWEEP_SECONDS": "10",
    }
    workers.append(start_beat(tmp_path / "beat.log", tmp_path / "beat-schedule"))
    no_ahead = {"METASCENE_RENDER_AHEAD": "false"}
    first = start_worker(
        worker_media_root, tmp_path / "first.log", extra_env=no_ahead, pool="prefork", name="kill-first"
    )
    workers.append(first)
    entry = EntryFactory()
    revision_id = upload_through_the_api(live_server.url, entry, grid_scene_glb(TRIANGLES))
    claimed = kill_mid_render(first, revision_id)
    killed_at = time.monotonic()

    # When another worker is running
    workers.append(
        start_worker(worker_media_root, tmp_path / "second.log", extra_env=no_ahead, pool="prefork", name="kill-second")
    )

    # Then the revision is taken up again within 60 s of the kill, and becomes ready, once
    def taken_again() -> bool:
        revision = EntryRevision.objects.get(pk=revision_id)
        return revision.claimed_by not in ("", claimed.claimed_by) or revision.is_final

    assert wait_for(taken_again, BACK_IN_QUEUE_SECONDS + 30, interval=0.5), "\n".join(w.log_tail() for w in workers)
    back_after = time.monotonic() - killed_at
    print(f"Revision back in the queue {back_after:.1f} s after its worker was killed")
    assert back_after <= BACK_IN_QUEUE_SECONDS
    assert_ready_once(finished(revision_id, workers), workers, worker_media_root)
