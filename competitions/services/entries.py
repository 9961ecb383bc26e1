import hashlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePath
from typing import IO, cast

from django.contrib.auth.models import User
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Entry, EntryRevision, Membership, Team, Track
from competitions.pipeline.repair import FIXED_ARTIFACT
from competitions.services import queue, storage

CHUNK_SIZE = 1024 * 1024


def _check_member(team: Team, user: User) -> None:
    if not Membership.objects.filter(team=team, user=user).exists():
        raise RuleError(_("You are not a member of this team."), code=ErrorCode.NOT_MEMBER)


def _check_submission_open(team: Team, at: datetime | None = None) -> None:
    """Refuse unless ``at`` (now by default) falls in the team's submission window: the competition's opening up to
    the team's deadline (its extended one, where an organiser gave it more time)."""
    at = at or timezone.now()
    if at < team.competition.submission_opens_at:
        raise RuleError(_("Submissions have not opened yet."), code=ErrorCode.SUBMISSION_NOT_OPEN)
    if at >= team.submission_deadline:
        raise RuleError(_("The submission deadline has passed."), code=ErrorCode.AFTER_DEADLINE)


@transaction.atomic
def entry_create(*, team: Team, track: Track, user: User, title: str, description: str = "") -> Entry:
    """Create an entry for ``team`` in ``track`` while submissions are open, within the per-track limit.

    The team row is locked, so two simultaneous requests cannot both take the last place in a track.
    """
    team = Team.objects.select_for_update().select_related("competition").get(pk=team.pk)
    _check_member(team, user)
    competition = team.competition
    if track.competition_id != competition.pk:
        raise RuleError(
            _("This track is not part of your team's competition."), code=ErrorCode.WRONG_TRACK, field="track"
        )
    _check_submission_open(team)
    title = " ".join(title.split())
    if not title:
        raise RuleError(_("Give your entry a title."), code=ErrorCode.TITLE_REQUIRED, field="title")
    limit = competition.entries_per_team_per_track
    if Entry.objects.filter(team=team, track=track).count() >= limit:
        raise RuleError(
            ngettext(
                "Your team already has %(count)d entry in the track “%(track)s”; replace its file instead.",
                "Your team already has %(count)d entries in the track “%(track)s”; replace a file instead.",
                limit,
            )
            % {"count": limit, "track": track.display_name},
            code=ErrorCode.TRACK_LIMIT,
            field="track",
        )
    return Entry.objects.create(team=team, track=track, title=title, description=description.strip(), created_by=user)


@transaction.atomic
def entry_update(*, entry: Entry, user: User, title: str, description: str) -> Entry:
    """Change an entry's title and description before the deadline."""
    _check_member(entry.team, user)
    _check_submission_open(entry.team)
    title = " ".join(title.split())
    if not title:
        raise RuleError(_("Give your entry a title."), code=ErrorCode.TITLE_REQUIRED, field="title")
    entry.title = title
    entry.description = description.strip()
    entry.save(update_fields=["title", "description", "updated_at"])
    return entry


def _check_upload(entry: Entry, name: str, size: int | None) -> str:
    """Refuse a file the competition does not accept; return its display name."""
    competition = entry.team.competition
    name = PurePath(name or "upload").name[:255]
    extension = PurePath(name).suffix.lower()
    if extension not in competition.accepted_extensions:
        raise RuleError(
            _("“%(name)s” is not an accepted file. Upload one of: %(accepted)s.")
            % {"name": name, "accepted": ", ".join(competition.accepted_extensions)},
            code=ErrorCode.FORMAT_NOT_ALLOWED,
            field="file",
        )
    if size is not None and size > competition.max_upload_bytes:
        raise RuleError(
            _("The file is %(size)s MB; this competition accepts at most %(max)s MB.")
            % {"size": f"{size / 2**20:.1f}", "max": f"{competition.max_upload_bytes / 2**20:.0f}"},
            code=ErrorCode.FILE_TOO_LARGE,
            field="file",
        )
    if not size:
        raise RuleError(_("The file is empty."), code=ErrorCode.FILE_EMPTY, field="file")
    return name


