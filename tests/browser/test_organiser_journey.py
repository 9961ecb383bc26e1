"""An organiser runs a whole competition from the console, in headless Chromium, in English and in Chinese (issue 10):
from an empty site, a competition with two tracks and a round with a rubric; a judge invited; entrants upload and the
dashboard shows the entry ready; a reminder goes out; one entry is disqualified; the round closes through the
guardrail (sheets are missing), its results are previewed and published; the archive of judged files is downloaded.

Forms are filled by field name and buttons found by their form's address, so the same steps read the pages in
either language; each language's own words are checked where they matter. What a worker would do (check a file,
build the archive) is done here in the test's process, as the other journeys do. Saves the README's screenshots.
"""

import hashlib
import zipfile
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import Competition, Entry, EntryRevision, ExportJob, Round, Track
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import entries as entry_services
from competitions.services import exports, judging, processing, reminders
from tests.browser.conftest import LAPTOP, SCREENSHOTS, signed_in_page
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser

ZONE = "Asia/Shanghai"
# Words each language's pages must show at the steps that check them.
WORDS = {
    "en": {"ready": "Ready", "disqualified": "Disqualified"},
    "zh-hans": {"ready": "已就绪", "disqualified": "已取消资格"},
}


def _local(moment: datetime) -> str:
    """A moment as a datetime-local input takes it, in the competition's zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")


def _submit(page: Any, action: str) -> None:
    """Press the submit button of the form posting to ``action`` and wait for the next page."""
    with page.expect_navigation():
        page.locator(f'form[action="{action}"] [type=submit]').first.click()


def _upload(entry: Entry, user, name: str, content: bytes, received_at: datetime) -> EntryRevision:
    upload = SimpleUploadedFile(name, content, content_type="model/gltf-binary")
    revision = entry_services.revision_receive(entry=entry, user=user, upload=upload, received_at=received_at)
    processed = processing.revision_process(revision_id=revision.pk)
    assert processed is not None
    return processed


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_organiser_runs_a_competition_from_an_empty_site_to_the_archive(
    browser, live_server, language, tmp_path: Path
) -> None:
    words = WORDS[language]
    olga = UserFactory(username="olga@metascene.example.org", is_staff=True, profile__display_name="Olga Organiser")
    page = signed_in_page(browser, live_server, olga, language=language, device=LAPTOP)
    now = timezone.now()
    slug = f"shanghai-metaverse-{language}"

    # 1. A competition from an empty site: names in both languages, a timeline whose deadline has just passed.
    page.goto(f"{live_server.url}/organise/")
    page.locator('a[href="/organise/competitions/new/"]').first.click()
    page.locator("[name=name]").fill("Shanghai Metaverse Scenario Design")
    page.locator("[name=name_zh]").fill("上海元宇宙场景设计大赛")
    page.locator("[name=slug]").fill(slug)
    zone = page.locator("[name=time_zone]")
    if zone.evaluate("element => element.tagName") == "SELECT":
        zone.select_option(ZONE)
    else:
        zone.fill(ZONE)
    timeline = {
        "registration_opens_at": now - timedelta(days=20),
        "registration_closes_at": now - timedelta(hours=3),
        "submission_opens_at": now - timedelta(days=20),
        "submission_deadline": now - timedelta(hours=2),
        "judging_starts_at": now - timedelta(hours=1),
        "judging_ends_at": now + timedelta(days=10),
        "results_at": now + timedelta(days=11),
    }
    for field, moment in timeline.items():
        page.locator(f"[name={field}]").fill(_local(moment))
    if language == "en":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "organiser-setup.png"), full_page=True)
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    competition = Competition.objects.get(slug=slug)
    assert (competition.name_zh, competition.is_published) == ("上海元宇宙场景设计大赛", False)

    # 2. Two tracks.
    tracks_url = f"/organise/competitions/{slug}/tracks/"
    for name, name_zh, track_slug in [("Industrial metaverse", "工业元宇宙", "industrial"),
                                      ("Culture and tourism", "文化旅游", "culture")]:  # fmt: skip
        page.goto(live_server.url + tracks_url)
        form = page.locator(f'#new-track form[action="{tracks_url}"]')
        form.locator("[name$=name]").first.fill(name)
        form.locator("[name$=name_zh]").fill(name_zh)
        form.locator("[name$=slug]").fill(track_slug)
        _submit(page, tracks_url)
    assert list(competition.tracks.values_list("slug", flat=True)) == ["industrial", "culture"]

    # 3. Preview the public page, then publish it.
    page.goto(f"{live_server.url}/organise/competitions/{slug}/preview/")
    title = "上海元宇宙场景设计大赛" if language == "zh-hans" else "Shanghai Metaverse Scenario Design"
    assert page.get_by_role("heading", name=title).first.is_visible()
    _submit(page, f"/organise/competitions/{slug}/publish/")
    competition.refresh_from_db()
    assert competition.is_published

    # 4. Entrants: two teams upload before the deadline; the worker's checks run here.
    industrial = Track.objects.get(competition=competition, slug="industrial")
    entrants = [UserFactory(username=f"captain{n}@example.com") for n in (1, 2)]
    entries = []
    for number, captain in enumerate(entrants, start=1):
        team = TeamFactory(competition=competition, captain=captain, name=f"Team {number}")
        entries.append(Entry.objects.create(team=team, track=industrial, title=f"Factory floor {number}",
                                            created_by=captain))  # fmt: skip
    scene = scene_glb([Box(centre=(0, 0.5, 0), size=(2, 1, 1), colour=(0.2, 0.5, 0.9), name="conveyor")])
    for entry, captain in zip(entries, entrants, strict=True):
        revision = _upload(entry, captain, "floor.glb", scene, received_at=now - timedelta(hours=3))
        assert revision.status == EntryRevision.Status.READY

    # 5. The dashboard shows the entries ready.
    page.goto(f"{live_server.url}/organise/competitions/{slug}/dashboard/")
    page.get_by_text(words["ready"]).first.wait_for()

    _judging(page, live_server, competition, entries, words, tmp_path)
    if language == "en":  # the dashboard once judging is done, with its charts, for the README
        page.goto(f"{live_server.url}/organise/competitions/{slug}/dashboard/")
        page.screenshot(path=str(SCREENSHOTS / "organiser-dashboard.png"), full_page=True)
    page.context.close()


def _judging(page: Any, live_server, competition: Competition, entries: list[Entry], words: dict[str, str],
             tmp_path: Path) -> None:  # fmt: skip
    """A round with a rubric and a judge; a reminder; a disqualification; close, preview, publish; the archive."""
    slug = competition.slug
    now = timezone.now()

    # 6. A round with one criterion, and a judge invited by email.
    page.goto(f"{live_server.url}/organise/competitions/{slug}/rounds/new/")
    page.locator("[name=name]").fill("Online preliminary")
    page.locator("[name=opens_at]").fill(_local(now - timedelta(minutes=30)))
    page.locator("[name=closes_at]").fill(_local(now + timedelta(hours=20)))
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    round = Round.objects.get(competition=competition)
    criteria_url = f"/organise/rounds/{round.pk}/criteria/"
    form = page.locator(f'form[action="{criteria_url}"]')
    form.locator("[name=new-criterion-name]").fill("Atmosphere")
    form.locator("[name=new-criterion-weight]").fill("2")
    _submit(page, criteria_url)
    assert round.criteria.count() == 1
    page.goto(f"{live_server.url}/organise/rounds/{round.pk}/panel/")
    invite_url = f"/organise/rounds/{round.pk}/judges/"
    for email in ("judge@example.com", "late.judge@example.com"):
        page.locator(f'form[action="{invite_url}"] [name=email]').fill(email)
        _submit(page, invite_url)
    assert round.panelists.count() == 2

    # 7. One entry disqualified, with the reason the team reads.
    page.goto(f"{live_server.url}/organise/competitions/{slug}/entries/")
    disqualify_url = f"/organise/competitions/{slug}/entries/{entries[1].pk}/disqualify/"
    form = page.locator(f'form[action="{disqualify_url}"]')
    form.locator("xpath=..").locator("summary").click()
    form.locator("[name=reason]").fill("The scene copies another team's model.")
    _submit(page, disqualify_url)
    entries[1].refresh_from_db()
    assert entries[1].disqualified_reason == "The scene copies another team's model."
    page.locator("span.badge", has_text=words["disqualified"]).first.wait_for()

    # 8. The round opens (confirmed on its page) and is assigned; the judge is reminded while sheets are unfinished.
    _submit_from(page, live_server, f"/organise/rounds/{round.pk}/open/", f"/organise/rounds/{round.pk}/open/")
    _submit_from(page, live_server, f"/organise/rounds/{round.pk}/assignments/", f"/organise/rounds/{round.pk}/assign/")
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN
    assignments = list(round.assignments.select_related("judge", "round_entry"))
    assert sorted(a.judge.email for a in assignments) == ["judge@example.com", "late.judge@example.com"]
    # One judge scores; the other is late, and is the one reminded.
    scoring = next(a for a in assignments if a.judge.email == "judge@example.com")
    values = {criterion.pk: {"value": Decimal("8"), "comment": ""} for criterion in round.criteria.all()}
    sheet = judging.sheet_save(round_entry=scoring.round_entry, judge=scoring.judge, version=0, values=values)
    judging.sheet_submit(round_entry=scoring.round_entry, judge=scoring.judge, version=sheet.version)
    mail.outbox.clear()
    assert reminders.judging_reminders_send(now=timezone.now()) == 1
    assert [message.to for message in mail.outbox] == [["late.judge@example.com"]]

    # 9. Close through the guardrail: a sheet is missing, and the organiser types how many.
    close_url = f"/organise/rounds/{round.pk}/close/"
    page.goto(live_server.url + close_url)
    page.locator(f'form[action="{close_url}"] [name=missing_confirmed]').fill("1")
    _submit(page, close_url)
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    # The public results, previewed for the organisers only, then published.
    page.goto(f"{live_server.url}/organise/rounds/{round.pk}/preview/")
    page.get_by_text(entries[0].title).first.wait_for()
    publish_url = f"/organise/rounds/{round.pk}/publish/"
    _submit_from(page, live_server, publish_url, publish_url)
    round.refresh_from_db()
    assert round.status == Round.Status.PUBLISHED

    # 10. The archive of judged files, built as the worker would, and downloaded.
    _archive(page, live_server, competition, entries[0], tmp_path)


def _submit_from(page: Any, live_server, url: str, action: str) -> None:
    page.goto(live_server.url + url)
    _submit(page, action)


def _archive(page: Any, live_server, competition: Competition, judged: Entry, tmp_path: Path) -> None:
    slug = competition.slug
    exports_url = f"/organise/competitions/{slug}/exports/"
    page.goto(live_server.url + exports_url)
    _submit(page, f"{exports_url}archive/")
    job = ExportJob.objects.get(competition=competition)
    exports.export_archive_build(job_id=job.pk)
    page.goto(live_server.url + exports_url)
    with page.expect_download() as download:
        page.locator(f'a[href="{exports_url}archive/{job.pk}/"]').click()
    path = tmp_path / "archive.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        hashes = {hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}
    judged.refresh_from_db()
    assert judged.current_revision is not None
    assert judged.current_revision.sha256 in hashes
