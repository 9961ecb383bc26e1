"""The console's entries of a competition: the list, disqualifying and reinstating, processing again, a team's own
deadline; seen from the wrong side (another competition's organiser, a judge, an entrant, a visitor); and the team's
side: the reason on its pages in English and Chinese, and withdrawing its own entry."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from competitions.models import AuditEvent, CompetitionOrganiser, Entry, EntryRevision, Round, Team, Track
from competitions.services import entry_lifecycle, queue
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    EntryRevisionFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


@pytest.fixture
def aurora(alice: User) -> Entry:
    return Entry.objects.get(team__name="Aurora")


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(queue, "revision_task_send", lambda task, revision_id: calls.append((task, revision_id)))
    return calls


def entries_url(slug: str) -> str:
    return reverse("frontend:organise-entries", kwargs={"slug": slug})


def action_urls(entry: Entry) -> list[str]:
    """Every page of the entries console that touches ``entry`` (its competition's list included)."""
    slug = entry.team.competition.slug
    revision = entry.current_revision
    assert revision is not None
    return [
        entries_url(slug),
        reverse("frontend:organise-entry-disqualify", kwargs={"slug": slug, "entry_id": entry.pk}),
        reverse("frontend:organise-entry-reinstate", kwargs={"slug": slug, "entry_id": entry.pk}),
        reverse("frontend:organise-revision-rerun", kwargs={"slug": slug, "revision_id": revision.pk}),
        reverse("frontend:organise-rerun-failed", kwargs={"slug": slug}),
        reverse("frontend:organise-team-deadline", kwargs={"slug": slug, "team_id": entry.team_id}),
    ]


# --- The list --------------------------------------------------------------------------------------------------


def test_the_list_shows_each_entrys_team_title_track_and_newest_file(client: Client, olga: User, aurora: Entry) -> None:
    EntryRevisionFactory(entry=aurora, number=2, status=Status.FAILED)
    client.force_login(olga)

    page = client.get(entries_url(aurora.team.competition.slug)).content.decode()

    assert "Aurora" in page and aurora.title in page and "Culture and tourism" in page
    assert 'data-status="failed"' in page and "revision 2" in page
    assert reverse("frontend:organise-rerun-failed", kwargs={"slug": aurora.team.competition.slug}) in page


def test_the_list_filters_by_track_and_status(client: Client, olga: User, aurora: Entry, track: Track) -> None:
    other_track = TrackFactory(competition=track.competition, name="Smart city")
    elsewhere = ready_entry(other_track, title="Neon Alley")
    failed = ready_entry(track, title="Broken Bridge")
    EntryRevisionFactory(entry=failed, number=2, status=Status.FAILED)
    client.force_login(olga)
    url = entries_url(track.competition.slug)

    by_track = client.get(url, {"track": other_track.pk}).content.decode()
    by_status = client.get(url, {"status": "failed"}).content.decode()

    assert elsewhere.title in by_track and aurora.title not in by_track
    assert "Broken Bridge" in by_status and aurora.title not in by_status and "Neon Alley" not in by_status


def test_the_list_shows_disqualified_entries_with_their_reason(client: Client, olga: User, aurora: Entry) -> None:
    entry_lifecycle.entry_disqualify(entry=aurora, actor=olga, reason="Copied scene.")
    client.force_login(olga)

    page = client.get(entries_url(aurora.team.competition.slug), {"status": "disqualified"}).content.decode()

    assert aurora.title in page and "Copied scene." in page
    assert (
        reverse(
            "frontend:organise-entry-reinstate", kwargs={"slug": aurora.team.competition.slug, "entry_id": aurora.pk}
        )
        in page
    )


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_takes_the_same_queries_for_5_or_50_entries(
    client: Client, olga: User, count: int, django_assert_max_num_queries
) -> None:
    track = TrackFactory()
    for number in range(count):
        entry = ready_entry(track)
        if number % 2:
            EntryRevisionFactory(entry=entry, number=2, status=Status.REJECTED)
    client.force_login(olga)

    with django_assert_max_num_queries(12):
        response = client.get(entries_url(track.competition.slug))

    assert response.content.decode().count("data-entry=") == count


def test_the_console_home_links_each_competition_to_its_entries(client: Client, olga: User, round: Round) -> None:
    client.force_login(olga)

    assert entries_url(round.competition.slug) in client.get(reverse("frontend:organise-home")).content.decode()


# --- Disqualify, reinstate, process again ---------------------------------------------------------------------


def test_an_organiser_disqualifies_an_entry_from_the_list(client: Client, olga: User, aurora: Entry) -> None:
    client.force_login(olga)
    slug = aurora.team.competition.slug
    back = entries_url(slug) + "?status=ready"

    response = client.post(
        reverse("frontend:organise-entry-disqualify", kwargs={"slug": slug, "entry_id": aurora.pk}),
        {"reason": "Copied scene.", "next": back},
    )

    assert response.status_code == 302 and response["Location"] == back
    aurora.refresh_from_db()
    assert aurora.disqualified_reason == "Copied scene."
    assert AuditEvent.objects.filter(action="entry.disqualified", actor=olga).exists()


def test_a_disqualification_without_a_reason_is_refused(client: Client, olga: User, aurora: Entry) -> None:
    client.force_login(olga)
    url = reverse(
        "frontend:organise-entry-disqualify", kwargs={"slug": aurora.team.competition.slug, "entry_id": aurora.pk}
    )

    response = client.post(url, {"reason": " "}, follow=True)

    assert "Give a reason." in response.content.decode()
    aurora.refresh_from_db()
    assert not aurora.is_disqualified


def test_an_organiser_reinstates_an_entry(client: Client, olga: User, aurora: Entry) -> None:
    entry_lifecycle.entry_disqualify(entry=aurora, actor=olga, reason="Copied scene.")
    client.force_login(olga)
    url = reverse(
        "frontend:organise-entry-reinstate", kwargs={"slug": aurora.team.competition.slug, "entry_id": aurora.pk}
    )

    client.post(url, {"reason": "It was their own."})

    aurora.refresh_from_db()
    assert not aurora.is_disqualified
    assert AuditEvent.objects.filter(action="entry.reinstated", actor=olga).exists()


def test_an_organiser_processes_a_revision_again(
    client: Client, olga: User, aurora: Entry, sent: list[tuple[str, int]], django_capture_on_commit_callbacks
) -> None:
    revision = EntryRevisionFactory(entry=aurora, number=2, status=Status.REJECTED)
    client.force_login(olga)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "frontend:organise-revision-rerun",
                kwargs={"slug": aurora.team.competition.slug, "revision_id": revision.pk},
            )
        )

    revision.refresh_from_db()
    assert revision.status == Status.RECEIVED
    assert sent == [(queue.VALIDATE_REVISION, revision.pk)]


