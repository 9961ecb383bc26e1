"""A real Celery worker process takes uploaded revisions from the configured broker and processes them.

The worker is a separate process on this run's test database (a file for SQLite, ``test_<name>`` for PostgreSQL)
and test broker (a folder by default, Redis when ``REDIS_URL`` is set), so these tests commit their transactions
(``transactional_db``) and see what a deployment sees.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from competitions.models import EntryRevision
from competitions.pipeline.render import is_blank
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from competitions.tasks import render_revision, validate_revision
from tests.factories import EntryFactory, captain_of
from tests.worker_process import PROCESSING_TIMEOUT, Worker, processed, wait_for

pytestmark = pytest.mark.worker


def upload(content: bytes, name: str = "scene.glb") -> EntryRevision:
    entry = EntryFactory()
    return entries.revision_receive(entry=entry, user=captain_of(entry.team), upload=SimpleUploadedFile(name, content))


def test_worker_makes_an_uploaded_cube_ready_with_twelve_triangles(worker: Worker) -> None:
    revision = upload(box_glb())

    result = processed(revision, worker)

    assert result.status == EntryRevision.Status.READY
    assert result.stats["triangles"] == 12
    assert result.entry.current_revision_id == revision.pk


def test_a_ready_revision_has_a_hero_thumbnail_that_shows_the_cube(worker: Worker, worker_media_root: Path) -> None:
    result = processed(upload(box_glb()), worker)

    hero = worker_media_root / result.artifacts["hero"]
    assert hero.is_file()
    assert not is_blank(hero)
    assert (worker_media_root / result.artifacts["viewer"]).read_bytes()[:4] == b"glTF"


def test_the_turntable_follows_a_ready_revision(worker: Worker, worker_media_root: Path) -> None:
    revision = processed(upload(box_glb()), worker)

    def has_turntable() -> bool:
        return "turntable" in EntryRevision.objects.get(pk=revision.pk).artifacts

    assert wait_for(has_turntable, PROCESSING_TIMEOUT), worker.log_tail()
    turntable = worker_media_root / EntryRevision.objects.get(pk=revision.pk).artifacts["turntable"]
    assert turntable.is_file() and not is_blank(turntable)


def test_worker_rejects_a_truncated_glb_for_its_length(worker: Worker) -> None:
    content = box_glb()

    revision = upload(content[:-100])

    result = processed(revision, worker)
    assert result.status == EntryRevision.Status.REJECTED
    assert [message["code"] for message in result.report["messages"]] == ["GLB_UNEXPECTED_END_OF_CHUNK_DATA"]
    assert result.entry.current_revision_id is None


def test_running_the_tasks_again_on_a_finished_revision_changes_nothing(worker: Worker) -> None:
    finished = processed(upload(box_glb()), worker)

    outcomes = (validate_revision(finished.pk), render_revision(finished.pk))

    again = EntryRevision.objects.get(pk=finished.pk)
    assert outcomes == (None, None)
    assert (again.status, again.attempts, again.processed_at, again.status_changed_at, again.stats) == (
        finished.status,
        1,
        finished.processed_at,
        finished.status_changed_at,
        finished.stats,
    )
