"""Resumable uploads: a file sent in chunks over many requests becomes a revision when its last byte is in.

A session is opened with the file's name and size, and every rule a revision must pass (``revision_check``:
membership, submission window, team size, file type, size) is checked then, before any byte is accepted. Chunks
are appended to ``MEDIA_ROOT/uploads/<session id>.part`` only at the offset the server holds
(``UploadSession.received``); a client that lost its connection asks for that offset and continues from there.
The last byte completes the session: the part file is hashed in one read and moved, not copied, into storage as
the entry's next revision, through ``revision_receive`` and its checks. With an object store as the default
storage, each chunk is stored as an object instead (``services.upload_chunks``), so that any web process can take
the next chunk; only the request's own spool file is on the local disk.

The deadline counts when the last byte arrives, not when the session was opened. A session names a size, not
the content, so honouring its start would let a team open one before the deadline and keep working on the file
after it. Chunks that arrive after the deadline are refused (they could never become a revision), and so is the
completion. The upload page warns while a file is sent when, at the current speed, it would not finish in time.
"""

import contextlib
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Entry, EntryRevision, UploadSession
from competitions.services import entries, storage, upload_chunks

UPLOADS_FOLDER = "uploads"
# How much of a request body is read at a time: the body is streamed to disk, never held in memory.
READ_SIZE = 1024 * 1024
# Sessions idle this long are removed with their part files, finished or not.
SESSION_LIFETIME = timedelta(hours=24)
# Unfinished uploads one person may keep per entry; opening another drops the one idle longest, so abandoned
# attempts cannot pile up on the disk.
MAX_OPEN_SESSIONS = 3


class UploadOffsetConflict(RuleError):
    """The chunk does not start where the server's copy ends; ``offset`` is where it does (tus: 409)."""

    def __init__(self, offset: int) -> None:
        super().__init__(
            _("The server has the first %(offset)d bytes of this upload; continue from there.") % {"offset": offset},
            code=ErrorCode.UPLOAD_OFFSET_MISMATCH,
        )
        self.offset = offset


class UploadTooLong(RuleError):
    """The chunk would carry the upload past the size declared when it started (tus: 413)."""

    def __init__(self, size: int) -> None:
        super().__init__(
            _("This chunk goes past the end of the file, which was announced as %(size)d bytes.") % {"size": size},
            code=ErrorCode.UPLOAD_TOO_LONG,
            field="file",
        )


def upload_part_path(session: UploadSession) -> Path:
    """Where the bytes received so far are kept: a server-made name, never the entrant's."""
    return _uploads_folder() / f"{session.pk}.part"


def _uploads_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOADS_FOLDER


@transaction.atomic
def upload_start(*, entry: Entry, user: User, original_name: str, size: int) -> UploadSession:
    """Open a resumable upload of ``size`` bytes for ``entry`` after checking every rule a revision must pass.

    Nothing is stored for a refused file. If ``user`` already has ``MAX_OPEN_SESSIONS`` unfinished uploads for the
    entry, the ones idle longest are removed (their part files after commit).
    """
    display_name = entries.revision_check(entry=entry, user=user, name=original_name, size=size)
    unfinished = UploadSession.objects.filter(entry=entry, user=user, revision__isnull=True).order_by("-updated_at")
    _delete_sessions(list(unfinished.values_list("pk", flat=True)[MAX_OPEN_SESSIONS - 1 :]))
    return UploadSession.objects.create(entry=entry, user=user, original_name=display_name, size=size)


