"""A revision processed again by an organiser: back to received with its arrival time kept, queued after commit; a
revision a live worker holds, or frozen in a round, is left alone; every failed revision of a competition at once."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import AuditEvent, Entry, EntryRevision, Track
from competitions.services import queue
from competitions.services.processing import rerun
from tests.factories import EntryRevisionFactory

from .conftest import refused

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


# --- Processing a revision again -----------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The tasks the services send (at the edge: the broker)."""
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(queue, "revision_task_send", lambda task, revision_id: calls.append((task, revision_id)))
    return calls


def test_a_failed_revision_is_received_again_and_queued_after_commit(
    entry: Entry,
    organiser: User,
    sent: list[tuple[str, int]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    revision = EntryRevisionFactory(entry=entry, status=Status.FAILED, attempts=3, report={"messages": [{"x": 1}]})
    arrived = revision.received_at

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rerun.revision_rerun(revision=revision, actor=organiser)
    assert sent == []
    for callback in callbacks:
        callback()

    revision.refresh_from_db()
    assert (revision.status, revision.attempts, revision.report, revision.claimed_by) == (Status.RECEIVED, 0, {}, "")
    assert revision.received_at == arrived
    assert sent == [(queue.VALIDATE_REVISION, revision.pk)]
    event = AuditEvent.objects.get(action="revision.rerun")
    assert (event.target_id, event.data["before"]) == (revision.pk, Status.FAILED)


def test_a_ready_revision_run_again_is_no_longer_the_current_file(
    entry: Entry, organiser: User, sent: list[tuple[str, int]]
) -> None:
    first = EntryRevisionFactory(entry=entry, number=1, status=Status.READY)
    second = EntryRevisionFactory(entry=entry, number=2, status=Status.READY, artifacts={"hero": "x.png"})
    Entry.objects.filter(pk=entry.pk).update(current_revision=second)

    rerun.revision_rerun(revision=second, actor=organiser)

    entry.refresh_from_db()
    second.refresh_from_db()
    assert entry.current_revision == first
    assert (second.status, second.artifacts) == (Status.RECEIVED, {})


def test_a_revision_a_live_worker_holds_is_left_alone(entry: Entry, organiser: User) -> None:
    held = EntryRevisionFactory(entry=entry, status=Status.READY, claimed_by="task-1", claimed_at=timezone.now())
    processing = EntryRevisionFactory(entry=entry, status=Status.VALIDATING)

    for revision in (held, processing):
        with refused("not_rerunnable"):
            rerun.revision_rerun(revision=revision, actor=organiser)

    held.refresh_from_db()
    processing.refresh_from_db()
    assert (held.status, held.claimed_by, processing.status) == (Status.READY, "task-1", Status.VALIDATING)


def test_every_failed_revision_of_the_competition_is_run_again_but_the_held_one(
    entry: Entry,
    organiser: User,
    sent: list[tuple[str, int]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    failed = EntryRevisionFactory(entry=entry, status=Status.FAILED)
    held = EntryRevisionFactory(entry=entry, status=Status.FAILED, claimed_by="task-2", claimed_at=timezone.now())
    rejected = EntryRevisionFactory(entry=entry, status=Status.REJECTED)
    elsewhere = EntryRevisionFactory(status=Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        ids = rerun.revisions_rerun_failed(competition=entry.team.competition, actor=organiser)

    assert ids == [failed.pk]
    statuses = dict(EntryRevision.objects.values_list("pk", "status"))
    assert statuses[failed.pk] == Status.RECEIVED
    assert (statuses[held.pk], statuses[rejected.pk], statuses[elsewhere.pk]) == (
        Status.FAILED,
        Status.REJECTED,
        Status.FAILED,
    )
    assert sent == [(queue.VALIDATE_REVISION, failed.pk)]
    assert AuditEvent.objects.get(action="revision.rerun_failed").data["revisions"] == [failed.pk]


def test_with_no_failed_revision_nothing_is_run_nor_audited(organiser: User, track: Track) -> None:
    assert rerun.revisions_rerun_failed(competition=track.competition, actor=organiser) == []
    assert not AuditEvent.objects.filter(action="revision.rerun_failed").exists()
