"""A competition's exports: each table of ``selectors.exports`` written as CSV (``csv_export.csv_lines``: UTF-8 with
a byte order mark, safe from formula injection) or XLSX (openpyxl, write-only), and the archive of every judged
file, built in the background by ``export_archive_build`` (``competitions.tasks.build_export_archive``).

The archive is written member by member to a temporary file on local disk (``shutil.copyfileobj`` from storage,
hashing on the way), never whole in memory, then saved to ``default_storage`` under ``exports/``. It holds, per
entry, the judged revision's file and its thumbnails, the three tables as CSV, and ``manifest.csv``: each member's
path, size and SHA-256 as written, beside the SHA-256 recorded when the revision was uploaded.
"""

import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from competitions.models import Competition, EntryRevision, ExportJob
from competitions.selectors import exports as selectors
from competitions.selectors.exports import Cell
from competitions.services import queue
from competitions.services.audit import record
from competitions.services.csv_export import csv_lines

logger = logging.getLogger(__name__)

MANIFEST_HEADER = ["path", "size_bytes", "sha256", "recorded_sha256"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Tables -------------------------------------------------------------------------------------------------------


def _text(rows: Iterable[Sequence[Cell]]) -> Iterator[list[str]]:
    for row in rows:
        yield ["" if cell is None else str(cell) for cell in row]


def table_csv(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The lines of a CSV file of ``rows`` (every download and the archive's tables)."""
    return csv_lines(_text(rows))


def table_xlsx(rows: Iterable[Sequence[Cell]], *, title: str, into: IO[bytes]) -> None:
    """Write ``rows`` as a one-sheet XLSX workbook into ``into``: numbers as numbers, text always as text (a team
    named ``=HYPERLINK(...)`` stays a name, never a formula), the header in bold. Write-only: a row at a time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would read a leading "=" as a formula
            if index == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    workbook.save(into)


# --- The archive --------------------------------------------------------------------------------------------------


def export_archive_request(*, competition: Competition, actor: User) -> ExportJob:
    """Ask for a new archive of the competition's judged files: a pending ``ExportJob``, built by a worker after
    commit. While one is pending or running it is returned instead (one build at a time per competition; the
    competition's row is locked to decide). Audited ("export.requested")."""
    with transaction.atomic():
        Competition.objects.select_for_update().get(pk=competition.pk)
        running = ExportJob.objects.filter(
            competition=competition, status__in=(ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
        ).first()
        if running is not None:
            return running
        job = ExportJob.objects.create(competition=competition, created_by=actor)
        record(competition=competition, actor=actor, action="export.requested", target=job, data={"export": job.pk})
        job_id = job.pk
        transaction.on_commit(lambda: queue.export_task_send(job_id))
    return job


def archive_name(job: ExportJob) -> str:
    """Where the job's ZIP is stored: deterministic, so that a rerun overwrites rather than adds."""
    return f"exports/{job.competition.slug}/archive-{job.pk}.zip"


class _HashingWriter:
    """Writes through to ``target`` and counts and hashes what passes."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.sha256, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.target.write(data)


def _members(revisions: list[EntryRevision]) -> list[tuple[str, str, EntryRevision, bool]]:
    """(path in the archive, storage name, revision, whether it is the judged file itself) of every file."""
    members = []
    for revision in revisions:
        folder = f"files/entry-{revision.entry_id}"  # entries.csv names each entry's team, track and title
        original = PurePosixPath(revision.original_name).name or f"revision-{revision.number}"
        members.append((f"{folder}/{original}", revision.file.name, revision, True))
        for name, storage_name in selectors.thumbnails_of(revision):
            suffix = PurePosixPath(storage_name).suffix
            members.append((f"{folder}/thumbnails/{name}{suffix}", storage_name, revision, False))
    return members


def _write_archive(job: ExportJob, into: IO[bytes]) -> None:
    competition = job.competition
    members = _members(selectors.judged_revisions_to_archive(competition))
    ExportJob.objects.filter(pk=job.pk).update(total=len(members))
    manifest: list[list[Any]] = [list(MANIFEST_HEADER)]
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for path, storage_name, revision, judged in members:
            with default_storage.open(storage_name, "rb") as source, archive.open(path, "w", force_zip64=True) as out:
                writer = _HashingWriter(out)
                shutil.copyfileobj(source, writer, length=1024 * 1024)
            manifest.append([path, writer.size, writer.sha256.hexdigest(), revision.sha256 if judged else ""])
            ExportJob.objects.filter(pk=job.pk).update(done=F("done") + 1)
        for table, rows in selectors.TABLE_ROWS.items():
            archive.writestr(f"{table}.csv", "".join(table_csv(rows(competition))).encode())
        archive.writestr("manifest.csv", "".join(table_csv(manifest)).encode())


def export_archive_build(*, job_id: int) -> ExportJob:
    """Build the archive of a pending job. Claims it with one conditional UPDATE (pending to running), so two
    workers never build the same job and a rerun of a finished one does nothing. Progress (``done`` of ``total``
    files) is counted as each file is written. On success the job is done with the ZIP's storage name and size;
    a failure is recorded on the job (status failed, the reason) and raised again for the task's log."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), done=0
    )
    job = ExportJob.objects.select_related("competition").get(pk=job_id)
    if not claimed:
        return job
    try:
        with tempfile.TemporaryFile() as scratch:
            _write_archive(job, scratch)
            scratch.seek(0)
            name = archive_name(job)
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(scratch))
            size = default_storage.size(saved)
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        logger.exception("Export %s failed", job_id)
        raise
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, file=saved, size=size, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