def upload_append(*, session: UploadSession, offset: int, stream: BinaryIO, length: int) -> UploadSession:
    """Append up to ``length`` bytes read from ``stream`` at ``offset``; complete the upload at its last byte.

    - A chunk is taken only at the offset the server holds (``UploadOffsetConflict`` otherwise) and never past
      the declared size (``UploadTooLong``); the rules are checked again first, so bytes that could never become
      a revision (after the deadline, from someone who left the team) are not stored.
    - The body is streamed to a chunk file with no lock held; it is then appended to the part file, flushed to
      disk and counted under a lock on the session row. Two requests racing for one offset cannot interleave
      their bytes: one wins, the other gets the conflict.
    - If the connection drops mid-chunk, the bytes that did arrive are kept, so the client resumes after them.

    Returns the session as it is now. Raises ``UploadSession.DoesNotExist`` if it was cancelled meanwhile.
    """
    if offset != session.received:
        raise UploadOffsetConflict(session.received)
    if length > session.size - offset:
        raise UploadTooLong(session.size)
    if length:
        entries.revision_check(entry=session.entry, user=session.user, name=session.original_name, size=session.size)
    chunk, count = _receive(stream, length)
    # The moment the chunk's last byte was in: for the last chunk, when the file arrived, which the deadline is
    # measured against.
    received_at = timezone.now()
    short = None
    try:
        with transaction.atomic():
            locked = UploadSession.objects.select_for_update().get(pk=session.pk)
            if locked.received != offset:
                raise UploadOffsetConflict(locked.received)
            if count:
                if upload_chunks.remote():
                    upload_chunks.chunk_put(locked.pk, offset, chunk)
                else:
                    short = _append(upload_part_path(locked), offset, chunk)
                # A part file shorter than the offset lost counted bytes in a crash before they were flushed: go
                # back to what is really there, and let the client continue from that offset.
                locked.received = offset + count if short is None else short
                UploadSession.objects.filter(pk=locked.pk).update(received=locked.received, updated_at=timezone.now())
    finally:
        chunk.unlink(missing_ok=True)
    if short is not None:
        raise UploadOffsetConflict(short)
    if locked.received == locked.size and locked.revision_id is None:
        locked.revision = upload_complete(session=locked, received_at=received_at)
    return locked


def _receive(stream: BinaryIO, length: int) -> tuple[Path, int]:
    """Stream at most ``length`` bytes into a new chunk file beside the part files; return it and the count."""
    folder = _uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".chunk", dir=folder)
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while count < length:
                try:
                    data = stream.read(min(READ_SIZE, length - count))
                except OSError:  # The client went away (Django raises UnreadablePostError): keep what arrived.
                    break
                if not data:
                    break
                out.write(data)
                count += len(data)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        if storage.is_disk_full(exc):
            raise storage.storage_full(where=name, message=storage.CHUNK_NOT_SAVED) from exc
        raise
    return Path(name), count


def _append(part: Path, offset: int, chunk: Path) -> int | None:
    """Write ``chunk`` into ``part`` at ``offset`` and flush it to disk. Caller holds the session's lock.

    Returns None when done, or the part file's real length when it is shorter than ``offset`` (nothing written).
    On a full disk the part file is cut back to ``offset`` and ``StorageFull`` raised: the caller counts nothing.
    """
    fd = os.open(part, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with os.fdopen(fd, "r+b") as out, chunk.open("rb") as source:
            on_disk = os.fstat(fd).st_size
            if on_disk < offset:
                return on_disk
            # Bytes past the offset were never counted (a request that failed before its commit): overwrite them.
            out.truncate(offset)
            out.seek(offset)
            while data := source.read(READ_SIZE):
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        if not storage.is_disk_full(exc):
            raise
        # Give the disk back what the chunk took; the session's offset stays where it was.
        with contextlib.suppress(OSError):
            os.truncate(part, offset)
        raise storage.storage_full(where=str(part), message=storage.CHUNK_NOT_SAVED) from exc
    return None


def upload_complete(*, session: UploadSession, received_at: datetime | None = None) -> EntryRevision:
    """Make a fully received upload the entry's next revision. A second call returns the same revision.

    The session row is locked, so two calls never create two revisions. ``revision_receive_file`` checks every rule
    again, the deadline included (see the module's docstring), against ``received_at``: when the last byte arrived
    (now, when not given). A refusal leaves the session and its part file as
    they are: the completion can be tried again once the rule allows it, and the cleanup removes them after
    ``SESSION_LIFETIME``.
    """
    with transaction.atomic():
        locked = (
            # Only the session row: PostgreSQL cannot lock the nullable side of the join to the revision.
            UploadSession.objects.select_for_update(of=("self",))
            .select_related("entry__team__competition", "user", "revision")
            .get(pk=session.pk)
        )
        if locked.revision is not None:
            return locked.revision
        if locked.received < locked.size:
            raise RuleError(
                _("The upload is not finished: the server has %(received)d of %(size)d bytes.")
                % {"received": locked.received, "size": locked.size},
                code=ErrorCode.UPLOAD_INCOMPLETE,
            )
        if upload_chunks.remote():
            revision = _receive_chunks(locked, received_at)
        else:
            revision = revision_receive_file(
                entry=locked.entry,
                user=locked.user,
                path=upload_part_path(locked),
                original_name=locked.original_name,
                received_at=received_at,
            )
        UploadSession.objects.filter(pk=locked.pk).update(revision=revision, updated_at=timezone.now())
    return revision


def _receive_chunks(session: UploadSession, received_at: datetime | None) -> EntryRevision:
    """Join the session's chunk objects into a spool file, store it as the revision, then remove the chunks after
    commit. After a refusal the chunks stay, like the part file on disk."""
    folder = _uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".join", dir=folder)
    os.close(fd)
    joined = Path(name)
    try:
        upload_chunks.chunks_join(session.pk, session.size, joined)
        revision = revision_receive_file(
            entry=session.entry,
            user=session.user,
            path=joined,
            original_name=session.original_name,
            received_at=received_at,
        )
    finally:
        joined.unlink(missing_ok=True)
    session_id = session.pk
    transaction.on_commit(lambda: upload_chunks.chunks_delete(session_id))
    return revision


