"""Judging in headless Chromium, end to end: a judge opens an assigned entry of a blind round, watches the 3D viewer
load the blind copy of the model, scores every criterion, reloads (the draft is kept) and submits; the organiser
publishes; the team sees its rank. Saves the screenshots the README shows (docs/screenshots/). And the autosave's
answers: a sheet saved in another tab meanwhile, a score off the scale."""

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import Competition, Criterion, EntryRevision, Round, RoundEntry, RoundResult, ScoreSheet
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import assignment, entries, judging, processing
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    CompetitionFactory,
    CriterionFactory,
    EntryFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    captain_of,
    ready_entry,
)

pytestmark = [pytest.mark.browser]
PASSWORD = "correct-horse-battery"

SCENES = {
    "Smart Factory Floor": [
        Box(centre=(0, 0.05, 0), size=(6, 0.1, 4), colour=(0.55, 0.57, 0.6), name="floor"),
        Box(centre=(-1, 0.5, 0), size=(3, 0.4, 0.8), colour=(0.15, 0.45, 0.85), name="conveyor"),
        Box(centre=(1.8, 0.9, 1), size=(0.6, 1.8, 0.6), colour=(0.95, 0.6, 0.1), name="robot"),
    ],
    "Lantern Pavilion": [
        Box(centre=(0, 0.1, 0), size=(4, 0.2, 4), colour=(0.62, 0.45, 0.3), name="deck"),
        Box(centre=(0, 1.2, 0), size=(2.4, 2.0, 2.4), colour=(0.78, 0.16, 0.14), name="pavilion"),
        Box(centre=(0, 2.4, 0), size=(3.2, 0.3, 3.2), colour=(0.18, 0.19, 0.22), name="roof"),
    ],
}


@pytest.fixture
def round_(transactional_db) -> Round:
    """A blind round over two teams' processed entries (real thumbnails and viewer copies), open and assigned to
    one judge; submissions have just closed."""
    competition = CompetitionFactory(name="Metaverse Scenario Design Competition", slug="metaverse-design")
    # Two entries: enough for a first prize here (a track needs three by default).
    track = TrackFactory(
        competition=competition, name="Industrial metaverse", slug="industrial", min_entries_for_first_prize=2
    )
    for index, (title, boxes) in enumerate(SCENES.items()):
        team = TeamFactory(competition=competition, name=["Huangpu Digital Twins", "Lakeside Learning Lab"][index])
        entry = EntryFactory(team=team, track=track, title=title, description=f"{title}, built for the jury.")
        upload = SimpleUploadedFile("scene.glb", scene_glb(boxes), content_type="model/gltf-binary")
        revision = entries.revision_receive(entry=entry, user=captain_of(team), upload=upload)
        processing.revision_process(revision_id=revision.pk)
        assert EntryRevision.objects.get(pk=revision.pk).status == EntryRevision.Status.READY
    # Submissions close now, with both files ready.
    now = timezone.now()
    Competition.objects.filter(pk=competition.pk).update(
        registration_closes_at=now - timedelta(days=3),
        submission_deadline=now,
        judging_starts_at=now,
    )
    competition.refresh_from_db()
    organiser = UserFactory(username="organiser@example.com", is_staff=True)
    round_ = judging.round_create(
        competition=competition,
        actor=organiser,
        name="Online preliminary",
        position=1,
        opens_at=now,
        closes_at=now + timedelta(days=7),
        blind=Round.Blind.ALWAYS,
        judges_per_entry=1,
    )
    for position, (name, weight) in enumerate([("Creativity", "3"), ("Technical quality", "2"), ("Presentation", "1")]):
        judging.criterion_create(
            round=round_,
            actor=organiser,
            name=name,
            guidance=f"How strong is the entry's {name.lower()}?",
            weight=Decimal(weight),
            position=position,
            comment_required=name == "Presentation",
        )
    judge = JudgeFactory(username="sun.li@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    return round_


@pytest.fixture
def context(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    yield context
    context.close()


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def score_entry(page, round_: Round, values: list[str]) -> None:
    for criterion, value in zip(round_.criteria.order_by("position"), values, strict=True):
        page.fill(f"#id_score-{criterion.pk}", value)
        if criterion.comment_required:
            page.fill(f"#id_comment-{criterion.pk}", "Warmer light at the entrance would draw visitors in.")
    # A locator, not wait_for_function: Playwright evaluates that predicate with eval(), which the site's
    # Content-Security-Policy refuses. Case matters: "Not saved yet" must not match.
    page.locator("[data-sheet-status]", has_text=re.compile(r"\bSaved\b")).wait_for()


def test_judge_scores_in_the_3d_panel_and_the_organiser_publishes_and_the_team_sees_its_rank(
    round_: Round, context, live_server
) -> None:
    page = context.new_page()
    judge_email = "sun.li@jury.example.org"
    log_in(page, live_server, judge_email)

    # The queue: two entries by code, no team names (the round is blind).
    page.goto(f"{live_server.url}/judging/")
    page.get_by_role("link", name="Online preliminary").first.click()
    page.wait_for_load_state()
    assert "Huangpu Digital Twins" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "judge-queue.png"), full_page=True)
    round_entries = list(round_.round_entries.order_by("blind_code"))

    # The first entry: the viewer loads the blind copy of the model.
    page.goto(f"{live_server.url}/judging/entries/{round_entries[0].pk}/")
    page.wait_for_selector("model-viewer[data-loaded='true']")
    assert round_entries[0].entry.team.name not in page.content()
    score_entry(page, round_, ["8.5", "7", "9"])
    page.screenshot(path=str(SCREENSHOTS / "judge-entry.png"), full_page=True)

    # The draft survives a reload, then Submit locks it.
    page.reload()
    first = round_.criteria.order_by("position")[0]
    assert page.input_value(f"#id_score-{first.pk}") == "8.5"
    page.get_by_role("button", name="Submit scores").click()
    page.wait_for_load_state()
    assert ScoreSheet.objects.get(round_entry=round_entries[0]).status == ScoreSheet.Status.SUBMITTED

    # The next entry by keyboard, scored and submitted lower.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.wait_for_url(f"**/judging/entries/{round_entries[1].pk}/")
    page.wait_for_selector("model-viewer[data-loaded='true']")
    score_entry(page, round_, ["6", "6.5", "5"])
    page.get_by_role("button", name="Submit scores").click()
    page.wait_for_load_state()
    assert round_.sheets.filter(status=ScoreSheet.Status.SUBMITTED).count() == 2

    # The organiser reads the leaderboard and publishes.
    organiser_context = context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    organiser_page = organiser_context.new_page()
    log_in(organiser_page, live_server, "organiser@example.com")
    organiser_page.goto(f"{live_server.url}/organise/rounds/{round_.pk}/leaderboard/")
    assert "Huangpu Digital Twins" in organiser_page.content()
    organiser_page.screenshot(path=str(SCREENSHOTS / "leaderboard.png"), full_page=True)
    # Every sheet is in: the round closes without the missing-sheets guardrail, then its results are published.
    organiser_page.get_by_role("button", name="Close the round…").click()
    organiser_page.wait_for_load_state()
    organiser_page.locator("main").get_by_role("button", name="Close the round").click()
    organiser_page.wait_for_load_state()
    organiser_page.goto(f"{live_server.url}/organise/rounds/{round_.pk}/leaderboard/")
    organiser_page.get_by_role("button", name="Publish results…").click()
    organiser_page.wait_for_load_state()
    organiser_page.locator("main").get_by_role("button", name="Publish results").click()
    organiser_page.wait_for_load_state()
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED
    winner = RoundResult.objects.get(round=round_, rank=1).round_entry.entry
    assert winner == round_entries[0].entry
    organiser_context.close()

    # The winning team's captain sees the rank, the award and the judge's comment, anonymised.
    team_context = context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    team_page = team_context.new_page()
    log_in(team_page, live_server, captain_of(winner.team).email)
    team_page.goto(f"{live_server.url}/teams/{winner.team.pk}/")
    content = team_page.content()
    assert "First prize" in content and "Judge 1" in content
    assert "Warmer light at the entrance" in content
    assert judge_email not in content and "Judge 0" not in content
    team_page.screenshot(path=str(SCREENSHOTS / "team-results.png"), full_page=True)
    team_context.close()


