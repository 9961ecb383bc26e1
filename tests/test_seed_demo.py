"""``manage.py seed_demo``: a realistic, open competition with teams, ready entries and accounts that log in.

Seeding processes eight real files, so the demo is seeded once for the module, inside a transaction that is
rolled back at the end (as Django's ``setUpTestData`` does); each test runs in a savepoint within it, so what a
test changes is undone before the next. The uploads live in one folder for the module.
"""

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import SettingsWrapper

from competitions.models import (
    AuditEvent,
    Competition,
    Conflict,
    Entry,
    EntryRevision,
    Membership,
    Profile,
    Round,
    ScoreSheet,
    Team,
    Track,
)

SLUG = "metaverse-scenario-design-2026"
MODELS: list[type[models.Model]] = [User, Profile, Competition, Track, Team, Membership, Entry, EntryRevision]

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """The demo, seeded once: (its uploads folder, the command's output). Rolled back after the module."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), DEBUG=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield media, seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root(settings: SettingsWrapper, seeded: tuple[Path, str]) -> None:
    """Every test reads the module's uploads (this replaces the suite's per-test folder)."""
    settings.MEDIA_ROOT = str(seeded[0])


@pytest.fixture
def debug(settings: SettingsWrapper) -> None:
    """The demo is for a developer's machine, where DEBUG is on."""
    settings.DEBUG = True