def test_an_organiser_processes_every_failed_revision_again(
    client: Client, olga: User, aurora: Entry, sent: list[tuple[str, int]]
) -> None:
    failed = EntryRevisionFactory(entry=aurora, number=2, status=Status.FAILED)
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-rerun-failed", kwargs={"slug": aurora.team.competition.slug}), follow=True
    )

    failed.refresh_from_db()
    assert failed.status == Status.RECEIVED
    assert "Failed files being checked again: 1." in response.content.decode()


# --- A team's own deadline -------------------------------------------------------------------------------------


def test_the_new_deadline_is_read_in_the_competitions_time_zone(client: Client, olga: User, aurora: Entry) -> None:
    competition = aurora.team.competition
    shanghai = ZoneInfo(competition.time_zone)
    wanted = (timezone.now() + timedelta(days=2)).astimezone(shanghai).replace(second=0, microsecond=0)
    client.force_login(olga)
    url = reverse("frontend:organise-team-deadline", kwargs={"slug": competition.slug, "team_id": aurora.team_id})

    assert client.get(url).status_code == 200
    response = client.post(url, {"deadline": wanted.strftime("%Y-%m-%dT%H:%M"), "reason": "Power cut."})

    assert response.status_code == 302
    team = Team.objects.get(pk=aurora.team_id)
    assert team.extended_deadline == wanted
    assert AuditEvent.objects.get(action="team.deadline_extended").data["reason"] == "Power cut."


def test_a_deadline_before_the_competitions_is_refused_at_the_field(client: Client, olga: User, aurora: Entry) -> None:
    competition = aurora.team.competition
    client.force_login(olga)
    url = reverse("frontend:organise-team-deadline", kwargs={"slug": competition.slug, "team_id": aurora.team_id})
    early = competition.submission_deadline.astimezone(ZoneInfo(competition.time_zone)) - timedelta(days=1)

    response = client.post(url, {"deadline": early.strftime("%Y-%m-%dT%H:%M"), "reason": "Oops."})

    assert response.status_code == 400
    assert "The new deadline must be after the competition&#x27;s deadline." in response.content.decode()
    assert Team.objects.get(pk=aurora.team_id).extended_deadline is None


