"""Run a command with Django's default storage on a fresh bucket of a local S3-compatible server.

    python scripts/with_s3.py COMMAND [ARGS...]

Starts moto in server mode (``moto[server]``, requirements-dev.txt) on a free port of 127.0.0.1, creates a bucket,
and runs COMMAND with METASCENE_S3_BUCKET, METASCENE_S3_ENDPOINT_URL and test credentials set, so that uploads,
artifacts and archives go to the bucket exactly as in production with object storage. CI runs the
storage-sensitive tests through it (.ci/run). Exits with the command's status; the server stops with it.
"""

import os
import socket
import subprocess
import sys
import uuid

import boto3  # type: ignore[import-untyped]
from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "metascene-ci", "AWS_SECRET_ACCESS_KEY": "metascene-ci-secret"}
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        bucket = f"metascene-{uuid.uuid4().hex[:12]}"
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name=REGION, **{k.lower(): v for k, v in CREDENTIALS.items()}
        )
        client.create_bucket(Bucket=bucket)
        env = (
            os.environ
            | CREDENTIALS
            | {
                "METASCENE_S3_BUCKET": bucket,
                "METASCENE_S3_ENDPOINT_URL": endpoint,
                "METASCENE_S3_REGION": REGION,
            }
        )
        print(f"Files go to bucket {bucket} at {endpoint}", flush=True)
        return subprocess.call(command, env=env)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
