"""The dashboard of a competition in the organiser console: registrations, entries per track and state, file checking
and the workers, judging progress, the next milestone and the three charts; its live fragment; who may see it; the
Chinese page; and its SQL queries, the same for 10 entries as for 500."""

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competitions import tasks
from competitions.models import (
    Assignment,
    CompetitionOrganiser,
    Entry,
    EntryRevision,
    Membership,
    Panelist,
    Round,
    RoundEntry,
    Score,
    ScoreSheet,
    Team,
    WorkerHeartbeat,
)
from competitions.services import judging, queue
from tests.factories import (
    CompetitionFactory,
    CriterionFactory,
    EntryFactory,
    EntryRevisionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


def dashboard_of(competition, **query):
    url = reverse("frontend:organise-dashboard", kwargs={"slug": competition.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def count(pattern, content):
    return len(re.findall(pattern, content))


# --- What it shows --------------------------------------------------------------------------------------------


def test_it_counts_people_teams_and_entries_per_track_and_state(client, olga, scored, track):
    competition = scored.competition
    add_member(Team.objects.filter(competition=competition).first())
    EntryFactory(track=track, team=TeamFactory(competition=competition))  # no file yet
    waiting = EntryFactory(track=track, team=TeamFactory(competition=competition))
    EntryRevisionFactory(entry=waiting, status=EntryRevision.Status.VALIDATING)
    refused = EntryFactory(track=track, team=TeamFactory(competition=competition))
    EntryRevisionFactory(entry=refused, status=EntryRevision.Status.REJECTED)
    EntryFactory(track=track, team=TeamFactory(competition=competition), withdrawn_at=timezone.now())
    out = EntryFactory(track=track, team=TeamFactory(competition=competition), disqualified_at=timezone.now())
    EntryRevisionFactory(entry=out, status=EntryRevision.Status.READY)  # out of judging, whatever its files
    other_track = TrackFactory(competition=competition, name="Industrial metaverse")
    client.force_login(olga)

    response = client.get(dashboard_of(competition))

    dashboard = response.context["dashboard"]
    assert response.status_code == 200
    assert (dashboard.teams, dashboard.people) == (8, 9)
    by_track = {row.track.name: row.in_order for row in dashboard.tracks}
    # no file, processing, ready, rejected, withdrawn, disqualified
    assert by_track == {"Culture and tourism": [1, 1, 3, 1, 1, 1], "Industrial metaverse": [0, 0, 0, 0, 0, 0]}
    content = response.content.decode()
    row = re.search(rf'<tr data-track="{track.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "3", "1", "1", "1", "8"]
    assert f'<tr data-track="{other_track.pk}">' in content
    assert '<dd data-figure="people">9</dd>' in content and '<dd data-figure="teams">8</dd>' in content


def test_an_entry_with_a_ready_file_counts_as_ready_while_a_newer_upload_is_checked(client, olga, scored, track):
    entry = Entry.objects.filter(track=track).first()
    EntryRevisionFactory(entry=entry, number=2, status=EntryRevision.Status.RENDERING)
    client.force_login(olga)

    dashboard = client.get(dashboard_of(scored.competition)).context["dashboard"]

    assert dashboard.state_totals == {
        "no_file": 0, "processing": 0, "ready": 3, "rejected": 0, "withdrawn": 0, "disqualified": 0
    }  # fmt: skip
    assert dashboard.processing.waiting == 1


def test_it_shows_the_oldest_waiting_file_and_each_worker_alive_or_not(client, olga, round, track):
    team = TeamFactory(competition=round.competition, name="Borealis")
    entry = EntryFactory(track=track, team=team, title="Harbour at dusk")
    EntryRevisionFactory(
        entry=entry, status=EntryRevision.Status.RECEIVED, received_at=timezone.now() - timedelta(hours=5)
    )
    EntryRevisionFactory(entry=EntryFactory(track=track, title="Newer scene"), status=EntryRevision.Status.RECEIVED)
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="alive@host", queues="validation", pid=1, started_at=now, seen_at=now)
    WorkerHeartbeat.objects.create(
        name="gone@host", queues="rendering", pid=2, started_at=now, seen_at=now - timedelta(hours=1)
    )
    client.force_login(olga)

    content = client.get(dashboard_of(round.competition)).content.decode()

    assert "2 files of this competition are waiting to be checked." in content
    assert "The oldest: “Harbour at dusk” of Borealis" in content
    assert re.search(r"alive@host</td>\s*<td>validation</td>\s*<td><span class=\"badge status-ready\">alive", content)
    assert re.search(
        r"gone@host</td>\s*<td>rendering</td>\s*<td><span class=\"badge status-failed\">not responding", content
    )


def test_it_shows_judging_progress_per_round_track_and_judge(client, olga, scored, panel):
    ScoreSheet.objects.filter(round=scored, judge=panel[0]).update(status=ScoreSheet.Status.DRAFT)
    client.force_login(olga)

    response = client.get(dashboard_of(scored.competition))

    content = response.content.decode()
    progress = response.context["dashboard"].rounds[0]
    mine = Assignment.objects.filter(round=scored, judge=panel[0]).count()
    assert (progress.assigned, progress.submitted) == (6, 6 - mine)
    assert f"{6 - mine} of 6 sheets submitted" in content
    loads = {load.panelist.user_id: (load.submitted, load.assigned) for load in progress.judges}
    assert loads[panel[0].pk] == (0, mine)
    assert re.search(rf"Judge \d+</th><td>0</td><td>{mine}</td>", content)


def test_it_counts_down_to_the_next_milestone(client, olga):
    competition = CompetitionFactory()
    CompetitionOrganiser.objects.create(competition=competition, user=olga)
    client.force_login(olga)

    content = client.get(dashboard_of(competition)).content.decode()

    assert "Next milestone: Submission deadline" in content
    assert f'data-deadline="{competition.submission_deadline.astimezone(UTC).isoformat()}' in content
    assert "js/countdown.js" in content and "js/dashboard.js" in content


def test_a_round_closing_before_judging_ends_is_the_next_milestone(client, olga, round):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() + timedelta(days=2))
    client.force_login(olga)

    content = client.get(dashboard_of(round.competition)).content.decode()

    assert f"Next milestone: “{round.name}” closes" in content


def test_it_draws_submissions_each_judges_totals_and_rank_changes(client, olga, scored, panel):
    client.force_login(olga)

    content = client.get(dashboard_of(scored.competition)).content.decode()

    assert count(r'<svg class="chart" role="img"', content) == 3
    points = re.search(r'<polyline class="chart-line" points="([^"]*)"', content).group(1).split()
    assert len(points) == 2  # the start at zero, and the day the three files came in
    assert count(r'<rect class="box"', content) == 3  # one per judge
    assert count(r'<line [^>]*class="slope slope-', content) == 3  # one per entry
    assert "Rank changes in Culture and tourism" in content


def test_without_any_file_or_opened_round_it_says_there_is_no_data_yet(client, olga, round):
    client.force_login(olga)

    content = client.get(dashboard_of(round.competition)).content.decode()

    assert "<svg" not in content
    assert "No data yet." in content and "No round has opened yet." in content


def test_after_a_sheet_changes_the_last_figures_show_at_once_and_a_worker_brings_them_up_to_date(
    client, olga, scored, panel, monkeypatch
):
    asked: list[tuple[str, tuple]] = []
    monkeypatch.setattr(queue.current_app, "send_task", lambda name, args, **kw: asked.append((name, args)))
    client.force_login(olga)
    before = client.get(dashboard_of(scored.competition)).context["dashboard"].scores
    sheet = ScoreSheet.objects.filter(round=scored, judge=panel[0]).first()
    judging.sheet_reopen(sheet=sheet, actor=olga, reason="A mark was typed wrong.")

    stale_page = client.get(dashboard_of(scored.competition))
    client.get(dashboard_of(scored.competition))  # a second look within the refresh period asks nothing more
    tasks.refresh_dashboard_scores(scored.pk)  # what the worker does
    after = client.get(dashboard_of(scored.competition)).context["dashboard"].scores

    stale = stale_page.context["dashboard"].scores
    assert not before.stale and stale.stale and not after.stale
    assert sum(len(j.totals) for j in stale.judges) == sum(len(j.totals) for j in before.judges)
    assert "sheets changed since, the figures are being brought up to date" in stale_page.content.decode()
    assert asked == [(queue.REFRESH_DASHBOARD_SCORES, (scored.pk,))]
    assert sum(len(j.totals) for j in after.judges) == sum(len(j.totals) for j in before.judges) - 1


def test_the_fragment_is_the_figures_alone_and_never_cached(client, olga, scored):
    client.force_login(olga)

    response = client.get(dashboard_of(scored.competition, fragment="figures"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and "People in teams" in content and "<svg" in content
    assert "no-cache" in response["Cache-Control"]


def test_the_console_home_links_each_competition_to_its_dashboard(client, olga, round):
    client.force_login(olga)

    assert dashboard_of(round.competition) in client.get(reverse("frontend:organise-home")).content.decode()


def test_the_page_reads_in_chinese(client, olga, scored):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(olga)

    content = client.get(dashboard_of(scored.competition)).content.decode()

    assert "参赛队伍中的人数" in content and "评审进度" in content and "中各评委的总分" in content
    assert "People in teams" not in content


# --- Who may see it -------------------------------------------------------------------------------------------


def test_an_organiser_of_another_competition_gets_a_404(client, round):
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=oscar)
    client.force_login(oscar)

    assert client.get(dashboard_of(round.competition)).status_code == 404
    assert client.get(dashboard_of(round.competition, fragment="figures")).status_code == 404


def test_an_organiser_of_the_competition_sees_it(client, round):
    oscar = UserFactory()
    CompetitionOrganiser.objects.create(competition=round.competition, user=oscar)
    client.force_login(oscar)

    assert client.get(dashboard_of(round.competition)).status_code == 200


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_entrants_and_judges_get_a_404(client, round, alice, jules, who):
    client.force_login({"alice": alice, "jules": jules}[who])

    assert client.get(dashboard_of(round.competition)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, round):
    response = client.get(dashboard_of(round.competition))

    assert response.status_code == 302 and response["Location"].startswith(reverse("frontend:login"))


# --- Constant queries -----------------------------------------------------------------------------------------


def competition_of_size(entries: int):
    """A competition of ``entries`` teams (one person each) with one entry each in two tracks (ready, but every
    tenth still checked and every tenth rejected), and an open round of the ready ones, each scored by two judges."""
    round = RoundFactory()
    competition = round.competition
    tracks = [TrackFactory(competition=competition), TrackFactory(competition=competition)]
    criterion = CriterionFactory(round=round)
    users = UserFactory._meta.model.objects.bulk_create(
        [UserFactory._meta.model(username=f"p{competition.pk}-{i}@example.com") for i in range(entries)]
    )
    teams = Team.objects.bulk_create(
        [Team(competition=competition, name=f"Team {i}", invite_code=f"Q{competition.pk}-{i}") for i in range(entries)]
    )
    Membership.objects.bulk_create(
        [Membership(team=team, competition=competition, user=user) for team, user in zip(teams, users, strict=True)]
    )
    made = Entry.objects.bulk_create(
        [Entry(team=team, track=tracks[i % 2], title=f"Scene {i}") for i, team in enumerate(teams)]
    )
    statuses = [
        EntryRevision.Status.RECEIVED if i % 10 == 1 else EntryRevision.Status.REJECTED if i % 10 == 2 else "ready"
        for i in range(entries)
    ]
    received = competition.submission_deadline - timedelta(days=2)
    revisions = EntryRevision.objects.bulk_create(
        [
            EntryRevision(entry=entry, number=1, file="revisions/x.glb", original_name="x.glb", size=4,
                          sha256=f"{entry.pk:064x}", status=status, received_at=received + timedelta(minutes=i))
            for i, (entry, status) in enumerate(zip(made, statuses, strict=True))
        ]
    )  # fmt: skip
    ready = [(e, r) for e, r in zip(made, revisions, strict=True) if r.status == "ready"]
    for entry, revision in ready:
        entry.current_revision = revision
    Entry.objects.bulk_update([e for e, _r in ready], ["current_revision"])
    round_entries = RoundEntry.objects.bulk_create(
        [
            RoundEntry(round=round, entry=e, track=e.track, revision=r, sha256=r.sha256, blind_code=f"{i:06d}")
            for i, (e, r) in enumerate(ready)
        ]
    )
    judges = [JudgeFactory(), JudgeFactory()]
    Panelist.objects.bulk_create([Panelist(round=round, user=judge) for judge in judges])
    Assignment.objects.bulk_create(
        [Assignment(round=round, judge=j, round_entry=re) for re in round_entries for j in judges]
    )
    sheets = ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(round=round, judge=j, round_entry=re, sha256=re.sha256, status=ScoreSheet.Status.SUBMITTED,
                       submitted_at=timezone.now(), version=1)
            for re in round_entries
            for j in judges
        ]
    )  # fmt: skip
    Score.objects.bulk_create([Score(sheet=s, criterion=criterion, value=Decimal(3 + (s.pk * 7) % 7)) for s in sheets])
    Round.objects.filter(pk=round.pk).update(status=Round.Status.OPEN, frozen_at=timezone.now())
    return competition


def test_the_page_costs_the_same_queries_for_10_and_500_entries(client, olga):
    small, large = competition_of_size(10), competition_of_size(500)
    WorkerHeartbeat.objects.create(
        name="w@host", queues="validation,rendering", pid=1, started_at=timezone.now(), seen_at=timezone.now()
    )
    client.force_login(olga)
    client.get(dashboard_of(small))  # the session and the site's first reads

    counts, pages = [], []
    for competition in (small, large):
        for _computed_then_kept in range(2):
            if not _computed_then_kept:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(dashboard_of(competition))
            assert response.status_code == 200
            counts.append(len(queries))
        pages.append(response.context["dashboard"])

    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert counts[1] < counts[0]  # the score figures were kept
    assert pages[1].entries == 500 and pages[1].state_totals["ready"] == 400
    assert pages[1].rounds[0].submitted == 800
