"""What processing counts for Prometheus (competitions.observability.metrics): each stage's duration when it reaches
its verdict, rejections by the code of their first error, failures by reason; read back through GET /metrics, as
the web process that processed a sample inline serves them."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from competitions.models import Entry, EntryRevision
from competitions.services import processing
from tests.metrics_scrape import scrape, value

from .processing_cast import received, truncated_glb

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status
DURATION = "metascene_stage_duration_seconds"


def test_processing_a_sample_observes_the_validation_and_rendering_durations(
    client: Client, entry: Entry, captain: User
) -> None:
    revision = received(entry, captain)
    before = scrape(client)

    processing.revision_process(revision_id=revision.pk)

    after = scrape(client)
    for stage in ("validation", "rendering"):
        assert value(after, f"{DURATION}_count", stage=stage) == value(before, f"{DURATION}_count", stage=stage) + 1
        assert value(after, f"{DURATION}_sum", stage=stage) > value(before, f"{DURATION}_sum", stage=stage)
    assert value(after, "metascene_revisions", status="ready") == 1


def test_a_rejected_sample_is_counted_by_stage_and_its_first_error_code(
    client: Client, entry: Entry, captain: User
) -> None:
    revision = received(entry, captain, truncated_glb())
    labels = {"stage": "validation", "reason": "GLB_UNEXPECTED_END_OF_CHUNK_DATA"}
    before = scrape(client)

    processing.revision_process(revision_id=revision.pk)

    after = scrape(client)
    assert value(after, "metascene_revisions_rejected_total", **labels) == (
        value(before, "metascene_revisions_rejected_total", **labels) + 1
    )
    assert value(after, f"{DURATION}_count", stage="validation") == (
        value(before, f"{DURATION}_count", stage="validation") + 1
    )
    assert value(after, f"{DURATION}_count", stage="rendering") == value(before, f"{DURATION}_count", stage="rendering")


def test_a_failure_is_counted_by_stage_and_reason_once_committed(
    client: Client, entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain)
    labels = {"stage": "validation", "reason": "time_limit"}
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        processing.revision_fail(revision_id=revision.pk, reason=processing.FAILED_TOO_LONG)
    processing.revision_fail(revision_id=revision.pk, reason=processing.FAILED_TOO_LONG)  # already failed: no count

    after = scrape(client)
    assert value(after, "metascene_revisions_failed_total", **labels) == (
        value(before, "metascene_revisions_failed_total", **labels) + 1
    )


def test_a_failure_after_the_attempts_is_counted_as_attempts(
    client: Client, entry: Entry, captain: User, django_capture_on_commit_callbacks
) -> None:
    revision = received(entry, captain)
    EntryRevision.objects.filter(pk=revision.pk).update(status=Status.RENDERING)
    labels = {"stage": "rendering", "reason": "attempts"}
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        processing.revision_fail(revision_id=revision.pk, reason=processing.FAILED_AFTER_ATTEMPTS % {"attempts": 3})

    after = scrape(client)
    assert value(after, "metascene_revisions_failed_total", **labels) == (
        value(before, "metascene_revisions_failed_total", **labels) + 1
    )
