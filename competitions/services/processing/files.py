"""The files of a stage: a scratch folder on the worker's disk, the uploaded file copied there when storage is
remote, and the outputs stored under names fixed by the revision's ids, so that a rerun overwrites rather than adds."""

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from competitions.models import EntryRevision

logger = logging.getLogger(__name__)


@contextmanager
def workdir(revision: EntryRevision) -> Iterator[Path]:
    """A scratch folder for one stage of one revision, removed afterwards."""
    base = settings.METASCENE_WORK_DIR or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"revision-{revision.pk}-", dir=base) as folder:
        yield Path(folder)


def local_upload(revision: EntryRevision, folder: Path) -> Path:
    """The uploaded file on this machine's disk: in place for local storage, else copied into ``folder``.
    Raises FileNotFoundError when storage has lost it (our fault)."""
    try:
        path = Path(revision.file.path)
    except NotImplementedError:  # remote storage
        path = folder / f"upload{Path(revision.file.name).suffix}"
        with revision.file.open("rb") as source, open(path, "wb") as target:
            for chunk in source.chunks():
                target.write(chunk)
        return path
    path.stat()
    return path


def artifact_folder(revision: EntryRevision) -> str:
    """Where a revision's outputs are stored: fixed by its ids, so a rerun overwrites rather than adds. Beside the
    entry's uploads (``revisions/<entry id>/<uuid>.<ext>``), in a folder of the revision's own."""
    return f"revisions/{revision.entry_id}/{revision.pk}"


def artifacts_store(revision: EntryRevision, files: dict[str, Path]) -> dict[str, str]:
    """Copy the stage's output files into storage under fixed names; returns {artifact name: storage name}."""
    folder = artifact_folder(revision)
    stored = {}
    for name, path in files.items():
        target = f"{folder}/{path.name}"
        default_storage.delete(target)
        with open(path, "rb") as f:
            stored[name] = default_storage.save(target, File(f))
        if stored[name] != target:  # another worker wrote the same file between our delete and save
            logger.warning("Artifact %s of revision %s stored as %s", target, revision.pk, stored[name])
    return stored
