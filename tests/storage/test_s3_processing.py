"""Processing with object storage: the worker downloads the revision into its scratch folder, processes it there,
uploads what it made and removes the scratch; nothing lands on the local disk."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image
from pytest_django.fixtures import SettingsWrapper

from competitions.models import Entry, EntryRevision
from competitions.services import entries, processing
from competitions.services.processing import files
from tests.services.conftest import glb_upload

from .conftest import Bucket, local_files


def test_processing_downloads_the_revision_to_scratch_and_uploads_its_artifacts(
    s3: Bucket,
    entry: Entry,
    captain: User,
    settings: SettingsWrapper,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    settings.METASCENE_WORK_DIR = str(work)
    downloaded: list[Path] = []
    real_local_upload = files.local_upload

    def watched_local_upload(revision: EntryRevision, folder: Path) -> Path:
        path = real_local_upload(revision, folder)
        downloaded.append(path)
        assert path.read_bytes() == s3.read(f"site/{revision.file.name}")  # a copy, in this stage's scratch
        return path

    monkeypatch.setattr(files, "local_upload", watched_local_upload)
    monkeypatch.setattr("competitions.services.processing.stages.local_upload", watched_local_upload)
    revision = entries.revision_receive(entry=entry, user=captain, upload=glb_upload())

    processing.revision_process(revision_id=revision.pk)

    revision.refresh_from_db()
    assert revision.status == EntryRevision.Status.READY, revision.report
    folder = f"revisions/{entry.pk}/{revision.pk}"
    assert revision.artifacts["hero"] == f"{folder}/hero.webp"
    stored = s3.keys(f"site/{folder}/")
    assert {f"site/{name}" for name in revision.artifacts.values() if isinstance(name, str)} <= set(stored)
    hero = tmp_path / "hero.webp"
    hero.write_bytes(s3.read(f"site/{folder}/hero.webp"))
    assert Image.open(hero).size == (1280, 720)
    assert s3.read(f"site/{folder}/viewer.glb")[:4] == b"glTF"
    # The worker read its own copy in its scratch folder, which is gone; nothing was written to the media folder.
    assert downloaded and all(work in path.parents for path in downloaded)
    assert local_files(work) == []
    assert local_files(settings.MEDIA_ROOT) == []
