"""deploy/gunicorn.conf.py starts the site: gunicorn run as the image, the units and the manifests run it (from the
repository root, with nothing but its configuration) answers /healthz, with the processes and threads the
environment asks for."""

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.db import connection

from tests.deploy.deployfiles import REPO
from tests.worker_process import database_url, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def site(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "3",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                return True
        except OSError:
            return process.poll() is not None

    started = wait_for(answers, 60)
    if not started or process.poll() is not None:
        process.terminate()
        pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
    yield url, process, log
    process.terminate()
    process.wait(timeout=30)


def test_gunicorn_with_the_deploy_configuration_serves_healthz(site: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, process, log = site
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        assert response.status == 200
        assert b'"database": "ok"' in response.read()
    assert len(psutil.Process(process.pid).children()) == 2  # WEB_CONCURRENCY
    assert "Using worker: gthread" in log.read_text()  # GUNICORN_THREADS above 1
    # The access log goes to standard output, for the platform's log collector.
    assert wait_for(lambda: '"GET /healthz HTTP/1.1" 200' in log.read_text(), 10)
