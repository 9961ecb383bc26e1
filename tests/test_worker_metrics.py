"""A real Celery worker with a prefork pool serves on METASCENE_WORKER_METRICS_PORT what its pool's processes
counted while they processed an upload: the stage durations reach Prometheus through the worker's main process
(multiprocess mode, PROMETHEUS_MULTIPROC_DIR), as production runs it."""

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import SettingsWrapper

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from tests.factories import EntryFactory, captain_of
from tests.metrics_scrape import Samples, parse, value
from tests.worker_process import (
    Worker,
    forget_test_broker,
    processed,
    purge_test_queues,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = pytest.mark.worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def metrics_worker(transactional_db: None, tmp_path: Path, settings: SettingsWrapper) -> Iterator[tuple[Worker, int]]:
    media_root = tmp_path / "media"
    media_root.mkdir()
    settings.MEDIA_ROOT = str(media_root)
    (tmp_path / "metrics").mkdir()
    port = free_port()
    purge_test_queues()
    worker = start_worker(
        media_root,
        tmp_path / "worker.log",
        pool="prefork",
        name="metrics",
        extra_env={"METASCENE_WORKER_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")},
    )
    try:
        yield worker, port
    finally:
        stop_worker(worker)
        forget_test_broker()


def scrape_port(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return parse(response.read().decode())


def test_a_prefork_worker_serves_its_pools_stage_durations_on_its_metrics_port(
    metrics_worker: tuple[Worker, int],
) -> None:
    worker, port = metrics_worker
    entry = EntryFactory()
    revision = entries.revision_receive(
        entry=entry, user=captain_of(entry.team), upload=SimpleUploadedFile("scene.glb", box_glb())
    )

    assert processed(revision, worker).status == EntryRevision.Status.READY

    # A worker consuming both queues draws the views while it validates (rendering ahead): its validation counts
    # the whole processing, and the turntable follows on the rendering queue.
    def counted() -> bool:
        samples = scrape_port(port)
        return all(
            value(samples, "metascene_stage_duration_seconds_count", stage=stage) == 1
            for stage in ("validation", "turntable")
        )

    assert wait_for(counted, 10), f"{scrape_port(port)}\n{worker.log_tail()}"
