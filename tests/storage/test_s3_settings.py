"""The storage settings: METASCENE_S3_BUCKET turns the S3 backend on with the agreed names; unset, files stay on
the local disk exactly as before."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def default_storage_under(environment: dict[str, str], module: str = "metascene.settings.base") -> dict:
    """STORAGES["default"] and METASCENE_WORK_DIR as a fresh process computes them from ``environment``."""
    names = ("METASCENE_S3_", "AWS_", "METASCENE_WORK_DIR", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(names)} | environment
    code = (
        "import importlib, json, sys; sys.path.insert(0, 'platform'); "
        f"s = importlib.import_module({module!r}); "
        "print(json.dumps({'default': s.STORAGES['default'], 'work': s.METASCENE_WORK_DIR}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_without_a_bucket_files_stay_on_the_local_disk() -> None:
    found = default_storage_under({})

    assert found["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["work"].endswith("/var/work")


def test_a_bucket_turns_on_private_s3_storage_with_the_agreed_settings() -> None:
    found = default_storage_under(
        {
            "METASCENE_S3_BUCKET": "entries",
            "METASCENE_S3_ENDPOINT_URL": "http://minio:9000",
            "METASCENE_S3_REGION": "cn-north-1",
            "METASCENE_S3_PREFIX": "/metascene/",
            "METASCENE_S3_URL_SECONDS": "120",
            "METASCENE_WORK_DIR": "/scratch",
        }
    )

    options = found["default"]["OPTIONS"]
    assert found["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "entries",
        "http://minio:9000",
        "cn-north-1",
    )
    assert (options["location"], options["querystring_expire"], options["addressing_style"]) == (
        "metascene",
        120,
        "path",
    )
    assert (options["default_acl"], options["file_overwrite"]) == ("private", False)
    assert found["work"] == "/scratch"


def test_on_aws_the_default_endpoint_and_addressing_are_kept() -> None:
    options = default_storage_under({"METASCENE_S3_BUCKET": "entries"})["default"]["OPTIONS"]

    assert "endpoint_url" not in options and "addressing_style" not in options
    assert (options["region_name"], options["location"], options["querystring_expire"]) == ("us-east-1", "", 300)
