"""A real Celery worker process takes uploaded revisions from the configured broker and processes them.

The worker is a separate process on this run's test database (a file for SQLite, ``test_<name>`` for PostgreSQL)
and test broker (a folder by default, Redis when ``REDIS_URL`` is set), so these tests commit their transactions
(``transactional_db``) and see what a deployment sees.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from competitions.models import EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries
from competitions.tasks import process_revision
from tests.factories import EntryFactory, captain_of
from tests.worker_process import Worker, processed

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


def test_worker_rejects_a_truncated_glb_for_its_length(worker: Worker) -> None:
    content = box_glb()

    revision = upload(content[:-100])

    result = processed(revision, worker)
    assert result.status == EntryRevision.Status.REJECTED
    assert [message["code"] for message in result.report["messages"]] == ["GLB_LENGTH_MISMATCH"]
    assert result.entry.current_revision_id is None


def test_running_the_task_again_on_a_finished_revision_changes_nothing(worker: Worker) -> None:
    finished = processed(upload(box_glb()), worker)

    outcome = process_revision(finished.pk)

    again = EntryRevision.objects.get(pk=finished.pk)
    assert outcome is None
    assert (again.status, again.attempts, again.processed_at, again.status_changed_at, again.stats) == (
        finished.status,
        1,
        finished.processed_at,
        finished.status_changed_at,
        finished.stats,
    )