class _OnDiskUpload(UploadedFile):
    """A file already on the server's disk, handed to ``revision_receive`` like a form upload.

    ``temporary_file_path`` lets a file-system storage move it into place instead of copying it.
    """

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path.open("rb"), name=name, content_type="application/octet-stream", size=path.stat().st_size)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def revision_receive_file(
    *, entry: Entry, user: User, path: Path, original_name: str, received_at: datetime | None = None
) -> EntryRevision:
    """Make the file at ``path`` (on the server's disk) the entry's next revision and queue its processing.

    The same checks as a form upload, through ``revision_receive``: membership, the deadline, team size, file
    type and size. The file is read once to compute its SHA-256 and then moved into storage under a server-made
    name, so ``path`` is gone afterwards; after a refusal it stays where it is.
    """
    with _OnDiskUpload(path, original_name) as upload:
        return entries.revision_receive(entry=entry, user=user, upload=upload, received_at=received_at)


@transaction.atomic
def upload_cancel(*, session: UploadSession) -> None:
    """Forget an upload and remove its part file after commit. A revision it already created stays."""
    _delete_sessions([session.pk])


def _delete_sessions(ids: list[UUID]) -> None:
    if not ids:
        return
    UploadSession.objects.filter(pk__in=ids).delete()
    parts = [_uploads_folder() / f"{pk}.part" for pk in ids]
    remote = upload_chunks.remote()

    def remove_parts() -> None:
        for part in parts:
            part.unlink(missing_ok=True)
        for pk in ids if remote else []:
            upload_chunks.chunks_delete(pk)

    transaction.on_commit(remove_parts)


@transaction.atomic
def upload_sessions_expire(*, now: datetime | None = None) -> int:
    """Remove sessions idle for ``SESSION_LIFETIME`` (finished or not) and their part files or chunk objects;
    return how many.

    Also removes files of the uploads folder that old without a live session (left by a crash), so nothing there
    outlives the lifetime. It decides by age alone, so running it twice, or on two machines, is harmless.
    """
    cutoff = (now or timezone.now()) - SESSION_LIFETIME
    stale = list(UploadSession.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True))
    _delete_sessions(stale)
    folder = _uploads_folder()
    live = {str(pk) for pk in UploadSession.objects.filter(updated_at__gte=cutoff).values_list("pk", flat=True)}
    if upload_chunks.remote():
        upload_chunks.orphans_delete(live=live, cutoff=cutoff)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix not in (".part", ".chunk", ".join") or path.stem in live:
                continue
            try:
                if path.stat().st_mtime < cutoff.timestamp():
                    path.unlink()
            except FileNotFoundError:  # Removed meanwhile, e.g. by a cancel's on-commit.
                continue
    return len(stale)
