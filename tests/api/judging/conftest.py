"""The cast of the judging API tests: judge Jules is assigned Aurora's and Nebula's entries and conflicted with team
Comet; judge Olga sits on the panel with no assignment; Alice captains Aurora; Oscar is an organiser (staff)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from competitions.models import Assignment, Conflict, Panelist, Round, RoundEntry
from competitions.services import judging
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

ORIGINAL_NAME = "aurora-secret-original.glb"


@pytest.fixture
def oscar(db: None) -> User:
    return UserFactory(username="oscar@metascene.example.org", is_staff=True)


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(username="alice@example.com", profile__display_name="Alice Wang")


@pytest.fixture
def jules(db: None) -> User:
    return JudgeFactory(profile__display_name="Jules Verne-Judge")


@pytest.fixture
def olga(db: None) -> User:
    return JudgeFactory(profile__display_name="Olga Other-Judge")


def _open_round(*, blind: str, oscar: User, alice: User, jules: User, olga: User) -> Round:
    round = RoundFactory(blind=blind, judges_per_entry=1)
    competition = round.competition
    # Jules scores two entries: enough for a first prize here.
    track = TrackFactory(competition=competition, name="Culture and tourism", min_entries_for_first_prize=2)
    CriterionFactory(round=round, name="Atmosphere", weight=Decimal("2"))
    CriterionFactory(round=round, name="Craft", weight=Decimal("1"))
    aurora = TeamFactory(competition=competition, captain=alice, name="Aurora Collective")
    nebula = TeamFactory(competition=competition, name="Nebula Works")
    comet = TeamFactory(competition=competition, name="Comet Studio")
    for team in (aurora, nebula, comet):
        entry = ready_entry(track, team=team, title=f"{team.name.split()[0]} harbour")
        revision = entry.current_revision
        assert revision is not None
        revision.original_name = ORIGINAL_NAME
        revision.artifacts = {"hero": "revisions/1/hero.webp", "blind": "revisions/1/blind.glb"}
        revision.save(update_fields=["original_name", "artifacts"])
    Panelist.objects.create(round=round, user=jules, invited_by=oscar)
    Panelist.objects.create(round=round, user=olga, invited_by=oscar)
    judging.round_open(round=round, actor=oscar)
    Conflict.objects.get_or_create(
        competition=competition, judge=jules, team=comet, defaults={"source": Conflict.Source.DECLARED}
    )
    for team in (aurora, nebula):
        round_entry = RoundEntry.objects.get(round=round, entry__team=team)
        Assignment.objects.create(round=round, judge=jules, round_entry=round_entry)
    round.refresh_from_db()
    return round


@pytest.fixture
def blind_round(oscar: User, alice: User, jules: User, olga: User) -> Round:
    return _open_round(blind=Round.Blind.ALWAYS, oscar=oscar, alice=alice, jules=jules, olga=olga)


@pytest.fixture
def open_round(oscar: User, alice: User, jules: User, olga: User) -> Round:
    return _open_round(blind=Round.Blind.NEVER, oscar=oscar, alice=alice, jules=jules, olga=olga)


def entry_of(round: Round, team_name: str) -> RoundEntry:
    return RoundEntry.objects.get(round=round, entry__team__name=team_name)


def judge_urls(round_entry_id: int) -> list[tuple[str, str]]:
    base = f"/api/judging/entries/{round_entry_id}/"
    return [("get", base), ("get", f"{base}sheet/"), ("put", f"{base}sheet/"), ("post", f"{base}sheet/submit/")]


def full_scores(round: Round, value: str = "7.5") -> list[dict[str, object]]:
    return [{"criterion": c.pk, "value": value, "comment": "Good light."} for c in round.criteria.all()]


def submit_all(client: APIClient, round: Round) -> None:
    for row in client.get(f"/api/judging/assignments/?round={round.pk}").json()[0]["assignments"]:
        sheet = client.get(f"/api/judging/entries/{row['round_entry']}/sheet/").json()
        saved = client.put(
            f"/api/judging/entries/{row['round_entry']}/sheet/",
            {"version": sheet["version"], "scores": full_scores(round), "comment": "Lovely water."},
            format="json",
        ).json()
        response = client.post(
            f"/api/judging/entries/{row['round_entry']}/sheet/submit/", {"version": saved["version"]}, format="json"
        )
        assert response.status_code == 200, response.json()
