import platform
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from competitions.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def beat(name: str, queues: str, seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        name=name,
        queues=queues,
        pid=1,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def test_healthz_reports_the_stdlib_platform_the_database_and_the_live_workers(client: Client) -> None:
    beat("validation@a", "validation", 2)
    beat("validation@b", "validation", 4)
    beat("rendering@c", "rendering", 3)

    response = client.get(reverse("frontend:healthz"))

    assert response.status_code == 200
    body = response.json()
    newest = body["workers"].pop("newest_heartbeat_age_s")
    assert body == {
        "status": "ok",
        "python": platform.python_version(),
        "system": platform.system(),
        "database": "ok",
        "workers": {"validation": 2, "rendering": 1},
        "reasons": [],
    }
    assert 2 <= newest < 10


def test_a_worker_consuming_both_queues_counts_for_each(client: Client) -> None:
    beat("all@a", "validation,rendering", 1)

    body = client.get(reverse("frontend:healthz")).json()

    assert (body["status"], body["workers"]["validation"], body["workers"]["rendering"]) == ("ok", 1, 1)


def test_stale_heartbeats_make_healthz_degraded_but_still_200(client: Client, settings) -> None:
    settings.METASCENE_WORKER_DEAD_AFTER_SECONDS = 30
    beat("validation@a", "validation", 2)
    beat("rendering@c", "rendering", 120)

    response = client.get(reverse("frontend:healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["reasons"] == ["no live rendering worker"]
    assert (body["workers"]["validation"], body["workers"]["rendering"]) == (1, 0)
    assert 2 <= body["workers"]["newest_heartbeat_age_s"] < 10


def test_without_any_heartbeat_healthz_is_degraded_with_no_age(client: Client) -> None:
    response = client.get(reverse("frontend:healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["workers"] == {"validation": 0, "rendering": 0, "newest_heartbeat_age_s": None}
    assert body["reasons"] == ["no live validation worker", "no live rendering worker"]


def test_healthz_makes_at_most_two_queries(client: Client, django_assert_max_num_queries) -> None:
    for number in range(5):
        beat(f"validation@{number}", "validation", number)

    with django_assert_max_num_queries(2):
        client.get(reverse("frontend:healthz"))


def test_healthz_is_never_cached(client: Client) -> None:
    response = client.get(reverse("frontend:healthz"))

    assert "no-cache" in response["Cache-Control"]
