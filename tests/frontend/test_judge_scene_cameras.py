"""The entrant's own cameras on the judge's entry page: extra views labelled "Entrant's camera: <name>" (only
"Camera <n>" in a blind round) and bookmark buttons under the viewer; the views served to the entry's judge only.
See judge_panel_cast for the cast."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from competitions.models import EntryRevision, Round, RoundEntry
from tests.factories import JudgeFactory, UserFactory

from .judge_panel_cast import Panel, open_judged_round, urls, write_artifacts

pytestmark = pytest.mark.django_db

CAMERAS = [
    {
        "name": "camera-1",
        "label": "Aurora lobby",
        "type": "perspective",
        "camera_orbit": "90deg 90deg 5m",
        "camera_target": "0m 0.5m 0m",
        "field_of_view": "45.837deg",
        "max_radius": "12m",
    },
    {
        "name": "camera-2",
        "label": "",
        "type": "orthographic",
        "camera_orbit": "0deg 0deg 7.5m",
        "camera_target": "0m 0.5m 0m",
        "field_of_view": "22.62deg",
        "max_radius": "11.25m",
    },
]


def with_cameras(revision: EntryRevision, cameras: list[dict[str, str]] = CAMERAS) -> None:
    """The revision as the rendering leaves a scene with ``cameras``: their views stored, their bookmarks recorded."""
    for camera in cameras:
        storage_name = f"revisions/{revision.pk}/{camera['name']}.webp"
        path = Path(settings.MEDIA_ROOT) / storage_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{camera['name']} bytes".encode())
        revision.artifacts[camera["name"]] = storage_name
    revision.stats["cameras"] = cameras
    revision.save(update_fields=["artifacts", "stats"])


def panel_with_cameras(blind: str) -> Panel:
    panel = open_judged_round(blind=blind)
    with_cameras(panel[2][0].revision)
    return panel


def camera_url(round_entry: RoundEntry, name: str) -> str:
    return reverse("frontend:judge-artifact", args=[round_entry.pk, name])


def page(client: Client, round_entry: RoundEntry, language: str = "en") -> str:
    response = client.get(urls(round_entry)["entry"], headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


# --- Views and bookmarks -------------------------------------------------------------------------------------------


def test_the_entrants_cameras_are_extra_views_and_bookmarks_under_the_viewer(client: Client) -> None:
    _round, judge, (round_entry,) = panel_with_cameras(Round.Blind.NEVER)
    client.force_login(judge)

    html = page(client, round_entry)

    # Two extra views beside the standard ones, named after the camera (the second has no name: numbered)
    assert f'<img src="{camera_url(round_entry, "camera-1")}"' in html
    assert f'<img src="{camera_url(round_entry, "camera-2")}"' in html
    assert '<figcaption class="small muted">Entrant\'s camera: Aurora lobby</figcaption>' in html
    assert '<figcaption class="small muted">Entrant\'s camera: Camera 2</figcaption>' in html
    # The bookmarks: the standard view, pressed, then each camera with the viewer's parameters
    assert 'data-camera-bookmark="standard" aria-pressed="true">Standard view</button>' in html
    assert 'data-camera-bookmark="camera-1" aria-pressed="false"' in html
    assert 'data-camera-orbit="90deg 90deg 5m" data-camera-target="0m 0.5m 0m"' in html
    assert 'data-field-of-view="45.837deg" data-max-radius="12m">Aurora lobby</button>' in html
    assert 'data-field-of-view="22.62deg" data-max-radius="11.25m">Camera 2</button>' in html
    assert "js/camera_bookmarks.js" in html


def test_in_a_blind_round_the_cameras_are_numbered_never_named(client: Client) -> None:
    _round, judge, (round_entry,) = panel_with_cameras(Round.Blind.ALWAYS)
    client.force_login(judge)

    html = page(client, round_entry)

    assert "Aurora lobby" not in html and "Aurora" not in html
    assert "Entrant's camera: Camera 1</figcaption>" in html
    assert 'data-max-radius="12m">Camera 1</button>' in html
    assert 'data-max-radius="11.25m">Camera 2</button>' in html


def test_the_labels_are_in_chinese_for_a_chinese_reader(client: Client) -> None:
    _round, judge, (round_entry,) = panel_with_cameras(Round.Blind.NEVER)
    client.force_login(judge)

    html = page(client, round_entry, "zh-hans")

    assert "参赛者的相机：Aurora lobby" in html
    assert "参赛者的相机：相机 2" in html
    assert ">标准视角</button>" in html
    assert 'aria-label="相机书签"' in html


def test_a_scene_without_cameras_shows_no_camera_views_nor_bookmarks(client: Client) -> None:
    _round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    client.force_login(judge)

    html = page(client, round_entry)

    assert "data-camera-bookmarks" not in html
    assert "camera_bookmarks.js" not in html
    assert "Entrant's camera" not in html
    assert camera_url(round_entry, "camera-1") not in html


def test_a_recorded_camera_whose_view_is_missing_is_left_out(client: Client) -> None:
    _round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    revision = round_entry.revision
    with_cameras(revision, CAMERAS[:1])
    revision.stats["cameras"] = CAMERAS  # the second's view was never stored
    revision.save(update_fields=["stats"])
    client.force_login(judge)

    html = page(client, round_entry)

    assert "Aurora lobby</button>" in html
    assert "Camera 2" not in html and camera_url(round_entry, "camera-2") not in html


def test_without_a_model_there_are_camera_views_but_no_bookmarks(client: Client) -> None:
    _round, judge, (round_entry,) = open_judged_round(blind=Round.Blind.NEVER)
    revision = round_entry.revision
    write_artifacts(revision, ("hero",))
    revision.file.name = "revisions/x/upload.obj"
    revision.save(update_fields=["file"])
    with_cameras(revision)
    client.force_login(judge)

    html = page(client, round_entry)

    assert "Entrant's camera: Aurora lobby</figcaption>" in html
    assert "data-camera-bookmarks" not in html and "camera_bookmarks.js" not in html


# --- Who may fetch a camera's view ---------------------------------------------------------------------------------


def test_the_judge_fetches_a_cameras_view(client: Client) -> None:
    _round, judge, (round_entry,) = panel_with_cameras(Round.Blind.ALWAYS)
    client.force_login(judge)

    response = client.get(camera_url(round_entry, "camera-1"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"camera-1 bytes"  # type: ignore[attr-defined]
    assert f'filename="{round_entry.blind_code}-camera-1.webp"' in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["camera-7", "camera-0", "cameras_json", "camera-x"])
def test_names_beyond_the_cameras_are_not_found(client: Client, name: str) -> None:
    _round, judge, (round_entry,) = panel_with_cameras(Round.Blind.NEVER)
    client.force_login(judge)

    assert client.get(camera_url(round_entry, name)).status_code == 404


def test_another_judge_an_entrant_and_a_visitor_cannot_fetch_a_cameras_view(client: Client) -> None:
    _round, _judge, (round_entry,) = panel_with_cameras(Round.Blind.NEVER)
    url = camera_url(round_entry, "camera-1")

    client.force_login(JudgeFactory())
    assert client.get(url).status_code == 404
    client.force_login(round_entry.entry.team.memberships.get().user)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("frontend:login"))