def test_the_team_sees_its_own_deadline_on_the_entry_page(
    client: Client, olga: User, alice: User, aurora: Entry
) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    entry_lifecycle.team_extend_deadline(
        team=aurora.team, actor=olga, deadline=datetime(2031, 5, 4, 18, 30, tzinfo=shanghai), reason="Outage."
    )
    client.force_login(alice)

    page = client.get(reverse("frontend:entry-detail", kwargs={"pk": aurora.pk})).content.decode()

    assert "2031" in page and "18:30" in page and "extended for your team" in page


# --- From the wrong side ---------------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_the_login_page(client: Client, aurora: Entry) -> None:
    for url in action_urls(aurora):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["alice", "jules", "other_organiser"])
def test_every_page_is_a_404_for_entrants_judges_and_other_competitions_organisers(
    client: Client, aurora: Entry, alice: User, jules: User, who: str
) -> None:
    other_organiser = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=other_organiser)
    client.force_login({"alice": alice, "jules": jules, "other_organiser": other_organiser}[who])

    list_url, *actions = action_urls(aurora)
    assert client.get(list_url).status_code == 404
    for url in actions:
        assert client.get(url).status_code in (404, 405), url  # 405: an action, whatever the competition
        assert client.post(url, {"reason": "Hijacked", "deadline": "2031-01-01T10:00"}).status_code == 404, url

    aurora.refresh_from_db()
    assert not aurora.is_disqualified and aurora.team.extended_deadline is None
    assert not AuditEvent.objects.filter(action__startswith="entry.").exists()


def test_an_organiser_of_the_competition_runs_its_entries(client: Client, aurora: Entry) -> None:
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=aurora.team.competition, user=oscar)
    client.force_login(oscar)
    slug = aurora.team.competition.slug

    assert client.get(entries_url(slug)).status_code == 200
    client.post(
        reverse("frontend:organise-entry-disqualify", kwargs={"slug": slug, "entry_id": aurora.pk}),
        {"reason": "Copied."},
    )

    aurora.refresh_from_db()
    assert aurora.is_disqualified


# --- The team's side -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "The organisers disqualified this entry."), ("zh-hans", "组委会已取消该作品的参赛资格。")],
)
def test_the_team_reads_the_reason_on_its_entry_and_team_pages(
    client: Client, olga: User, alice: User, aurora: Entry, language: str, heading: str
) -> None:
    entry_lifecycle.entry_disqualify(entry=aurora, actor=olga, reason="场景中含有队伍标志 (team logo in the scene).")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(alice)

    entry_page = client.get(reverse("frontend:entry-detail", kwargs={"pk": aurora.pk})).content.decode()
    team_page = client.get(reverse("frontend:team-detail", kwargs={"pk": aurora.team_id})).content.decode()

    assert heading in entry_page
    assert "场景中含有队伍标志 (team logo in the scene)." in entry_page
    assert "场景中含有队伍标志 (team logo in the scene)." in team_page


@pytest.fixture
def open_entry(db: None) -> Entry:
    """An entry of a team of one in a competition whose deadline is still ahead."""
    return EntryFactory(team=TeamFactory(competition=CompetitionFactory(), captain=UserFactory()), title="Tide")


def test_a_member_withdraws_the_entry_after_a_confirmation(client: Client, open_entry: Entry) -> None:
    member = open_entry.team.memberships.get().user
    client.force_login(member)
    url = reverse("frontend:entry-withdraw", kwargs={"pk": open_entry.pk})

    assert url in client.get(reverse("frontend:entry-detail", kwargs={"pk": open_entry.pk})).content.decode()
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "no longer submitted" in confirmation.content.decode()
    open_entry.refresh_from_db()
    assert not open_entry.is_withdrawn

    page = client.post(url, follow=True).content.decode()

    open_entry.refresh_from_db()
    assert open_entry.is_withdrawn
    assert reverse("frontend:entry-restore", kwargs={"pk": open_entry.pk}) in page
    client.post(reverse("frontend:entry-restore", kwargs={"pk": open_entry.pk}))
    open_entry.refresh_from_db()
    assert not open_entry.is_withdrawn


def test_someone_outside_the_team_cannot_withdraw_it(client: Client, open_entry: Entry) -> None:
    client.force_login(UserFactory())

    assert client.post(reverse("frontend:entry-withdraw", kwargs={"pk": open_entry.pk})).status_code == 404
    open_entry.refresh_from_db()
    assert not open_entry.is_withdrawn


def test_after_the_deadline_the_entry_cannot_be_withdrawn(client: Client, alice: User, aurora: Entry) -> None:
    client.force_login(alice)

    response = client.post(reverse("frontend:entry-withdraw", kwargs={"pk": aurora.pk}), follow=True)

    assert "The submission deadline has passed." in response.content.decode()
    aurora.refresh_from_db()
    assert not aurora.is_withdrawn
