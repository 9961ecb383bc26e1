"""Worker heartbeats and the watchdog: the organisers are told once when files wait and no worker is alive."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from competitions.models import EntryRevision, WorkerHeartbeat, WorkerOutage
from competitions.selectors import workers as selectors
from competitions.services import workers
from tests.factories import EntryRevisionFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


@pytest.fixture
def organiser(db: None):
    return UserFactory(username="olga@example.com", email="olga@example.com", is_staff=True)


def beat(name: str = "worker-1@host", queues: tuple[str, ...] = ("validation", "rendering")) -> None:
    workers.worker_beat(name=name, queues=list(queues), pid=123, started_at=timezone.now())


def test_a_worker_that_beat_recently_is_alive_and_one_silent_too_long_is_not() -> None:
    beat()

    assert selectors.queues_without_workers() == set()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert selectors.queues_without_workers() == {"validation", "rendering"}


def test_a_queue_nobody_consumes_is_down_even_while_another_queue_has_a_worker() -> None:
    beat(queues=("validation",))

    assert selectors.queues_without_workers() == {"rendering"}


def test_the_watchdog_tells_the_organisers_once_while_files_wait_with_no_worker(
    organiser, django_capture_on_commit_callbacks
) -> None:
    EntryRevisionFactory(status=Status.RECEIVED)
    EntryRevisionFactory(status=Status.VALIDATING)

    with django_capture_on_commit_callbacks(execute=True):
        first = workers.workers_watch()
        second = workers.workers_watch()

    assert first == {"opened": ["validation"], "closed": []}
    assert second == {"opened": [], "closed": []}
    outage = WorkerOutage.objects.get()
    assert (outage.queue, outage.waiting, outage.ended_at) == ("validation", 2, None)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olga@example.com"]
    assert "no worker is checking files" in mail.outbox[0].subject
    assert "没有工作进程在检查文件" in mail.outbox[0].subject
    assert "2 file(s) are waiting" in mail.outbox[0].body


def test_the_watchdog_is_quiet_when_no_file_waits() -> None:
    EntryRevisionFactory(status=Status.READY)

    assert workers.workers_watch() == {"opened": [], "closed": []}
    assert not WorkerOutage.objects.exists()


def test_the_outage_closes_when_a_worker_is_back_and_a_later_one_is_told_again(
    organiser, django_capture_on_commit_callbacks
) -> None:
    EntryRevisionFactory(status=Status.RENDERING)
    with django_capture_on_commit_callbacks(execute=True):
        workers.workers_watch()
        beat()
        back = workers.workers_watch()
        WorkerHeartbeat.objects.all().delete()
        again = workers.workers_watch()

    assert back == {"opened": [], "closed": ["rendering"]}
    assert again == {"opened": ["rendering"], "closed": []}
    assert WorkerOutage.objects.filter(ended_at__isnull=True).count() == 1
    assert len(mail.outbox) == 2


def test_the_watch_command_checks_once(organiser, django_capture_on_commit_callbacks) -> None:
    EntryRevisionFactory(status=Status.RECEIVED)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("watch_workers", "--once")

    assert WorkerOutage.objects.filter(queue="validation").exists()
    assert len(mail.outbox) == 1


def test_the_console_shows_which_queue_has_no_worker_and_how_many_files_wait(client, organiser) -> None:
    beat(queues=("validation",))
    EntryRevisionFactory(status=Status.RENDERING)
    client.force_login(organiser)

    page = client.get("/organise/").content.decode()

    assert "No worker is running for the “rendering” queue, and 1 file(s) are waiting." in page
    assert "“validation”: 1 worker(s) alive, 0 file(s) waiting." in page


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_the_worker_runs_and_removes_itself_when_it_stops(settings) -> None:
    settings.METASCENE_HEARTBEAT_SECONDS = 0.1
    heartbeat = workers.heartbeat_start(name="worker-9@host", queues=["rendering"])
    try:
        time.sleep(0.3)
        first = WorkerHeartbeat.objects.get(name="worker-9@host").seen_at
        time.sleep(0.3)
        assert WorkerHeartbeat.objects.get(name="worker-9@host").seen_at > first
    finally:
        heartbeat.stop()

    assert not WorkerHeartbeat.objects.filter(name="worker-9@host").exists()