@pytest.fixture
def fresh_media(settings: SettingsWrapper, tmp_path: Path) -> None:
    """A folder of its own for a test that deletes or re-creates the demo, so the module's files stay."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def output(seeded: tuple[Path, str], debug: None) -> str:
    return seeded[1]


@pytest.fixture
def competition(output: str) -> Competition:
    return Competition.objects.get(slug=SLUG)


def test_seed_creates_the_competition_in_english_and_chinese(competition: Competition) -> None:
    assert competition.name == "Metaverse Scenario Design Competition"
    assert competition.name_zh == "元宇宙场景设计大赛"
    assert competition.summary and competition.summary_zh and competition.rules
    assert competition.time_zone == "Asia/Shanghai"


def test_seed_creates_the_seven_tracks_with_chinese_names(competition: Competition) -> None:
    names = list(competition.tracks.values_list("name_zh", flat=True))

    assert names == ["游戏", "消费", "文旅", "教育", "医疗", "政务", "工业元宇宙"]
    assert all(track.description and track.description_zh for track in competition.tracks.all())


def test_demo_competition_is_open_now_with_the_deadline_weeks_away(competition: Competition) -> None:
    now = timezone.now()

    assert competition.registration_is_open(now) and competition.submission_is_open(now)
    assert competition.submission_deadline - now > timedelta(weeks=4)


def test_demo_deadline_is_the_last_second_of_a_day_in_shanghai(competition: Competition) -> None:
    local = competition.submission_deadline.astimezone(competition.zone)

    assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_demo_team_sizes_are_within_the_competition_limits(competition: Competition) -> None:
    sizes = [team.memberships.count() for team in competition.teams.all()]

    assert len(sizes) >= 3
    assert all(competition.team_size_min <= size <= competition.team_size_max for size in sizes)


def test_every_demo_entry_has_a_ready_current_revision_with_triangles(competition: Competition) -> None:
    demo_entries = Entry.objects.filter(team__competition=competition).select_related("current_revision")

    assert demo_entries.count() >= 5
    for entry in demo_entries:
        assert entry.current_revision is not None, entry.title
        assert entry.current_revision.status == EntryRevision.Status.READY
        assert entry.current_revision.stats["triangles"] > 12


def test_demo_files_are_stored_as_real_uploads(competition: Competition) -> None:
    for revision in EntryRevision.objects.filter(entry__team__competition=competition):
        content = Path(revision.file.path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == revision.sha256
        assert revision.file.name.startswith(f"revisions/{revision.entry_id}/")


def test_demo_shows_a_rejected_upload_replaced_by_a_ready_one(competition: Competition) -> None:
    rejected = EntryRevision.objects.get(entry__team__competition=competition, status=EntryRevision.Status.REJECTED)

    assert rejected.report["messages"][0]["code"] == "GLB_UNEXPECTED_END_OF_CHUNK_DATA"
    current = rejected.entry.current_revision
    assert current is not None and current.number > rejected.number


def test_industrial_track_has_the_factory_entry(competition: Competition) -> None:
    entry = Entry.objects.get(team__competition=competition, track__slug="industrial")

    assert "inspection" in entry.description and "AGV" in entry.description


def test_every_printed_login_works(output: str) -> None:
    logins = re.findall(r"^(organiser|judge|entrant)\s+(\S+@example\.com)\s+(\S+)", output, flags=re.MULTILINE)

    assert len(logins) == User.objects.filter(username__endswith="@example.com").count() >= 10
    for _role, email, password in logins:
        assert authenticate(username=email, password=password) is not None, email


def test_output_names_the_site_url(output: str) -> None:
    assert "http://127.0.0.1:8000" in output


def test_organiser_can_open_the_admin(output: str, client: Client) -> None:
    assert client.login(username="organiser@example.com", password="organiser-demo-2026")

    response = client.get("/admin/")

    assert response.status_code == 200


def test_judge_and_entrants_are_not_staff(output: str) -> None:
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))

    assert staff == {"organiser@example.com"}


def test_every_demo_account_is_active_with_a_profile(output: str) -> None:
    accounts = User.objects.filter(username__endswith="@example.com")

    assert all(user.is_active and user.profile.display_name for user in accounts)


def test_running_seed_again_changes_nothing_and_says_so(output: str) -> None:
    before = row_counts()

    again = seed()

    assert row_counts() == before
    assert "nothing changed" in again


def test_reset_creates_the_demo_afresh(competition: Competition, fresh_media: None) -> None:
    before = row_counts()

    seed("--reset")

    assert row_counts() == before
    assert Competition.objects.get(slug=SLUG).pk != competition.pk


def test_seed_refuses_to_run_with_debug_off(settings: SettingsWrapper, fresh_media: None) -> None:
    settings.DEBUG = False
    before = row_counts()

    with pytest.raises(CommandError):
        seed("--reset")
    assert row_counts() == before


def test_seed_runs_with_debug_off_when_forced(settings: SettingsWrapper) -> None:
    settings.DEBUG = False

    again = seed("--force")

    assert "nothing changed" in again and "organiser@example.com" in again


def test_seed_sets_up_two_rounds_with_rubrics_and_a_panel(competition: Competition) -> None:
    preliminary, final = competition.rounds.order_by("position")

    assert (preliminary.status, final.status) == (Round.Status.DRAFT, Round.Status.DRAFT)
    assert preliminary.is_blind and not final.is_blind
    assert sum(c.weight for c in preliminary.criteria.all()) == 100
    assert all(c.name_zh and c.guidance_zh for c in preliminary.criteria.all())
    # Numbered from 1, like the criteria an organiser adds in the console.
    assert [c.position for c in preliminary.criteria.all()] == list(range(1, preliminary.criteria.count() + 1))
    assert preliminary.panelists.count() == 4


def test_judging_phase_opens_the_preliminary_round_scored_by_all_but_the_demo_judge(
    debug: None, fresh_media: None
) -> None:
    output = seed("--judging")

    preliminary = Round.objects.get(competition__slug=SLUG, position=1)
    demo_judge = User.objects.get(username="judge@example.com")
    chen = User.objects.get(username="chen.hua@example.org")
    assert preliminary.status == Round.Status.OPEN
    assert preliminary.round_entries.count() == 7
    assert preliminary.assignments.filter(judge=demo_judge).count() > 0
    assert not preliminary.sheets.filter(judge=demo_judge).exists()
    others = preliminary.sheets.exclude(judge=demo_judge)
    assert others.count() == preliminary.assignments.exclude(judge=demo_judge).count() > 0
    assert not others.exclude(status=ScoreSheet.Status.SUBMITTED).exists()
    # Professor Chen works where two members of Huangpu Digital Twins study: found, and never assigned their entries.
    assert Conflict.objects.filter(judge=chen, team__name="Huangpu Digital Twins").exists()
    assert not preliminary.assignments.filter(judge=chen, round_entry__entry__team__name="Huangpu Digital Twins")
    assert f"judge@example.com has {preliminary.assignments.filter(judge=demo_judge).count()} entries" in output

    # Scores, audit trail and all, the demo starts again from scratch.
    seed("--reset")

    assert Round.objects.get(competition__slug=SLUG, position=1).status == Round.Status.DRAFT
    assert not ScoreSheet.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="score.").exists()
