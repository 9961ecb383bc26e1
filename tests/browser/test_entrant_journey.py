"""An entrant's first visit, in headless Chromium: sign up, confirm the email, create a team and an entry, upload
a GLB and watch a real Celery worker take it to Ready. Saves screenshots the README shows (docs/screenshots/)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail

from competitions.pipeline.samples import Box, scene_glb
from tests.browser.conftest import SCREENSHOTS
from tests.factories import CompetitionFactory, TrackFactory
from tests.worker_process import Worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_entrant_signs_up_creates_a_team_and_an_entry_and_sees_the_upload_become_ready(
    page, live_server, worker: Worker, tmp_path: Path
) -> None:
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", slug="metaverse-design")
    TrackFactory(competition=competition, name="Industrial metaverse", slug="industrial")
    scene = tmp_path / "factory-floor.glb"
    scene.write_bytes(
        scene_glb(
            [
                Box(centre=(0, 0.05, 0), size=(6, 0.1, 4), colour=(0.55, 0.57, 0.6), name="floor"),
                Box(centre=(-1, 0.5, 0), size=(3, 0.4, 0.8), colour=(0.15, 0.45, 0.85), name="conveyor"),
                Box(centre=(1.8, 0.9, 1), size=(0.6, 1.8, 0.6), colour=(0.95, 0.6, 0.1), name="robot"),
            ]
        )
    )

    # Sign up, then follow the emailed link.
    page.goto(f"{live_server.url}/accounts/sign-up/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Display name").fill("Ada Chen")
    page.get_by_label("Organisation").fill("Tongji University")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase")
    page.locator("main").get_by_role("button", name="Sign up").click()
    page.get_by_text("ada@example.com").first.wait_for()
    link = re.search(r"http://\S+/accounts/confirm/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    page.goto(link.group(0).replace("http://127.0.0.1:8000", live_server.url))

    # Create a team in the competition.
    page.goto(f"{live_server.url}/competitions/{competition.slug}/")
    page.get_by_label("Team name").fill("Huangpu Digital Twins")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("heading", name="Huangpu Digital Twins").wait_for()

    # Create an entry in a track.
    page.get_by_label("Track").select_option(label="Industrial metaverse")
    page.get_by_label("Title").fill("Smart factory floor")
    page.get_by_label("Description").fill("Quality inspection line with a patrol robot.")
    page.get_by_role("button", name="Create entry").click()
    page.get_by_role("heading", name="Smart factory floor").wait_for()

    # Upload the scene: the progress bar appears, then the status follows the worker without a reload.
    page.locator("input[type=file]").set_input_files(str(scene))
    page.get_by_role("button", name="Upload", exact=True).click()
    status = page.locator("[data-revision-status]").first
    status.filter(has_text="Ready").wait_for(timeout=60_000)
    assert page.locator("[data-revision-status]").count() == 1
    assert page.get_by_text("Revision 1 (“factory-floor.glb”) is received.").is_visible()
    assert "upload=" not in page.url  # a reload would not say it again

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "entry-ready.png"), full_page=True)
    page.goto(f"{live_server.url}/competitions/{competition.slug}/")
    page.screenshot(path=str(SCREENSHOTS / "competition.png"), full_page=True)


def test_a_visitor_whose_browser_prefers_chinese_reads_the_competition_in_chinese_on_a_phone(
    browser, live_server, db
) -> None:
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", name_zh="元宇宙场景设计大赛")
    TrackFactory(competition=competition, name="Industrial metaverse", name_zh="工业元宇宙")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()

    phone.goto(f"{live_server.url}/competitions/{competition.slug}/")

    assert phone.get_by_role("heading", name="元宇宙场景设计大赛").is_visible()
    assert phone.get_by_text("工业元宇宙").first.is_visible()
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "competition-zh-phone.png"), full_page=True)
    context.close()
