"""A real S3-compatible server for the object-storage tests: moto in server mode, started once per run on a free
port, with a bucket of its own for each test and Django's default storage pointed at it (``settings.s3_storage``,
the same options ``METASCENE_S3_BUCKET`` turns on). Each test's local media folder (``MEDIA_ROOT``, the tus spool)
stays empty but for spool files in flight, which the tests check."""

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from metascene.settings.base import s3_storage
from pytest_django.fixtures import SettingsWrapper

# The ordinary fixtures of the service tests (competition, team, entry, ...), shared rather than copied.
from tests.services.conftest import captain, competition, entry, organiser, team, track  # noqa: F401

ACCESS_KEY = "metascene-test"
SECRET_KEY = "metascene-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - moto[server] is in requirements-dev.txt
        pytest.skip(f"moto[server] is not installed ({exc}); run make install")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    """The test's bucket, read directly (not through Django) so that tests see what is really stored."""

    name: str
    client: Any

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())

    def open_multipart(self, prefix: str = "") -> list[str]:
        listed = self.client.list_multipart_uploads(Bucket=self.name, Prefix=prefix)
        return [item["Key"] for item in listed.get("Uploads", [])]


@pytest.fixture
def s3(s3_endpoint: str, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """Django's default storage on a new, empty bucket of the local S3 server."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    name = f"metascene-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket=name, endpoint_url=s3_endpoint, region=REGION, prefix="site", url_seconds=60),
    }
    return Bucket(name=name, client=client)


def local_files(root: str | Path) -> list[Path]:
    """Every file under a local folder: what a process left on its own disk."""
    return sorted(p for p in Path(root).rglob("*") if p.is_file())
