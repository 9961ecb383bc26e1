"""The entrant's own cameras in headless Chromium, end to end: a GLB with two glTF cameras is processed (validated,
rendered: two extra views and their bookmarks), and its judge presses the bookmarks under the 3D viewer with the
keyboard; the viewer's camera moves to each camera's orbit and back to the standard view. Saves
docs/screenshots/judge-camera-bookmarks.png."""

import math
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import Competition, EntryRevision, Round, RoundEntry
from competitions.services import assignment, entries, judging, processing
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    JudgeFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    captain_of,
)
from tests.pipeline.camera_scenes import orthographic, perspective, turned_about_x, turned_about_y, two_boxes_glb

pytestmark = [pytest.mark.browser]

# A camera 5 m to the right of the scene looking at it (theta 90 degrees, level), and a plan looking straight down.
CAMERAS: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [
    (perspective(yfov=0.7, name="East gate"), {"translation": [5.0, 0.5, 0.0], "rotation": turned_about_y(90)}),
    (orthographic(), {"name": "Plan", "translation": [0.0, 8.0, 0.0], "rotation": turned_about_x(-90)}),
]
ORBIT = (
    "() => { const o = document.querySelector('model-viewer[data-viewer]').getCameraOrbit();"
    " return [o.theta, o.phi, o.radius]; }"
)


@pytest.fixture
def judged(transactional_db) -> Iterator[tuple[RoundEntry, object]]:
    """An open, named round over one processed entry whose GLB has two cameras, assigned to one judge."""
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", slug="cameras")
    track = TrackFactory(competition=competition, name="Culture and tourism", slug="culture")
    team = TeamFactory(competition=competition, name="Harbour Lights")
    entry = EntryFactory(team=team, track=track, title="Two Pavilions")
    upload = SimpleUploadedFile("scene.glb", two_boxes_glb(CAMERAS), content_type="model/gltf-binary")
    revision = entries.revision_receive(entry=entry, user=captain_of(team), upload=upload)
    processing.revision_process(revision_id=revision.pk)
    revision.refresh_from_db()
    assert revision.status == EntryRevision.Status.READY
    assert [camera["label"] for camera in revision.stats["cameras"]] == ["East gate", "Plan"]
    assert {"camera-1", "camera-2"} <= revision.artifacts.keys()
    now = timezone.now()
    Competition.objects.filter(pk=competition.pk).update(
        registration_closes_at=now - timedelta(days=3), submission_deadline=now, judging_starts_at=now
    )
    competition.refresh_from_db()
    organiser = UserFactory(is_staff=True)
    round_ = judging.round_create(
        competition=competition,
        actor=organiser,
        name="Online preliminary",
        position=1,
        opens_at=now,
        closes_at=now + timedelta(days=7),
        blind=Round.Blind.NEVER,
        judges_per_entry=1,
    )
    judging.criterion_create(round=round_, actor=organiser, name="Creativity", guidance="", weight=1, position=0)
    judge = JudgeFactory(username="camera.judge@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    yield round_.round_entries.get(), judge


def wait_until(page, predicate, what: str, seconds: float = 20) -> None:
    """Poll ``predicate()`` (Python, reading the page with evaluate): wait_for_function would have Playwright eval()
    a predicate in the page, which the Content-Security-Policy refuses."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: orbit {page.evaluate(ORBIT)}")
        page.wait_for_timeout(100)


def near(orbit: list[float], theta: float, phi: float, radius: float) -> bool:
    return (
        math.isclose(orbit[0], math.radians(theta), abs_tol=0.01)
        and math.isclose(orbit[1], math.radians(phi), abs_tol=0.01)
        and math.isclose(orbit[2], radius, rel_tol=0.01)
    )


def test_pressing_a_camera_bookmark_moves_the_viewers_camera_there_and_back(judged, browser, live_server) -> None:
    round_entry, judge = judged
    page = signed_in_page(browser, live_server, judge, language="en", device=LAPTOP)
    page.goto(f"{live_server.url}/judging/entries/{round_entry.pk}/")

    # The extra views beside the standard ones
    assert page.get_by_text("Entrant's camera: East gate").count() == 1
    assert page.get_by_text("Entrant's camera: Plan").count() == 1
    start = page.get_by_role("button", name="Show in 3D")
    if start.count():  # the viewer may wait to be asked for the model
        start.click()
    page.wait_for_selector("model-viewer[data-loaded='true']")
    bar = page.get_by_role("group", name="Camera bookmarks")
    standard = bar.get_by_role("button", name="Standard view")
    east = bar.get_by_role("button", name="East gate")
    plan = bar.get_by_role("button", name="Plan")
    assert standard.get_attribute("aria-pressed") == "true"
    before = page.evaluate(ORBIT)

    # With the keyboard: focus the bookmark, press Enter
    east.focus()
    page.keyboard.press("Enter")
    wait_until(page, lambda: near(page.evaluate(ORBIT), 90, 90, 5), "the viewer to reach the east gate camera")
    assert (east.get_attribute("aria-pressed"), standard.get_attribute("aria-pressed")) == ("true", "false")
    page.screenshot(path=str(SCREENSHOTS / "judge-camera-bookmarks.png"), full_page=False)

    # The plan looks straight down from 7.5 m above the centre
    plan.focus()
    page.keyboard.press("Space")
    wait_until(page, lambda: near(page.evaluate(ORBIT), 0, 0, 7.5), "the viewer to reach the plan camera")
    assert (east.get_attribute("aria-pressed"), plan.get_attribute("aria-pressed")) == ("false", "true")

    # And the standard view puts the viewer's own camera back
    standard.click()
    theta, phi, radius = math.degrees(before[0]), math.degrees(before[1]), before[2]
    wait_until(page, lambda: near(page.evaluate(ORBIT), theta, phi, radius), "the standard view")
    assert standard.get_attribute("aria-pressed") == "true"

    # On a phone the bookmarks wrap within the screen
    page.set_viewport_size({"width": 390, "height": 844})
    box = bar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
