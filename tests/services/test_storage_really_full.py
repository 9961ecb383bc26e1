"""The same full-disk promises on a disk that is really full: MEDIA_ROOT on a tmpfs of 256 KB with almost no room
left, so the kernel itself answers ENOSPC (no simulation). Mounting needs root; elsewhere these tests are skipped
and tests/services/test_storage_full.py covers the same behaviour with the write simulated."""

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import SettingsWrapper

from competitions.exceptions import StorageFull
from competitions.models import Entry, EntryRevision
from competitions.services import entries, uploads

pytestmark = pytest.mark.django_db

KB = 1024
ROOM_LEFT = 8 * KB
UPLOAD = b"glTF" + bytes(64 * KB)


@pytest.fixture
def full_media_root(tmp_path: Path, settings: SettingsWrapper) -> Iterator[Path]:
    """MEDIA_ROOT on a tmpfs of its own, filled to within ``ROOM_LEFT`` bytes."""
    mount_point = tmp_path / "full-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"Cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        free = os.statvfs(mount_point).f_bavail * os.statvfs(mount_point).f_frsize
        (mount_point / "filler").write_bytes(bytes(free - ROOM_LEFT))
        settings.MEDIA_ROOT = str(mount_point)
        cache.clear()
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def files_in(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_an_upload_to_a_really_full_disk_keeps_no_file_and_no_revision(
    full_media_root: Path, entry: Entry, captain: User
) -> None:
    upload = SimpleUploadedFile("scene.glb", UPLOAD, content_type="model/gltf-binary")

    with pytest.raises(StorageFull):
        entries.revision_receive(entry=entry, user=captain, upload=upload)

    assert files_in(full_media_root) == ["filler"]
    assert not EntryRevision.objects.exists()


def test_a_resumable_chunk_on_a_really_full_disk_leaves_the_offset_and_no_chunk_file(
    full_media_root: Path, entry: Entry, captain: User
) -> None:
    session = uploads.upload_start(entry=entry, user=captain, original_name="scene.glb", size=len(UPLOAD))
    first = 4 * KB
    session = uploads.upload_append(session=session, offset=0, stream=io.BytesIO(UPLOAD[:first]), length=first)

    with pytest.raises(StorageFull):
        uploads.upload_append(
            session=session, offset=first, stream=io.BytesIO(UPLOAD[first:]), length=len(UPLOAD) - first
        )

    session.refresh_from_db()
    assert session.received == first
    assert files_in(full_media_root) == ["filler", f"uploads/{session.pk}.part"]
    assert (full_media_root / "uploads" / f"{session.pk}.part").stat().st_size == first
