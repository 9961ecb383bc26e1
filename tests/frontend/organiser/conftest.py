"""The cast of the organiser console's tests: Olga organises (staff), Alice captains the team Aurora and has an
entry, Jules judges the round; a panel of three judges, and a round they have scored."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from competitions.models import Assignment, Criterion, Panelist, Round, ScoreSheet, Track
from competitions.services import assignment as assignment_service
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


@pytest.fixture
def olga(db: None) -> User:
    return UserFactory(username="olga@metascene.example.org", is_staff=True, profile__display_name="Olga Organiser")


@pytest.fixture
def round(db: None) -> Round:
    return RoundFactory(name="Online preliminary", judges_per_entry=2)


@pytest.fixture
def track(round: Round) -> Track:
    return TrackFactory(competition=round.competition, name="Culture and tourism")


@pytest.fixture
def alice(round: Round, track: Track) -> User:
    alice = UserFactory(username="alice@example.com")
    ready_entry(track, team=TeamFactory(competition=round.competition, captain=alice, name="Aurora"))
    return alice


@pytest.fixture
def jules(round: Round) -> User:
    jules = JudgeFactory()
    Panelist.objects.create(round=round, user=jules)
    return jules


@pytest.fixture
def criterion(round: Round) -> Criterion:
    return CriterionFactory(round=round, name="Atmosphere", weight=Decimal("2"))


def open_round(round: Round, organiser: User, *, entries: int = 0, track: Track | None = None) -> Round:
    """Open ``round`` with ``entries`` more ready entries in ``track``."""
    for _ in range(entries):
        assert track is not None
        ready_entry(track)
    return judging.round_open(round=round, actor=organiser)


def score_assigned(round: Round, judge: User, value: str = "7") -> ScoreSheet:
    """``judge`` scores and submits every entry assigned to them."""
    sheet = None
    for assignment in Assignment.objects.filter(round=round, judge=judge).select_related("round_entry"):
        values = {c.pk: {"value": Decimal(value), "comment": "Fine work."} for c in round.criteria.all()}
        sheet = judging.sheet_save(
            round_entry=assignment.round_entry, judge=judge, version=0, values=values, comment="Bravo"
        )
        sheet = judging.sheet_submit(round_entry=assignment.round_entry, judge=judge, version=sheet.version)
    assert sheet is not None
    return sheet


@pytest.fixture
def panel(round: Round) -> list[User]:
    judges = [JudgeFactory() for _ in range(3)]
    for judge in judges:
        Panelist.objects.create(round=round, user=judge)
    return judges


@pytest.fixture
def scored(olga: User, round: Round, track: Track, criterion: Criterion, panel: list[User]) -> Round:
    """An open round of three entries, two criteria, each entry scored by two of the three judges."""
    CriterionFactory(round=round, name="Craft")
    open_round(round, olga, entries=3, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    for number, judge in enumerate(panel):
        score_assigned(round, judge, value=str(5 + number))
    return round


def assigned_round(organiser: User, *, entries: int) -> Round:
    """A round of its own, opened with ``entries`` entries, assigned, and one judge's sheets submitted."""
    round = RoundFactory(judges_per_entry=2)
    track = TrackFactory(competition=round.competition)
    CriterionFactory(round=round)
    judges = [JudgeFactory() for _ in range(3)]
    for judge in judges:
        Panelist.objects.create(round=round, user=judge)
    open_round(round, organiser, entries=entries, track=track)
    assignment_service.round_assign(round=round, actor=organiser)
    score_assigned(round, round.assignments.order_by("pk")[0].judge)
    return round
