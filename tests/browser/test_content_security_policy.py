"""The Content-Security-Policy in headless Chromium: the recorder of violations (tests/browser/conftest.py) catches
what the policy refuses, and pages the journeys do not visit work under it: the 3D viewer with a textured model
and the API documentation (Swagger UI, ReDoc). Any violation fails these tests, like every browser test."""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import Competition, EntryRevision, Round
from competitions.pipeline.samples import grid_scene_glb
from competitions.services import assignment, entries, judging, processing
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    JudgeFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    captain_of,
)

pytestmark = [pytest.mark.browser]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def context(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_the_recorder_catches_an_injected_inline_script_and_style_attribute(request, context, live_server) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/")

    # What an attacker's markup would try: an inline script and a style attribute.
    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.injected = true';
          document.body.appendChild(script);
          document.body.setAttribute('style', 'background: red');
        }"""
    )
    page.wait_for_timeout(200)

    violations = request.node.csp_violations
    ran = page.evaluate("() => window.injected === true")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert not ran
    assert background != "rgb(255, 0, 0)"
    assert any("script-src-elem" in violation for violation in violations), violations
    assert any("style-src-attr" in violation for violation in violations), violations
    violations.clear()  # they were this test's purpose, not a fault of the site


@pytest.fixture
def textured_round(transactional_db) -> Round:
    """An open round with one processed entry whose model has a PNG texture, assigned to one judge."""
    competition = CompetitionFactory(slug="csp-viewer")
    track = TrackFactory(competition=competition)
    team = TeamFactory(competition=competition, name="Checkerboard Studio")
    entry = EntryFactory(team=team, track=track, title="Chequered plaza")
    upload = SimpleUploadedFile("plaza.glb", grid_scene_glb(2000, textured=True), content_type="model/gltf-binary")
    revision = entries.revision_receive(entry=entry, user=captain_of(team), upload=upload)
    processing.revision_process(revision_id=revision.pk)
    assert EntryRevision.objects.get(pk=revision.pk).status == EntryRevision.Status.READY
    now = timezone.now()
    Competition.objects.filter(pk=competition.pk).update(
        registration_closes_at=now - timedelta(days=3), submission_deadline=now, judging_starts_at=now
    )
    competition.refresh_from_db()
    organiser = UserFactory(is_staff=True)
    round_ = judging.round_create(
        competition=competition,
        actor=organiser,
        name="Preliminary",
        position=1,
        opens_at=now,
        closes_at=now + timedelta(days=7),
        judges_per_entry=1,
    )
    judging.criterion_create(round=round_, actor=organiser, name="Craft", guidance="", weight=Decimal(1), position=0)
    judge = JudgeFactory(username="viewer.judge@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    return round_


def test_the_3d_viewer_shows_a_textured_model_under_the_policy(textured_round, context, live_server) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("viewer.judge@jury.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/judging/entries/{textured_round.round_entries.get().pk}/")

    page.wait_for_selector("model-viewer[data-loaded='true']")
    page.wait_for_timeout(500)  # the texture is decoded after the model's load event


def test_the_swagger_ui_page_works_under_the_policy(context, live_server) -> None:
    page = context.new_page()

    page.goto(f"{live_server.url}/api/docs/")

    page.locator(".swagger-ui .info .title", has_text="Metascene API").wait_for()
    page.locator(".opblock").first.wait_for()


def test_the_redoc_page_works_under_the_policy(context, live_server) -> None:
    page = context.new_page()

    page.goto(f"{live_server.url}/api/redoc/")

    page.locator("h1", has_text="Metascene API").wait_for()
    # ReDoc's styles arrive in run-time <style> elements, which its page's own policy allows.
    assert page.evaluate("() => document.querySelectorAll('style[data-styled]').length") > 0
