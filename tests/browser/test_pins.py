"""Pinned comments in headless Chromium: on the entry page of a blind round the judge turns pinning on, clicks the
model, types a comment and saves; the numbered hotspot appears on the model and the pin is stored at a point of the
scene; after a reload the hotspot and the list are still there; the pin's text is edited from the list. Saves
docs/screenshots/judge-pins.png."""

from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from competitions.models import AuditEvent, Pin, Round, RoundEntry
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import assignment, judging
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory, ready_entry

pytestmark = [pytest.mark.browser]

# A wide floor under a tall block: the centre of the view is on the model whatever the camera's framing.
SCENE = [
    Box(centre=(0, 0.1, 0), size=(6, 0.2, 6), colour=(0.6, 0.6, 0.62), name="floor"),
    Box(centre=(0, 1.5, 0), size=(2.5, 3, 2.5), colour=(0.2, 0.45, 0.8), name="block"),
]


@pytest.fixture
def judged(transactional_db) -> Iterator[tuple[RoundEntry, object]]:
    """An open blind round of one entry whose blind copy is a real GLB, assigned to one judge."""
    round_ = RoundFactory(blind=Round.Blind.ALWAYS)
    track = TrackFactory(competition=round_.competition)
    CriterionFactory(round=round_, position=0)
    entry = ready_entry(track, title="Harbour of Lights")
    revision = entry.current_revision
    assert revision is not None
    stored = default_storage.save(f"revisions/{revision.pk}/blind.glb", ContentFile(scene_glb(SCENE)))
    revision.artifacts = {"blind": stored, "viewer": stored}
    revision.save(update_fields=["artifacts"])
    organiser = UserFactory(is_staff=True)
    judge = JudgeFactory(username="pin.judge@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    yield round_.round_entries.get(), judge
    default_storage.delete(stored)


def show_model(page) -> None:
    """Load the 3D model: the viewer shows its poster until "Show in 3D" is pressed, where it offers the button."""
    start = page.locator("[data-viewer-start]")
    if start.count() and start.is_visible():
        start.click()
    page.wait_for_selector("model-viewer[data-loaded='true']", state="attached")


def test_judge_pins_a_comment_on_the_model_and_finds_it_again_after_a_reload(judged, browser, live_server) -> None:
    round_entry, judge = judged
    page = signed_in_page(browser, live_server, judge, language="en", device=LAPTOP)
    url = f"{live_server.url}/judging/entries/{round_entry.pk}/"
    page.goto(url)
    viewer = page.locator("model-viewer[data-viewer]")
    show_model(page)

    # Pinning on, a click in the middle of the model, the comment, saved.
    toggle = page.get_by_role("button", name="Pin a comment")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    box = viewer.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_label("Comment for the new pin").fill("The block's edge flickers against the floor.")
    page.get_by_role("button", name="Save the pin").click()

    hotspot = page.locator("model-viewer[data-viewer] button.pin-hotspot")
    hotspot.wait_for()
    assert hotspot.inner_text() == "1"
    assert "The block's edge flickers" in (hotspot.get_attribute("aria-label") or "")
    pin = Pin.objects.get()
    assert pin.sheet.judge_id == judge.pk and pin.sheet.round_entry_id == round_entry.pk
    # On the model's surface: inside the scene's bounds, with a unit normal.
    assert -3.01 <= pin.x <= 3.01 and 0 <= pin.y <= 3.01 and -3.01 <= pin.z <= 3.01
    assert abs(sum(n * n for n in pin.normal) - 1) < 1e-6
    assert AuditEvent.objects.filter(action="score.pin_added").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "judge-pins.png"), full_page=False)

    # After a reload the hotspot comes back from the server's list, at the stored point.
    page.reload()
    show_model(page)
    hotspot = page.locator("model-viewer[data-viewer] button.pin-hotspot")
    hotspot.wait_for()
    assert hotspot.inner_text() == "1"
    assert hotspot.get_attribute("data-position") == f"{pin.x:.6f} {pin.y:.6f} {pin.z:.6f}"
    item = page.locator("[data-pin-list] li", has_text="The block's edge flickers")
    assert item.count() == 1

    # Edited from the list, by keyboard alone.
    item.get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Comment for pin 1")
    field.fill("Edge flicker: z-fighting where the block meets the floor.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("[data-pin-list] li", has_text="z-fighting").wait_for()
    pin.refresh_from_db()
    assert pin.text == "Edge flicker: z-fighting where the block meets the floor."
    page.context.close()
