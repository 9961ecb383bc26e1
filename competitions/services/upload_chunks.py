"""A resumable upload's bytes in object storage, when web processes share nothing but the database and the bucket.

With an object store as Django's default storage (``METASCENE_S3_BUCKET``), the part file of ``services.uploads``
cannot live on one web machine's disk: the next chunk may reach another. Each chunk the server accepts is instead
stored as its own object, ``uploads/<session id>/<offset>.chunk``, before the session's offset is counted in the
database, so every byte counted is durable beyond the process that received it. A chunk sent again at the same
offset (its first attempt failed before it was counted) replaces the object; objects that start past the counted
offset are never read.

Completing the upload joins the chunks, in order from offset 0, into one file on the completing process's spool
(read once, so it is hashed on the way into storage as the revision) and then removes them. Chunks are stored
whole rather than as the parts of an S3 multipart upload because tus clients send chunks of any size, while a
multipart part must be at least 5 MiB; joining costs one read of the file at completion, in the request that
brings the last byte. Sessions that expire or are cancelled lose their objects, and any multipart upload a crash
left open under their prefix is aborted.
"""

import contextlib
import logging
import posixpath
import shutil
from datetime import datetime
from pathlib import Path
from uuid import UUID

from django.core.files import File
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

UPLOADS_FOLDER = "uploads"
CHUNK_SUFFIX = ".chunk"


def remote() -> bool:
    """Whether Django's default storage is not this machine's disk (it has no local paths)."""
    try:
        default_storage.path(UPLOADS_FOLDER)
    except NotImplementedError:
        return True
    return False


def _folder(session_id: UUID | str) -> str:
    return f"{UPLOADS_FOLDER}/{session_id}"


def chunk_name(session_id: UUID | str, offset: int) -> str:
    """The object of the chunk starting at ``offset``: zero-padded, so the names sort in file order."""
    return f"{_folder(session_id)}/{offset:015d}{CHUNK_SUFFIX}"


def chunk_put(session_id: UUID | str, offset: int, chunk: Path) -> None:
    """Store the bytes of ``chunk`` (a file on the spool) as the chunk at ``offset``, replacing an earlier attempt.

    The caller holds the session row's lock, so no other request writes this name meanwhile."""
    name = chunk_name(session_id, offset)
    default_storage.delete(name)
    with chunk.open("rb") as source:
        stored = default_storage.save(name, File(source, name=name))
    if stored != name:  # Cannot happen under the lock; a stray name would never be read, so say so loudly.
        default_storage.delete(stored)
        raise RuntimeError(f"Upload chunk {name} was stored as {stored}")


def chunks_join(session_id: UUID | str, size: int, target: Path) -> None:
    """Write the session's ``size`` bytes into ``target``, chunk after chunk from offset 0.

    Raises FileNotFoundError when a counted chunk is missing from storage (the bucket lost it)."""
    offset = 0
    with target.open("wb") as out:
        while offset < size:
            with default_storage.open(chunk_name(session_id, offset), "rb") as source:
                before = out.tell()
                shutil.copyfileobj(source, out, length=1024 * 1024)
                written = out.tell() - before
            if written == 0:
                raise FileNotFoundError(f"Upload chunk {chunk_name(session_id, offset)} is empty")
            offset += written
    if offset != size:
        raise FileNotFoundError(f"Upload {session_id}: the chunks hold {offset} bytes, not {size}")


def chunks_delete(session_id: UUID | str) -> None:
    """Remove the session's chunk objects and abort multipart uploads left open under its folder."""
    folder = _folder(session_id)
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        names = []
    for name in names:
        default_storage.delete(f"{folder}/{name}")
    _abort_multipart(folder)


def _abort_multipart(folder: str) -> None:
    """S3 keeps the parts of an unfinished multipart upload (a save cut short by a crash) until it is aborted."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is None:
        return
    location = getattr(default_storage, "location", "") or ""
    prefix = posixpath.join(location, folder) + "/"
    for upload in bucket.multipart_uploads.filter(Prefix=prefix):
        with contextlib.suppress(Exception):  # Already completed or aborted by another machine.
            upload.abort()
            logger.info("Aborted the multipart upload of %s", upload.object_key)


def orphans_delete(*, live: set[str], cutoff: datetime) -> None:
    """Remove the folders of sessions that no longer exist (a crash between the row's deletion and its cleanup)
    whose newest chunk is older than ``cutoff``; a folder of a live session is never touched."""
    try:
        folders, _ = default_storage.listdir(UPLOADS_FOLDER)
    except FileNotFoundError:
        return
    for session_id in folders:
        if session_id in live:
            continue
        folder = _folder(session_id)
        _, names = default_storage.listdir(folder)
        times = [default_storage.get_modified_time(f"{folder}/{name}") for name in names]
        if all(time < cutoff for time in times):
            chunks_delete(session_id)
