"""The worker health command of the Kubernetes manifests, run for real: a worker started with the validation
pool's own command line answers its liveness probe, and the probe fails for a worker that is not there."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.deploy.deployfiles import KUBERNETES, REPO, by_kind, manifests
from tests.worker_process import Worker, database_url, purge_test_queues, stop_worker, wait_for

pytestmark = pytest.mark.worker


def container() -> dict:
    deployment = by_kind(manifests(KUBERNETES), "Deployment")["worker-validation"]
    return deployment["spec"]["template"]["spec"]["containers"][0]


def environment(media_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO / "platform"),
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(media_root),
        # The probe's shell finds `celery` here, as in the image.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@pytest.fixture
def pool_worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    """A worker started with the manifest's command (its queue, concurrency and node name)."""
    purge_test_queues()
    command = container()["command"]
    assert command[0] == "celery"
    log = tmp_path / "worker.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=REPO,
            env=environment(tmp_path / "media"),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    ready = wait_for(lambda: process.poll() is not None or " ready." in log.read_text(errors="replace"), 60)
    if not ready or process.poll() is not None:
        stop_worker(worker)
        pytest.fail(f"The worker did not start:\n{worker.log_tail()}")
    yield worker
    stop_worker(worker)


def probe(hostname: str, media_root: Path) -> tuple[int, float]:
    """The liveness probe's command as the kubelet runs it in the pod whose hostname is ``hostname``."""
    started = time.monotonic()
    result = subprocess.run(
        container()["livenessProbe"]["exec"]["command"],
        cwd=REPO,
        env={**environment(media_root), "HOSTNAME": hostname},
        capture_output=True,
        timeout=60,
    )
    return result.returncode, time.monotonic() - started


def test_the_liveness_probe_passes_on_the_live_worker_and_fails_on_another(pool_worker: Worker, tmp_path: Path) -> None:
    returncode, seconds = probe(socket.gethostname(), tmp_path)
    assert returncode == 0, pool_worker.log_tail()
    assert seconds < container()["livenessProbe"]["timeoutSeconds"]
    returncode, _ = probe("a-pod-that-is-gone", tmp_path)
    assert returncode != 0
