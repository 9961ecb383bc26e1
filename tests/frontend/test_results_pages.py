"""Published results in the portal: the public results page, the link to it, and a team's own results.

The cast: Alice captains Aurora, Bob is in it (tests/frontend/conftest.py); Nebula is another team; judges Jules
and Judith score both entries; Oscar is the organiser.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from competitions.models import Assignment, Panelist, Round, RoundEntry, RoundResult
from competitions.services import judging, results
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TeamFactory, UserFactory, ready_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def oscar(db: None) -> User:
    return UserFactory(username="oscar@metascene.example.org", is_staff=True)


@pytest.fixture
def jules(db: None) -> User:
    return JudgeFactory(profile__display_name="Jules Verne-Judge")


@pytest.fixture
def judith(db: None) -> User:
    return JudgeFactory(profile__display_name="Judith Sharp-Judge")


@pytest.fixture
def judged(competition, track, team, oscar, jules, judith):
    """An open round of the portal cast's competition: Aurora's and Nebula's entries, each scored by both judges
    (Aurora higher), with a comment for the team from each judge. Not closed nor published yet."""
    round = RoundFactory(competition=competition, name="Online preliminary", judges_per_entry=2)
    track.min_entries_for_first_prize = 2  # two entries: enough for a first prize here
    track.save(update_fields=["min_entries_for_first_prize"])
    criterion = CriterionFactory(round=round, name="Atmosphere", weight=Decimal("1"))
    nebula = TeamFactory(competition=competition, name="Nebula")
    ready_entry(track, team=team, title="Harbour at dusk")
    ready_entry(track, team=nebula, title="Desert bloom")
    for judge in (jules, judith):
        Panelist.objects.create(round=round, user=judge, invited_by=oscar)
    judging.round_open(round=round, actor=oscar, now=competition.submission_deadline + timedelta(seconds=1))
    marks = {("Aurora", jules): "9", ("Aurora", judith): "8", ("Nebula", jules): "5", ("Nebula", judith): "4"}
    for (team_name, judge), value in marks.items():
        round_entry = RoundEntry.objects.get(round=round, entry__team__name=team_name)
        Assignment.objects.create(round=round, judge=judge, round_entry=round_entry)
        comment = f"{team_name} feedback {'one' if judge == jules else 'two'}"
        values = {criterion.pk: {"value": Decimal(value), "comment": ""}}
        sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values, comment=comment)
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    judging.round_close(round=round, actor=oscar)
    round.refresh_from_db()
    return round


def _publish(round: Round, oscar: User) -> None:
    results.round_publish(round=round, actor=oscar)


def _results_url(round: Round) -> str:
    return reverse("frontend:competition-results", kwargs={"slug": round.competition.slug})


def test_results_page_before_publication_says_not_published_and_shows_nothing(client, judged):
    response = client.get(_results_url(judged))

    assert response.status_code == 200
    content = response.content.decode()
    assert "not published yet" in content
    assert "Harbour at dusk" not in content
    assert "Nebula" not in content


def test_competition_page_links_to_results_only_once_published(client, judged, oscar):
    detail = reverse("frontend:competition-detail", kwargs={"slug": judged.competition.slug})
    assert _results_url(judged) not in client.get(detail).content.decode()

    _publish(judged, oscar)

    assert _results_url(judged) in client.get(detail).content.decode()


def test_published_results_show_ranks_awards_and_teams_to_anyone(client, judged, oscar):
    _publish(judged, oscar)

    response = client.get(_results_url(judged))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Harbour at dusk") < content.index("Desert bloom")
    assert "Aurora" in content and "Nebula" in content
    assert "First prize" in content
    results = response.context["rounds"][0].tracks[0].results
    assert [(r.rank, r.round_entry.entry.team.name) for r in results] == [(1, "Aurora"), (2, "Nebula")]


def test_results_page_never_names_judges(client, judged, oscar):
    _publish(judged, oscar)

    content = client.get(_results_url(judged)).content.decode()

    assert "Jules" not in content and "Judith" not in content


def test_results_page_of_an_unknown_competition_is_404(client, db):
    assert client.get(reverse("frontend:competition-results", kwargs={"slug": "nope"})).status_code == 404


def test_a_draft_round_with_a_stray_result_row_stays_hidden(client, judged):
    # A result row of a round that is not published (e.g. mid-publication) is never shown.
    round_entry = judged.round_entries.first()
    RoundResult.objects.create(
        round=judged, round_entry=round_entry, track=round_entry.track, rank=1, score=Decimal("9")
    )

    content = client.get(_results_url(judged)).content.decode()

    assert "not published yet" in content
    assert round_entry.entry.title not in content


# --- A team's own results -------------------------------------------------------------------------------------


def _after_the_deadline(round: Round) -> time_machine.travel:
    return time_machine.travel(round.competition.submission_deadline + timedelta(days=2))


def test_team_sees_its_rank_award_and_its_judges_comments_anonymised(client, judged, oscar, team, alice):
    _publish(judged, oscar)

    with _after_the_deadline(judged):
        client.force_login(alice)
        response = client.get(reverse("frontend:team-detail", kwargs={"pk": team.pk}))

    content = response.content.decode()
    assert "First prize" in content
    assert "Aurora feedback one" in content and "Aurora feedback two" in content
    assert "Judge 1" in content and "Judge 2" in content
    assert "Nebula feedback" not in content
    for secret in ("Jules", "Judith", "jury"):  # names and the judges' email domains
        assert secret not in content


def test_team_sees_no_results_before_publication(client, judged, team, alice):
    with _after_the_deadline(judged):
        client.force_login(alice)
        content = client.get(reverse("frontend:team-detail", kwargs={"pk": team.pk})).content.decode()

    assert "Aurora feedback" not in content
    assert "Judge 1" not in content


def _gate_with_aurora_over_budget(round: Round) -> None:
    """A compliance gate on ``round``, and Aurora's judged revision one triangle over the competition's budget."""
    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.GATE)
    for round_entry in RoundEntry.objects.filter(round=round).select_related("revision", "entry__team"):
        over = round.competition.max_triangles + 1 if round_entry.entry.team.name == "Aurora" else 10
        round_entry.revision.stats = {"triangles": over, "materials": 1, "draw_calls": 1, "image_sizes": []}
        round_entry.revision.save(update_fields=["stats"])


def test_a_team_left_unranked_by_the_compliance_gate_reads_why_with_its_judges_comments(
    client, judged, oscar, team, alice
):
    _gate_with_aurora_over_budget(judged)
    _publish(judged, oscar)

    with _after_the_deadline(judged):
        client.force_login(alice)
        content = client.get(reverse("frontend:team-detail", kwargs={"pk": team.pk})).content.decode()
        public = client.get(_results_url(judged)).content.decode()

    assert "Not ranked: failed compliance (Triangles)." in content
    assert "Rank 1" not in content and "First prize" not in content
    assert "Aurora feedback one" in content
    assert "Harbour at dusk" not in public and "Desert bloom" in public


def test_the_gate_reason_reads_in_chinese(client, judged, oscar, team, alice):
    _gate_with_aurora_over_budget(judged)
    _publish(judged, oscar)

    with _after_the_deadline(judged):
        client.force_login(alice)
        content = client.get(
            reverse("frontend:team-detail", kwargs={"pk": team.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()

    assert "未排名：未通过合规检查（三角面数）" in content
