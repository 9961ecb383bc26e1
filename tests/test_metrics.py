"""GET /metrics: what the web counts (requests by route name, latency), the token that guards it, and what it reads
about the pipeline at scrape time (queue depth on the filesystem broker and on a real Redis, revisions by status,
workers' heartbeats). Stage durations, rejections and failures: tests/services/test_processing_metrics.py."""

import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.test import Client
from django.utils import timezone
from kombu import Connection
from kombu.transport import filesystem
from metascene.settings.base import filesystem_broker_options
from prometheus_client import REGISTRY
from pytest_django.fixtures import SettingsWrapper

from competitions.models import EntryRevision, WorkerHeartbeat
from competitions.observability import metrics
from competitions.services import queue
from tests.factories import CompetitionFactory, EntryRevisionFactory, UserFactory
from tests.metrics_scrape import parse, scrape, value
from tests.worker_process import purge_test_queues

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parent.parent


# --- Web requests ----------------------------------------------------------------------------------------------------


def test_requests_are_counted_by_route_name_and_status_class_never_by_path(client: Client) -> None:
    competition = CompetitionFactory()
    before = scrape(client)

    client.get(f"/competitions/{competition.slug}/")
    client.get("/competitions/no-such-competition/")
    client.get("/no/such/page/")

    after = scrape(client)
    route = "frontend:competition-detail"
    assert value(after, "metascene_http_requests_total", method="GET", route=route, status="2xx") == (
        value(before, "metascene_http_requests_total", method="GET", route=route, status="2xx") + 1
    )
    assert value(after, "metascene_http_requests_total", method="GET", route=route, status="4xx") == (
        value(before, "metascene_http_requests_total", method="GET", route=route, status="4xx") + 1
    )
    unmatched = {"method": "GET", "route": metrics.UNMATCHED, "status": "4xx"}
    assert value(after, "metascene_http_requests_total", **unmatched) == (
        value(before, "metascene_http_requests_total", **unmatched) + 1
    )
    text = client.get("/metrics").content.decode()
    assert competition.slug not in text and "no-such" not in text and "/no/such" not in text


def test_the_latency_histogram_counts_each_request_of_the_route(client: Client) -> None:
    labels = {"method": "GET", "route": "frontend:healthz"}
    before = scrape(client)

    for _ in range(3):
        client.get("/healthz")

    after = scrape(client)
    name = "metascene_http_request_duration_seconds"
    assert value(after, f"{name}_count", **labels) == value(before, f"{name}_count", **labels) + 3
    assert value(after, f"{name}_sum", **labels) > value(before, f"{name}_sum", **labels)
    assert value(after, f"{name}_bucket", le="+Inf", **labels) == value(after, f"{name}_count", **labels)


def test_an_unusual_method_is_counted_as_other(client: Client) -> None:
    before = scrape(client)

    client.generic("PROPFIND", "/healthz")

    after = scrape(client)
    labels = {"method": "other", "route": "frontend:healthz", "status": "4xx"}
    assert value(after, "metascene_http_requests_total", **labels) == (
        value(before, "metascene_http_requests_total", **labels) + 1
    )


def test_each_response_carries_its_request_id_and_keeps_the_proxys(client: Client) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234"})["X-Request-ID"] == "lb-1234"
    assert len(client.get("/healthz")["X-Request-ID"]) == 32


def test_metrics_are_never_cached(client: Client) -> None:
    response = client.get("/metrics")

    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


# --- The token -------------------------------------------------------------------------------------------------------


def test_with_a_token_set_metrics_without_credentials_are_401(client: Client, settings: SettingsWrapper) -> None:
    settings.METASCENE_METRICS_TOKEN = "s3cret"

    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"metascene_" not in response.content


def test_with_a_token_set_a_wrong_token_is_403(client: Client, settings: SettingsWrapper) -> None:
    settings.METASCENE_METRICS_TOKEN = "s3cret"

    assert client.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Basic s3cret"}).status_code == 401


def test_with_a_token_set_the_right_bearer_reads_the_metrics(client: Client, settings: SettingsWrapper) -> None:
    settings.METASCENE_METRICS_TOKEN = "s3cret"

    samples = scrape(client, Authorization="Bearer s3cret")

    assert ("metascene_revisions", frozenset({("status", "ready")})) in samples


def test_a_signed_in_staff_member_still_needs_the_token(client: Client, settings: SettingsWrapper) -> None:
    settings.METASCENE_METRICS_TOKEN = "s3cret"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get("/metrics").status_code == 401


# --- Read at scrape time ---------------------------------------------------------------------------------------------


def test_revisions_are_counted_by_status(client: Client) -> None:
    EntryRevisionFactory(status=EntryRevision.Status.READY)
    EntryRevisionFactory(status=EntryRevision.Status.REJECTED)
    EntryRevisionFactory(status=EntryRevision.Status.REJECTED)

    samples = scrape(client)

    assert value(samples, "metascene_revisions", status="ready") == 1
    assert value(samples, "metascene_revisions", status="rejected") == 2
    assert value(samples, "metascene_revisions", status="failed") == 0


