"""/metrics behind gunicorn with several processes: whichever process answers the scrape, it reports the requests
of all of them (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR), as deploy/gunicorn.conf.py runs
the site."""

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.metrics_scrape import Samples, parse, value
from tests.worker_process import database_url, wait_for

REPO = Path(__file__).resolve().parents[1]
REQUESTS = 24


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def site(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        # One thread per process: requests sent at once must be spread over both processes.
        "GUNICORN_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
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

    try:
        if not wait_for(answers, 60) or process.poll() is not None:
            pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
        yield url, folder
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def scrape(url: str) -> Samples:
    return parse(get(f"{url}/metrics").decode())


def test_every_gunicorn_process_answers_metrics_with_the_requests_of_all(site: tuple[str, Path]) -> None:
    url, folder = site
    labels = {"method": "GET", "route": "frontend:healthz", "status": "2xx"}
    before = value(scrape(url), "metascene_http_requests_total", **labels)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(get, [f"{url}/healthz"] * REQUESTS))

    # Both processes answered (each keeps its own file), and every scrape, whoever answers it, adds them up.
    assert len({path.stem.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}) == 2
    for _ in range(4):
        assert value(scrape(url), "metascene_http_requests_total", **labels) == before + REQUESTS
