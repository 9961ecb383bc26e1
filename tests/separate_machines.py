"""The pieces of tests/test_separate_machines.py: an S3-compatible server (moto in server mode) with a bucket, the
web server as a process of its own, a Redis database of its own, and a browser-like HTTP client with a session.

Each "machine" is a process started with its own local media folder and scratch folder; what they share is the
test database (PostgreSQL), Redis and the bucket.
"""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.worker_process import REPO, Worker, database_url, stop_worker, wait_for

BUCKET = "metascene-machines"
PREFIX = "site"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "metascene-test", "AWS_SECRET_ACCESS_KEY": "metascene-test-secret"}
# Beside the rush's (12) and the scaling bench's (13): the tests' own keys carry the run's prefix as well.
REDIS_DB = 14


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ObjectStore:
    endpoint: str
    client: Any  # boto3's S3 client

    def env(self) -> dict[str, str]:
        """The settings every machine gets (the agreed METASCENE_S3_* names)."""
        return {
            "METASCENE_S3_BUCKET": BUCKET,
            "METASCENE_S3_ENDPOINT_URL": self.endpoint,
            "METASCENE_S3_REGION": "us-east-1",
            "METASCENE_S3_PREFIX": PREFIX,
            **CREDENTIALS,
        }

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def read(self, name: str) -> bytes:
        """The bytes of the object Django's storage calls ``name``."""
        return self.client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read()


@pytest.fixture
def object_store() -> Iterator[ObjectStore]:
    """moto's S3 server on a free port of 127.0.0.1, with an empty bucket; stopped (and forgotten) after the test."""
    import boto3  # type: ignore[import-untyped, unused-ignore]
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield ObjectStore(endpoint, client)
    finally:
        server.stop()


def spare_redis_url() -> str:
    """The tests' Redis server, on a database number of its own."""
    parts = urllib.parse.urlsplit(django_settings.REDIS_URL)
    return parts._replace(path=f"/{REDIS_DB}").geturl()


def forget_spare_redis() -> None:
    """Remove this run's keys from the spare database (other runs' keys, under their own prefix, stay)."""
    import redis

    prefix = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix")
    if not prefix:
        return
    client = redis.Redis.from_url(spare_redis_url())
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def start_web(media_root: Path, work_dir: Path, log: Path, extra_env: dict[str, str]) -> tuple[Worker, str]:
    """gunicorn with two processes on a free port, on the test database, with ``media_root`` as its media folder;
    returns it (stopped like a worker) and its address once /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "platform"),
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": django_settings.TEST_RUN_ID,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "METASCENE_WORK_DIR": str(work_dir),
        **extra_env,
    }
    command = [
        sys.executable, "-m", "gunicorn", "--pythonpath", "platform", "-w", "2", "-b", f"127.0.0.1:{port}",
        "--timeout", "120", "--log-level", "info", "metascene.wsgi",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    web = Worker(process, log, "web")
    address = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{address}/healthz", timeout=5):
                return True
        except (OSError, urllib.error.HTTPError):
            return process.poll() is not None

    if not wait_for(answers, 60) or process.poll() is not None:
        stop_worker(web)
        pytest.fail(f"The web server did not start:\n{web.log_tail()}")
    return web, address


def local_files(*folders: Path) -> list[str]:
    """Every file under ``folders`` (an upload or artifact kept on a machine's disk would be one)."""
    return sorted(str(path) for folder in folders for path in folder.rglob("*") if path.is_file())


class Browser:
    """A person at a browser: a session cookie from the login page, and the CSRF token sent back as a header."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def sign_in(self, email: str, password: str) -> None:
        self.get("/accounts/login/")
        form = {"username": email, "password": password, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        self.request("POST", "/accounts/login/", urllib.parse.urlencode(form).encode())
        assert self.cookie("sessionid"), f"{email} could not sign in"

    def cookie(self, name: str) -> str:
        return next((cookie.value or "" for cookie in self.jar if cookie.name == name), "")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def json(self, path: str) -> dict:
        status, _, body = self.get(path)
        assert status == 200, f"GET {path}: {status} {body[:500]!r}"
        return json.loads(body)

    def request(
        self, method: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Any request, with the CSRF header and a same-origin Referer; (status, headers, body), errors included."""
        url = path if path.startswith("http") else f"{self.address}{path}"
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={"X-CSRFToken": self.cookie("csrftoken"), "Referer": f"{self.address}/", **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
