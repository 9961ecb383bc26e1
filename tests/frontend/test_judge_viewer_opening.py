"""How the judge's 3D viewer opens (docs/viewing-conditions.md): under the studio environment, on the hero
thumbnail's camera when the renderer recorded it, and, for a heavy scene, only when the judge asks. The hero camera
is read from the revision's own file; a missing or broken one leaves model-viewer to frame the model. Another judge
still gets a 404. See judge_panel_cast for the cast."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from competitions.models import EntryRevision, Round
from competitions.selectors.viewing import ON_DEMAND_TRIANGLES, viewer_opening
from tests.factories import JudgeFactory

from .judge_panel_cast import open_judged_round, urls

pytestmark = pytest.mark.django_db

HERO_CAMERA = {
    "target": [0.25, 0.5, -0.125],
    "azimuth": 40.0,
    "elevation": 22.0,
    "distance": 8.5,
    "fov_y": 30.0,
    "min_distance": 8.5,
    "max_distance": 17.0,
}


def with_hero_camera(revision: EntryRevision, content: bytes) -> None:
    storage_name = f"revisions/{revision.pk}/hero_camera.json"
    path = Path(settings.MEDIA_ROOT) / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    revision.artifacts["hero_camera_json"] = storage_name
    revision.save(update_fields=["artifacts"])


def judge_page(blind: str = Round.Blind.ALWAYS, *, triangles: int = 5000, camera: bytes | None = None) -> str:
    _, judge, (round_entry,) = open_judged_round(blind=blind)
    revision = round_entry.revision
    revision.stats["triangles"] = triangles
    revision.save(update_fields=["stats"])
    if camera is not None:
        with_hero_camera(revision, camera)
    client = Client()
    client.force_login(judge)
    response = client.get(urls(round_entry)["entry"])
    assert response.status_code == 200
    return response.content.decode()


def test_viewer_opens_on_the_recorded_hero_camera_under_the_studio_light() -> None:
    page = judge_page(camera=json.dumps(HERO_CAMERA).encode())
    assert 'camera-orbit="40deg 68deg 8.5m"' in page
    assert 'camera-target="0.25m 0.5m -0.125m"' in page
    assert 'field-of-view="30deg"' in page
    assert 'min-camera-orbit="auto auto 8.5m"' in page and 'max-camera-orbit="auto auto 17m"' in page
    assert re.search(r'environment-image="[^"]*/viewer/studio[^"/]*\.hdr"', page)
    assert 'exposure="1" tone-mapping="neutral" shadow-intensity="0"' in page


def test_a_light_scene_loads_when_visible_without_a_button() -> None:
    page = judge_page(triangles=ON_DEMAND_TRIANGLES)
    assert 'loading="lazy" reveal="auto"' in page
    assert "data-viewer-start" not in page


def test_a_heavy_scene_waits_for_the_judge_to_ask() -> None:
    page = judge_page(triangles=ON_DEMAND_TRIANGLES + 1)
    assert 'reveal="manual"' in page
    assert "data-viewer-start" in page and "Show in 3D" in page
    assert "it loads when you press" in page


@pytest.mark.parametrize("content", [b"{not json", b'{"target": [0, 0, 0]}', b"[]", b"x" * 5000])
def test_a_broken_hero_camera_leaves_model_viewer_to_frame_the_model(content: bytes) -> None:
    page = judge_page(camera=content)
    assert "camera-orbit=" not in page
    assert "environment-image=" in page


def test_revision_without_a_hero_camera_or_a_triangle_count_loads_on_demand_framed_by_model_viewer() -> None:
    opening = viewer_opening(EntryRevision(stats={}, artifacts={}))
    assert opening.camera is None
    assert opening.on_demand


def test_another_judge_cannot_open_the_viewer() -> None:
    _, _, (round_entry,) = open_judged_round()
    with_hero_camera(round_entry.revision, json.dumps(HERO_CAMERA).encode())
    client = Client()
    client.force_login(JudgeFactory())
    assert client.get(urls(round_entry)["entry"]).status_code == 404
