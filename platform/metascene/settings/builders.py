"""Functions that build settings values from a few inputs (the S3 storage, kombu's filesystem broker, a stage's
time limits), apart from the values themselves in ``base`` so that every settings module, test and bench builds
them the same way."""

from pathlib import Path


def s3_storage(
    *, bucket: str, endpoint_url: str = "", region: str = "us-east-1", prefix: str = "", url_seconds: int = 300
) -> dict:
    """Django's default storage on an S3-compatible object store (django-storages): private objects, names never
    overwritten (a taken name gets a suffix, like on disk), presigned URLs valid for ``url_seconds``. Credentials
    come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role)."""
    options = {
        "bucket_name": bucket,
        "region_name": region,
        "location": prefix.strip("/"),
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": url_seconds,
        "signature_version": "s3v4",
        # A file opened for reading is downloaded to a temporary file; past this size it goes to disk, not memory
        # (django-storages' default, 0, keeps every file whole in memory).
        "max_memory_size": 2 * 1024 * 1024,
    }
    if endpoint_url:
        # MinIO, Ceph, moto and most S3-compatible stores address buckets by path, not by host name.
        options |= {"endpoint_url": endpoint_url, "addressing_style": "path"}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def filesystem_broker_options(folder: Path) -> dict[str, str | bool | float]:
    """Transport options for kombu's filesystem broker in ``folder``, whose subfolders are made here.

    kombu neither creates its folders nor keeps its control files anywhere but the working directory unless
    told, so every path is given. A settings module that moves the broker calls this again with its folder.
    """
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        # The same folder in and out: the web process writes where the worker reads.
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
        # kombu looks for new messages once a second by default: a revision passes two queues (validation, then
        # rendering), so that alone would add up to two seconds to every upload. A folder listing is cheap.
        "polling_interval": 0.1,
    }


def stage_time_limits(stage_seconds: int) -> dict[str, int]:
    """Time limits for a processing stage given the wall-clock seconds its sandboxed child may run.

    The sandbox stops the child first (the file's fault: rejected), Celery's soft limit follows (our fault:
    failed), then the hard limit kills the task. A claim older than the hard limit therefore belongs to a worker
    that died, and is taken over.
    """
    margin = max(5, stage_seconds // 10)
    return {"stage": stage_seconds, "soft": stage_seconds + margin, "hard": stage_seconds + 2 * margin}
