"""A small cast for the judging service tests: an organiser, a draft round with a rubric and ready entries, judges
seated and assigned by hand (the assignment algorithm has its own tests)."""

from decimal import Decimal

from django.contrib.auth.models import User

from competitions.models import Assignment, Criterion, Panelist, Round, RoundEntry, Track
from competitions.services import judging
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory, ready_entry


def organiser() -> User:
    return UserFactory(is_staff=True)


def draft_round(*, entries: int = 3, criteria: int = 2, track: Track | None = None) -> Round:
    """A draft round (deadline passed) with ``criteria`` criteria on 0..10 in steps of 0.5 and ``entries`` ready
    entries, each of its own team."""
    round = RoundFactory() if track is None else RoundFactory(competition=track.competition)
    track = track or TrackFactory(competition=round.competition)
    for _ in range(criteria):
        CriterionFactory(round=round, scale_min=Decimal("0"), scale_max=Decimal("10"), step=Decimal("0.5"))
    for _ in range(entries):
        ready_entry(track)
    return round


def seat(round: Round, judge: User | None = None) -> User:
    judge = judge or JudgeFactory()
    Panelist.objects.create(round=round, user=judge)
    return judge


def assign(round_entry: RoundEntry, judge: User) -> Assignment:
    return Assignment.objects.create(round=round_entry.round, round_entry=round_entry, judge=judge)


def open_round(round: Round) -> Round:
    return judging.round_open(round=round, actor=organiser())


def criteria_of(round: Round) -> list[Criterion]:
    return list(round.criteria.order_by("position", "pk"))
