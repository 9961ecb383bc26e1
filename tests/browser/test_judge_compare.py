"""The compare page in headless Chromium: the judge picks two entries of their queue, loads both 3D viewers and turns
one scene with the mouse; the other viewer's camera follows to the same orbit. With "Link cameras" unticked, it
stays where it is. Saves docs/screenshots/judge-compare.png."""

import io
import math
import time
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from competitions.models import Round, RoundEntry
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import assignment, judging
from tests.browser.conftest import LAPTOP, PHONE, SCREENSHOTS, signed_in_page
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory, ready_entry

pytestmark = [pytest.mark.browser]

SCENES = {
    "Harbour of Lights": [
        Box(centre=(0, 0.1, 0), size=(6, 0.2, 6), colour=(0.6, 0.6, 0.62), name="floor"),
        Box(centre=(0, 1.5, 0), size=(2.5, 3, 2.5), colour=(0.2, 0.45, 0.8), name="block"),
    ],
    "Tea House": [
        Box(centre=(0, 0.1, 0), size=(5, 0.2, 5), colour=(0.62, 0.45, 0.3), name="deck"),
        Box(centre=(1, 1.0, 0), size=(2, 1.8, 2), colour=(0.78, 0.16, 0.14), name="house"),
    ],
}


def hero_webp(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), colour).save(buffer, format="WEBP")
    return buffer.getvalue()


@pytest.fixture
def judged(transactional_db) -> Iterator[tuple[Round, list[RoundEntry], object]]:
    """An open blind round of two entries whose blind copies are real GLBs, with hero thumbnails, both assigned to
    one judge."""
    round_ = RoundFactory(blind=Round.Blind.ALWAYS)
    track = TrackFactory(competition=round_.competition)
    CriterionFactory(round=round_, position=0)
    stored = []
    for index, (title, boxes) in enumerate(SCENES.items()):
        entry = ready_entry(track, title=title)
        revision = entry.current_revision
        assert revision is not None
        model = default_storage.save(f"revisions/{revision.pk}/blind.glb", ContentFile(scene_glb(boxes)))
        hero = default_storage.save(
            f"revisions/{revision.pk}/hero.webp", ContentFile(hero_webp([(40, 90, 160), (170, 60, 50)][index]))
        )
        stored += [model, hero]
        revision.artifacts = {"blind": model, "viewer": model, "hero": hero}
        revision.save(update_fields=["artifacts"])
    organiser = UserFactory(is_staff=True)
    judge = JudgeFactory(username="compare.judge@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    round_.judges_per_entry = 1
    round_.save(update_fields=["judges_per_entry"])
    assignment.round_assign(round=round_, actor=organiser)
    yield round_, list(round_.round_entries.order_by("blind_code")), judge
    for name in stored:
        default_storage.delete(name)


ORBITS = "() => Array.from(document.querySelectorAll('model-viewer')).map(v => v.getCameraOrbit().theta)"


def wait_until(page, predicate, what: str, seconds: float = 15) -> None:
    """Poll ``predicate()`` (Python, reading the page with evaluate) until it holds: wait_for_function would have
    Playwright eval() a predicate in the page, which the Content-Security-Policy refuses."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: orbits {page.evaluate(ORBITS)}")
        page.wait_for_timeout(100)


def turn(page, viewer, pixels: int) -> None:
    """Turn the scene of ``viewer`` as a judge does: drag across it with the mouse."""
    box = viewer.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + pixels, y, steps=10)
    page.mouse.up()


def test_turning_one_scene_turns_the_other_until_the_cameras_are_unlinked(judged, browser, live_server) -> None:
    round_, (first, second), judge = judged
    page = signed_in_page(browser, live_server, judge, language="en", device=LAPTOP)

    # From the queue: the two entries, by code, side by side.
    page.goto(f"{live_server.url}/judging/rounds/{round_.pk}/")
    page.get_by_label("First entry").select_option(label=first.blind_code)
    page.get_by_label("Second entry").select_option(label=second.blind_code)
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_url(f"**/judging/rounds/{round_.pk}/compare/?a={first.pk}&b={second.pk}")
    viewers = page.locator("model-viewer[data-viewer]")
    assert viewers.count() == 2
    for title in SCENES:
        assert title not in page.content()
    link = page.get_by_label("Link cameras")
    assert link.is_checked()
    # A heavy scene waits for "Show in 3D" (viewer.js); a light one loads by itself.
    for start in page.locator("[data-viewer-start]").all():
        if start.is_visible():
            start.click()
    wait_until(page, lambda: page.locator("model-viewer[data-loaded='true']").count() == 2, "both models to load")
    before = page.evaluate(ORBITS)

    # Linked: the second viewer follows the first to the same orbit.
    turn(page, viewers.nth(0), 150)
    wait_until(
        page,
        lambda: (lambda a, b: abs(a - before[0]) > 0.1 and math.isclose(a, b, abs_tol=1e-6))(*page.evaluate(ORBITS)),
        "the second camera to follow the first",
    )
    page.screenshot(path=str(SCREENSHOTS / "judge-compare.png"), full_page=True)

    # Neither echoes the other's move back: once the drag is spent, both cameras rest where they are.
    page.wait_for_timeout(500)
    settled = page.evaluate(ORBITS)
    page.wait_for_timeout(500)
    assert page.evaluate(ORBITS) == settled

    # And the first follows the second.
    turn(page, viewers.nth(1), -120)
    wait_until(
        page,
        lambda: (lambda a, b: abs(b - settled[1]) > 0.1 and math.isclose(a, b, abs_tol=1e-6))(*page.evaluate(ORBITS)),
        "the first camera to follow the second",
    )

    # Unlinked: the first turns, the second stays.
    link.uncheck()
    page.wait_for_timeout(500)  # the drag's inertia spent
    resting = page.evaluate(ORBITS)
    turn(page, viewers.nth(0), 150)
    wait_until(page, lambda: abs(page.evaluate(ORBITS)[0] - resting[0]) > 0.1, "the first camera to turn")
    page.wait_for_timeout(800)
    assert page.evaluate(ORBITS)[1] == resting[1]
    page.context.close()


def test_on_a_phone_the_two_entries_are_stacked_and_fit_the_screen(judged, browser, live_server) -> None:
    round_, (first, second), judge = judged
    page = signed_in_page(browser, live_server, judge, language="zh-hans", device=PHONE)

    page.goto(f"{live_server.url}/judging/rounds/{round_.pk}/compare/?a={first.pk}&b={second.pk}")

    sides = page.locator(".compare-side")
    top, bottom = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert top is not None and bottom is not None
    assert bottom["y"] >= top["y"] + top["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_label("镜头联动").is_checked()
    page.context.close()