class _HashingFile(File):
    """Wraps an upload so that storage computes the SHA-256 and size while it copies, in one pass.

    An upload already on disk (a large form upload's temporary file, a finished resumable upload) is hashed in one
    read here, and its ``temporary_file_path`` lets a file-system storage move it into place instead of copying it.
    """

    def __init__(self, upload: UploadedFile, *, size: int) -> None:
        super().__init__(upload.file, name=upload.name)
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0
        self._upload = upload
        self._size = size
        temporary_file_path = getattr(upload, "temporary_file_path", None)
        self._hashed = temporary_file_path is not None
        if temporary_file_path is not None:
            for chunk in upload.chunks(CHUNK_SIZE):
                self.sha256.update(chunk)
                self.bytes_read += len(chunk)
            self.temporary_file_path = temporary_file_path

    @property
    def size(self) -> int:
        return self._size

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in self._upload.chunks(chunk_size or CHUNK_SIZE):
            if not self._hashed:
                self.sha256.update(chunk)
                self.bytes_read += len(chunk)
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """What an object storage's client calls instead of ``chunks``: bytes past those hashed so far are hashed,
        so a client that seeks back and reads again (a retried part) counts nothing twice."""
        handle = cast(IO[bytes], self.file)
        start = handle.tell()
        data = handle.read(size)
        if not self._hashed and start <= self.bytes_read < start + len(data):
            self.sha256.update(data[self.bytes_read - start :])
            self.bytes_read = start + len(data)
        return data


def revision_check(
    *, entry: Entry, user: User, name: str, size: int | None, received_at: datetime | None = None
) -> str:
    """Check every rule a file must pass to become the entry's next revision; return its display name.

    Membership, the submission window (for a file whose last byte arrived at ``received_at``, now by default), an
    entry its team has not withdrawn, the team's minimum size and the asset rules (file type, size). Nothing is
    written. ``revision_receive`` calls it, and resumable uploads call it before they accept any byte.
    """
    team = entry.team
    competition = team.competition
    _check_member(team, user)
    _check_submission_open(team, received_at)
    if Entry.objects.filter(pk=entry.pk, withdrawn_at__isnull=False).exists():
        raise RuleError(
            _("Your team withdrew this entry; restore it to upload a file."), code=ErrorCode.ENTRY_WITHDRAWN
        )
    members = team.memberships.count()
    if members < competition.team_size_min:
        raise RuleError(
            _("Your team needs at least %(min)d members to submit; it has %(count)d.")
            % {"min": competition.team_size_min, "count": members},
            code=ErrorCode.TEAM_TOO_SMALL,
        )
    return _check_upload(entry, name, size)


def revision_receive(
    *, entry: Entry, user: User, upload: UploadedFile, received_at: datetime | None = None
) -> EntryRevision:
    """Store an uploaded file as the entry's next revision and queue its processing after commit.

    ``received_at`` is when the file's last byte reached the server (now, for a file handed over in one request):
    the deadline is measured against it, and it is recorded on the revision, so a file that arrived in time counts
    for judging however long processing takes (see ``selectors.deadline``). Checks membership, the submission
    window, the team's minimum size and the asset rules first, so nothing is written for a refused file. The file
    is streamed to storage under a server-made name, hashed on the way.
    """
    received_at = received_at or timezone.now()
    size = upload.size or 0  # unknown counts as empty: refused
    display_name = revision_check(
        entry=entry, user=user, name=upload.name or "upload", size=size, received_at=received_at
    )
    hashing = _HashingFile(upload, size=size)
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = EntryRevision(
            entry=locked,
            number=number,
            original_name=display_name,
            size=size,
            sha256="",
            uploaded_by=user,
            received_at=received_at,
        )
        # A full disk keeps nothing: no half-written file, no row (StorageFull, 507).
        storage.file_save(revision.file, display_name, hashing)
        revision.sha256 = hashing.sha256.hexdigest()
        revision.size = hashing.bytes_read
        revision.save()
        transaction.on_commit(lambda: _enqueue_processing(revision.pk))
    return revision


def _enqueue_processing(revision_id: int) -> None:
    queue.revision_task_send(queue.VALIDATE_REVISION, revision_id)


def revision_use_fixed(*, revision: EntryRevision, user: User) -> EntryRevision:
    """Make the fixed copy of a revision refused only for padding (its ``fixed`` artifact, the same scene
    re-padded, see ``pipeline.repair``) the entry's next revision, by the same rules as an upload made now.

    The refused revision stays in the history as it was; the new one is named after it ("harbour-fixed.glb") and
    is checked like any upload.
    """
    storage_name = (revision.artifacts or {}).get(FIXED_ARTIFACT)
    if revision.status != EntryRevision.Status.REJECTED or not isinstance(storage_name, str):
        raise RuleError(_("This revision has no fixed copy to use."), code=ErrorCode.NO_FIXED_COPY)
    name = f"{PurePath(revision.original_name).stem}-fixed.glb"
    with default_storage.open(storage_name, "rb") as handle:
        upload = UploadedFile(handle, name=name, content_type="model/gltf-binary", size=handle.size)
        return revision_receive(entry=revision.entry, user=user, upload=upload)
