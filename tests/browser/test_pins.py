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
from competitions.services import assignment, judging, results
from competitions.services.judging import pins
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TrackFactory,
    UserFactory,
    captain_of,
    ready_entry,
)

pytestmark = [pytest.mark.browser]

# A wide floor under a tall block: the centre of the view is on the model whatever the camera's framing.
SCENE = [
    Box(centre=(0, 0.1, 0), size=(6, 0.2, 6), colour=(0.6, 0.6, 0.62), name="floor"),
    Box(centre=(0, 1.5, 0), size=(2.5, 3, 2.5), colour=(0.2, 0.45, 0.8), name="block"),
]


@pytest.fixture
def blind() -> bool:
    """Whether ``judged`` is a blind round; a test parametrizes it to say otherwise."""
    return True


@pytest.fixture
def judged(blind: bool, transactional_db) -> Iterator[tuple[RoundEntry, object]]:
    """An open round (blind unless ``blind`` says otherwise) of one entry whose blind and viewer copies are a real
    GLB, assigned to one judge."""
    round_ = RoundFactory(blind=Round.Blind.ALWAYS if blind else Round.Blind.NEVER)
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
    page.locator(".judge-scene").screenshot(path=str(SCREENSHOTS / "judge-pins.png"))

    # After a reload the hotspot comes back from the server's list, at the stored point.
    page.reload()
    show_model(page)
    hotspot = page.locator("model-viewer[data-viewer] button.pin-hotspot")
    hotspot.wait_for()
    assert hotspot.inner_text() == "1"
    assert hotspot.get_attribute("data-position") == f"{pin.x:.6f} {pin.y:.6f} {pin.z:.6f}"
    # model-viewer placed it: it marks a hotspot that faces the camera.
    page.wait_for_selector("model-viewer[data-viewer] button.pin-hotspot[data-visible]", state="attached")
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

    # By keyboard alone, a second pin: pinning on, Enter in the 3D view pins the point at its centre.
    page.get_by_role("button", name="Pin a comment").focus()
    page.keyboard.press("Enter")
    # Where Tab lands in the 3D view: model-viewer's own focusable element, inside its shadow root.
    viewer.evaluate("element => element.shadowRoot.querySelector('[tabindex]').focus()")
    page.keyboard.press("Enter")
    page.get_by_label("Comment for the new pin").fill("Centre: the block's front face.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("model-viewer[data-viewer] button.pin-hotspot", has_text="2").wait_for()
    assert list(Pin.objects.order_by("pk").values_list("text", flat=True))[1] == "Centre: the block's front face."
    page.context.close()


@pytest.mark.parametrize("blind", [False])
def test_the_organiser_and_after_publication_the_team_see_the_pins_on_the_model(judged, browser, live_server) -> None:
    round_entry, judge = judged
    pins.pin_add(round_entry=round_entry, judge=judge, position=[0, 3, 0], normal=[0, 1, 0], text="Roof: flat light.")
    criterion = round_entry.round.criteria.get()
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criterion.pk: {"value": "7"}})
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    organiser = UserFactory(is_staff=True)
    judging.round_close(round=round_entry.round, actor=organiser)
    results.round_publish(round=round_entry.round, actor=organiser)

    # The organiser: the judge's name beside the pin, and its hotspot on the model once it is shown.
    page = signed_in_page(browser, live_server, organiser, language="en", device=LAPTOP)
    page.goto(f"{live_server.url}/organise/rounds/{round_entry.round_id}/entries/{round_entry.pk}/pins/")
    assert judge.profile.display_name in page.locator("[data-pin-list]").inner_text()
    show_model(page)
    hotspot = page.locator("model-viewer[data-viewer] button.pin-hotspot")
    assert hotspot.inner_text() == "1"
    assert hotspot.get_attribute("data-position") == "0.000000 3.000000 0.000000"
    page.context.close()

    # The team: "Judge 1", never the name, on its own viewer copy.
    page = signed_in_page(browser, live_server, captain_of(round_entry.entry.team), language="en", device=LAPTOP)
    page.goto(f"{live_server.url}/teams/{round_entry.entry.team_id}/")
    pinned = page.locator("[data-pin-scene]")
    assert "Judge 1" in pinned.inner_text() and "Roof: flat light." in pinned.inner_text()
    assert judge.profile.display_name not in page.content()
    show_model(page)
    hotspot = page.locator("model-viewer[data-viewer] button.pin-hotspot")
    assert hotspot.inner_text() == "1"
    assert "Judge 1" in (hotspot.get_attribute("aria-label") or "")
    page.wait_for_selector("model-viewer[data-viewer] button.pin-hotspot[data-visible]", state="attached")
    page.context.close()