def test_each_workers_heartbeat_age_and_the_live_workers_per_queue(client: Client) -> None:
    now = timezone.now()
    beat = {"pid": 1, "started_at": now - timedelta(hours=1)}
    WorkerHeartbeat.objects.create(name="validation@a", queues="validation", seen_at=now - timedelta(seconds=5), **beat)
    WorkerHeartbeat.objects.create(name="rendering@b", queues="rendering", seen_at=now - timedelta(minutes=10), **beat)

    samples = scrape(client)

    age = "metascene_worker_heartbeat_age_seconds"
    assert 5 <= value(samples, age, worker="validation@a", queues="validation") < 60
    assert value(samples, age, worker="rendering@b", queues="rendering") >= 600
    assert value(samples, "metascene_workers_alive", queue="validation") == 1
    assert value(samples, "metascene_workers_alive", queue="rendering") == 0


def _publish(url: str, options: dict[str, object], queue: str, count: int) -> None:
    # kombu remembers the exchanges declared in this process for every connection of a transport: after a test
    # that queued a task on the default broker folder, "validation" would count as declared here too, and the
    # message would go nowhere in this new folder.
    filesystem.Transport.global_state.clear()
    with Connection(url, transport_options=options) as connection:
        waiting = connection.SimpleQueue(queue)
        for number in range(count):
            waiting.put({"n": number})
        waiting.close()


def test_queue_depth_on_the_filesystem_broker_counts_the_queues_message_files(
    client: Client, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.CELERY_BROKER_URL = "filesystem://localhost//"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(tmp_path / "broker")
    _publish(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS, "validation", 3)
    _publish(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS, "rendering", 1)

    samples = scrape(client)

    assert value(samples, "metascene_broker_up") == 1
    assert value(samples, "metascene_queue_depth", queue="validation") == 3
    assert value(samples, "metascene_queue_depth", queue="rendering") == 1


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"No Redis answers at {url} (set REDIS_URL): {exc}")
    return url


def test_queue_depth_on_redis_is_the_length_of_each_queues_list(client: Client, settings: SettingsWrapper) -> None:
    url = _redis_url()
    prefix = f"metascene-metrics-test-{uuid.uuid4().hex}:"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": prefix}
    try:
        _publish(url, settings.CELERY_BROKER_TRANSPORT_OPTIONS, "validation", 2)
        _publish(url, settings.CELERY_BROKER_TRANSPORT_OPTIONS, "rendering", 3)

        samples = scrape(client)
    finally:
        server = redis.Redis.from_url(url)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)

    assert value(samples, "metascene_broker_up") == 1
    assert value(samples, "metascene_queue_depth", queue="validation") == 2
    assert value(samples, "metascene_queue_depth", queue="rendering") == 3


def test_a_broker_that_does_not_answer_is_down_with_no_depth(client: Client, settings: SettingsWrapper) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    samples = scrape(client)

    assert value(samples, "metascene_broker_up") == 0
    assert not any(name == "metascene_queue_depth" for name, _labels in samples)


def test_another_kind_of_broker_reports_no_queue_depth(client: Client, settings: SettingsWrapper) -> None:
    settings.CELERY_BROKER_URL = "amqp://guest@127.0.0.1//"

    samples = scrape(client)

    assert not any(name in ("metascene_queue_depth", "metascene_broker_up") for name, _labels in samples)


# --- Several processes, and the workers' own port -----------------------------------------------------------------

COUNT_A_REQUEST = (
    "from competitions.observability import metrics; "
    "metrics.request_observe(method='GET', route='r', status=200, seconds=0.1)"
)
EXPOSE = "import sys; from competitions.observability import metrics; sys.stdout.write(metrics.exposition().decode())"


def test_in_multiprocess_mode_the_exposition_adds_up_every_process(tmp_path: Path) -> None:
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(REPOSITORY)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_A_REQUEST], env=environment, check=True, cwd=REPOSITORY)

    text = subprocess.run(
        [sys.executable, "-c", EXPOSE], env=environment, check=True, cwd=REPOSITORY, capture_output=True, text=True
    ).stdout

    samples = parse(text)
    assert value(samples, "metascene_http_requests_total", method="GET", route="r", status="2xx") == 2
    assert value(samples, "metascene_http_request_duration_seconds_count", method="GET", route="r") == 2


def test_a_worker_serves_what_it_counted_on_its_metrics_port() -> None:
    metrics.stage_duration.labels(stage="validation").observe(1.5)
    expected = REGISTRY.get_sample_value("metascene_stage_duration_seconds_sum", {"stage": "validation"})

    server = metrics.worker_metrics_serve(0, addr="127.0.0.1")
    assert server is not None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as response:
            samples = parse(response.read().decode())
    finally:
        server.shutdown()
        server.server_close()

    assert value(samples, "metascene_stage_duration_seconds_sum", stage="validation") == expected


def test_a_worker_whose_metrics_port_is_taken_runs_on_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()

        server = metrics.worker_metrics_serve(taken.getsockname()[1], addr="127.0.0.1")

    assert server is None
    assert "Worker metrics not served" in caplog.text


def test_tasks_the_site_sends_are_counted_on_their_queue_on_the_configured_broker(client: Client) -> None:
    """Through Celery's own routing, on this run's broker: the filesystem broker, or Redis when REDIS_URL is set."""
    purge_test_queues()
    try:
        queue.revision_task_send(queue.VALIDATE_REVISION, 1)
        queue.revision_task_send(queue.RENDER_REVISION, 1)
        queue.revision_task_send(queue.RENDER_EXTRAS, 1)

        samples = scrape(client)
    finally:
        purge_test_queues()

    assert value(samples, "metascene_broker_up") == 1
    assert value(samples, "metascene_queue_depth", queue="validation") == 1
    assert value(samples, "metascene_queue_depth", queue="rendering") == 2
