"""What the entry page and its status JSON show while a revision is processed and after: the per-stage progress,
grouped messages with JSON pointers, the failed note, the hero thumbnail (served to the team only) and figures."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from competitions.models import EntryRevision, WorkerHeartbeat
from tests.factories import EntryFactory, EntryRevisionFactory, TrackFactory

REJECTED_REPORT = {
    "messages": [
        {
            "severity": "error",
            "code": "ACCESSOR_MIN_MISMATCH",
            "message": "Accessor 3 says its smallest value is 0 but the data holds -1. Export again.",
            "pointer": "/accessors/3/min/0",
        },
        {
            "severity": "warning",
            "code": "UNUSED_OBJECT",
            "message": "Mesh 2 is never used; remove it to make the file smaller.",
            "pointer": "/meshes/2",
        },
        {
            "severity": "error",
            "code": "LIMIT_TRIANGLES",
            "message": "The scene has 3,000,000 triangles; at most 2,000,000 are allowed.",
            "pointer": "",
        },
        {"severity": "info", "code": "NODE_EMPTY", "message": "Node 7 has nothing in it.", "pointer": "/nodes/7"},
    ]
}
STATS = {"triangles": 12345, "vertices": 8000, "materials": 3, "textures": 2, "draw_calls": 5, "size": [6, 1.8, 4]}
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


@pytest.fixture
def entry(team, track):
    return EntryFactory(team=team, track=track, title="Bund at night")


def page(client, entry) -> str:
    return client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()


def status(client, entry) -> dict:
    return client.get(reverse("frontend:entry-status", kwargs={"pk": entry.pk})).json()


def ready_with_hero(entry) -> EntryRevision:
    name = default_storage.save("revisions/1/hero.webp", ContentFile(WEBP))
    return EntryRevisionFactory(entry=entry, status=EntryRevision.Status.READY, stats=STATS, artifacts={"hero": name})


def artifact_url(revision: EntryRevision, name: str = "hero") -> str:
    return reverse(
        "frontend:revision-artifact", kwargs={"pk": revision.entry_id, "revision_pk": revision.pk, "name": name}
    )


# --- Stages ----------------------------------------------------------------------------------------------------


def test_status_json_gives_the_stage_and_the_state_of_every_stage(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.VALIDATING, stage=EntryRevision.Stage.INSPECT)
    client.force_login(bob)

    revision = status(client, entry)["revisions"][0]

    assert (revision["stage"], revision["stage_label"]) == ("inspect", "Measuring")
    assert [(s["key"], s["state"]) for s in revision["stages"]] == [
        ("unpack", "done"),
        ("validate", "done"),
        ("inspect", "active"),
        ("render", "todo"),
        ("package", "todo"),
    ]
    assert revision["stages"][3]["label"] == "Rendering thumbnails"


def a_worker_is_alive(queues: str = "validation,rendering") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="worker@test", queues=queues, pid=1, started_at=now, seen_at=now)


def test_a_received_revision_waits_with_every_stage_to_do(client, entry, bob):
    a_worker_is_alive()
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RECEIVED)
    client.force_login(bob)

    revision = status(client, entry)["revisions"][0]

    assert {s["state"] for s in revision["stages"]} == {"todo"}
    assert "In the queue" in revision["html"]
    assert "Checking is delayed" not in revision["html"]


def test_with_no_live_worker_the_entrant_is_told_checking_is_delayed_and_the_upload_is_safe(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RECEIVED)
    client.force_login(bob)

    page = client.get(reverse("frontend:entry-detail", kwargs={"pk": entry.pk})).content.decode()
    revision = status(client, entry)["revisions"][0]

    for html in (page, revision["html"]):
        assert "Checking is delayed." in html
        assert "Your upload is safe" in html
        assert "In the queue" not in html


def test_a_worker_silent_past_its_heartbeat_counts_as_gone(client, entry, bob):
    a_worker_is_alive()
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RENDERING)
    client.force_login(bob)

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        client.force_login(bob)
        revision = status(client, entry)["revisions"][0]

    assert "Checking is delayed." in revision["html"]


def test_a_file_waiting_for_rendering_is_delayed_when_only_a_validation_worker_is_alive(client, entry, bob):
    a_worker_is_alive(queues="validation")
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RENDERING)
    client.force_login(bob)

    assert "Checking is delayed." in status(client, entry)["revisions"][0]["html"]


def test_the_delay_notice_is_in_chinese_for_a_chinese_reader(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RECEIVED)
    client.force_login(bob)
    client.cookies["django_language"] = "zh-hans"

    html = status(client, entry)["revisions"][0]["html"]

    assert "检查延迟" in html


def test_rendering_without_a_recorded_stage_shows_render_as_active(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RENDERING)
    client.force_login(bob)

    revision = status(client, entry)["revisions"][0]

    assert [s["state"] for s in revision["stages"]] == ["done", "done", "done", "active", "todo"]


def test_entry_page_shows_the_stage_indicator_while_a_revision_is_processed(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.RENDERING, stage=EntryRevision.Stage.PACKAGE)
    client.force_login(bob)

    content = page(client, entry)

    assert 'aria-label="Processing steps"' in content
    assert 'class="stage stage-active" data-stage="package" aria-current="step"' in content
    assert "Preparing the viewer copy" in content


# --- Outcomes --------------------------------------------------------------------------------------------------


def test_rejected_revision_groups_its_messages_by_severity_with_their_pointers(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report=REJECTED_REPORT)
    client.force_login(bob)

    content = page(client, entry)

    errors, warnings, notes = (content.index(title) for title in ("2 errors", "1 warning", "1 note"))
    assert errors < warnings < notes
    assert errors < content.index("Accessor 3 says") < content.index("3,000,000 triangles") < warnings
    assert '<code class="pointer">/accessors/3/min/0</code>' in content
    assert "What to fix:" in content


def test_status_json_gives_rejected_messages_with_pointers_and_the_html_to_show(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.REJECTED, report=REJECTED_REPORT)
    client.force_login(bob)

    revision = status(client, entry)["revisions"][0]

    assert revision["messages"][0]["pointer"] == "/accessors/3/min/0"
    assert "2 errors" in revision["html"] and "What to fix:" in revision["html"]
    assert revision["visible"] is True


def test_failed_revision_says_it_is_our_fault_without_our_internal_messages(client, entry, bob):
    EntryRevisionFactory(
        entry=entry,
        status=EntryRevision.Status.FAILED,
        report={"messages": [{"severity": "error", "code": "PROCESSING_FAILED", "message": "Traceback ..."}]},
    )
    client.force_login(bob)

    content = page(client, entry)
    revision = status(client, entry)["revisions"][0]

    assert "Something went wrong on our side, not with your file." in content
    assert "need to do anything" in content
    assert "Traceback" not in content
    assert revision["messages"] == []


def test_ready_revision_shows_its_hero_thumbnail_and_figures(client, entry, bob):
    revision = ready_with_hero(entry)
    client.force_login(bob)

    content = page(client, entry)

    assert f'src="{artifact_url(revision)}"' in content
    assert "12,345" in content
    assert "6.00 × 1.80 × 4.00 m" in content
    assert status(client, entry)["revisions"][0]["hero_url"] == artifact_url(revision)


def test_ready_revision_without_a_thumbnail_has_no_image(client, entry, bob):
    EntryRevisionFactory(entry=entry, status=EntryRevision.Status.READY, stats=STATS)
    client.force_login(bob)

    assert status(client, entry)["revisions"][0]["hero_url"] is None
    assert "<img" not in page(client, entry)


def test_status_json_gives_the_current_file_panel_once_a_revision_is_current(client, entry, bob):
    revision = ready_with_hero(entry)
    entry.current_revision = revision
    entry.save()
    client.force_login(bob)

    body = status(client, entry)

    assert body["current_revision"] == revision.number
    assert artifact_url(revision) in body["current_html"]
    assert f"If the deadline were now, revision {revision.number}" in body["current_html"]


# --- The thumbnail is the team's ---------------------------------------------------------------------------------


def test_team_member_gets_the_hero_thumbnail(client, entry, bob):
    revision = ready_with_hero(entry)
    client.force_login(bob)

    response = client.get(artifact_url(revision))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content) == WEBP


def test_non_member_gets_404_for_a_thumbnail(client, entry, charlie):
    revision = ready_with_hero(entry)
    client.force_login(charlie)

    assert client.get(artifact_url(revision)).status_code == 404


def test_only_names_listed_in_the_artifacts_are_served(client, entry, bob):
    revision = ready_with_hero(entry)
    default_storage.save("revisions/1/front.webp", ContentFile(WEBP))
    client.force_login(bob)

    assert client.get(artifact_url(revision, "front")).status_code == 404


def test_thumbnail_under_another_entry_url_is_404(client, entry, team, bob):
    revision = ready_with_hero(entry)
    other = EntryFactory(team=team, track=TrackFactory(competition=team.competition))
    client.force_login(bob)

    url = reverse("frontend:revision-artifact", kwargs={"pk": other.pk, "revision_pk": revision.pk, "name": "hero"})

    assert client.get(url).status_code == 404