@pytest.fixture
def small_round(transactional_db) -> tuple[RoundEntry, list[Criterion]]:
    """An open blind round of one entry (no files) and two criteria (0 to 10, in steps of 0.5), assigned to the
    judge sun.li@jury.example.org."""
    round_ = RoundFactory(blind=Round.Blind.ALWAYS)
    track = TrackFactory(competition=round_.competition)
    criteria = [
        CriterionFactory(round=round_, position=position, scale_min=0, scale_max=10, step=Decimal("0.5"))
        for position in range(2)
    ]
    ready_entry(track)
    organiser = UserFactory(is_staff=True)
    judge = JudgeFactory(username="sun.li@jury.example.org")
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    return round_.round_entries.get(), criteria


def test_autosave_shows_a_sheet_saved_in_another_tab_and_marks_a_score_off_the_scale(
    small_round, context, live_server
) -> None:
    round_entry, (first, second) = small_round
    url = f"{live_server.url}/judging/entries/{round_entry.pk}/"
    one = context.new_page()
    log_in(one, live_server, "sun.li@jury.example.org")
    one.goto(url)
    two = context.new_page()  # the same session, in a second tab
    two.goto(url)

    # The first tab saves; the second, still at version 0, is told and shows the newer values.
    one.fill(f"#id_score-{first.pk}", "6")
    one.locator("[data-sheet-status]", has_text=re.compile(r"\bSaved\b")).wait_for()
    two.fill(f"#id_score-{second.pk}", "4")
    two.locator("[data-sheet-status]", has_text="changed in another window").wait_for()
    assert two.input_value(f"#id_score-{first.pk}") == "6"
    assert two.input_value(f"#id_score-{second.pk}") == ""

    # A score off the scale is refused and marked beside its field.
    two.fill(f"#id_score-{second.pk}", "11")
    two.locator(f'[data-error-for="score-{second.pk}"]', has_text="Enter a score from").wait_for()
    assert two.get_attribute(f"#id_score-{second.pk}", "aria-invalid") == "true"
    sheet = ScoreSheet.objects.get(round_entry=round_entry)
    assert sheet.version == 1
    assert [score.value for score in sheet.scores.order_by("criterion__position")] == [Decimal("6"), None]
