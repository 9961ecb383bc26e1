"""Factories for the test suite: small, realistic objects. Times are relative to now, so windows are open."""

import secrets
from datetime import timedelta

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import (
    Competition,
    Criterion,
    Entry,
    EntryRevision,
    Membership,
    Profile,
    Round,
    Team,
    Track,
)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct-horse-battery")
    is_active = True
    profile = factory.RelatedFactory(
        "tests.factories.ProfileFactory", factory_related_name="user", display_name=factory.SelfAttribute("..email")
    )


class ProfileFactory(factory.django.DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, profile=None)
    display_name = factory.Faker("name")
    organisation = "Tongji University"


class CompetitionFactory(factory.django.DjangoModelFactory[Competition]):
    """A competition whose registration and submission windows are open now."""

    class Meta:
        model = Competition

    name = factory.Sequence(lambda n: f"Metaverse Scenario Design {n}")
    slug = factory.Sequence(lambda n: f"metaverse-{n}")
    summary = "Design a metaverse scene."
    time_zone = "Asia/Shanghai"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    submission_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    judging_starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))
    judging_ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    results_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=31))
    team_size_min = 1
    team_size_max = 3


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    class Meta:
        model = Track

    competition = factory.SubFactory(CompetitionFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")


def _add_captain(team: Team, create: bool, extracted: User | None, **kwargs: object) -> None:
    if create:
        Membership.objects.create(
            team=team, competition=team.competition, user=extracted or UserFactory(), role=Membership.Role.CAPTAIN
        )


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    """A team with a captain (pass ``captain=user`` to choose who)."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    competition = factory.SubFactory(CompetitionFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    captain = factory.PostGeneration(_add_captain)


def add_member(team: Team, user: User | None = None) -> User:
    user = user or UserFactory()
    Membership.objects.create(team=team, competition=team.competition, user=user)
    return user


def captain_of(team: Team) -> User:
    return team.memberships.get(role=Membership.Role.CAPTAIN).user


class EntryFactory(factory.django.DjangoModelFactory[Entry]):
    class Meta:
        model = Entry

    team = factory.SubFactory(TeamFactory)
    track = factory.LazyAttribute(lambda o: TrackFactory(competition=o.team.competition))
    title = factory.Sequence(lambda n: f"Scene {n}")


class EntryRevisionFactory(factory.django.DjangoModelFactory[EntryRevision]):
    class Meta:
        model = EntryRevision

    entry = factory.SubFactory(EntryFactory)
    number = factory.Sequence(lambda n: n + 1)
    file = factory.django.FileField(filename="scene.glb", data=b"glTF")
    original_name = "scene.glb"
    size = 4
    sha256 = "0" * 64
    # Arrived in good time: two hours before the deadline (or before now, if the deadline is still ahead).
    received_at = factory.LazyAttribute(
        lambda revision: min(timezone.now(), revision.entry.team.competition.submission_deadline) - timedelta(hours=2)
    )


def ready_entry(track: Track, team: Team | None = None, **kwargs: object) -> Entry:
    """An entry in ``track`` whose current revision became ready an hour before the deadline (or before now, if
    the deadline is still ahead): what a round takes part with."""
    entry = EntryFactory(track=track, team=team or TeamFactory(competition=track.competition), **kwargs)
    revision = EntryRevisionFactory(
        entry=entry,
        number=1,
        status=EntryRevision.Status.READY,
        processed_at=min(timezone.now(), track.competition.submission_deadline) - timedelta(hours=1),
        sha256=secrets.token_hex(32),
        stats={"triangles": 5000, "vertices": 2601, "materials": 1, "textures": 1, "draw_calls": 1},
    )
    entry.current_revision = revision
    entry.save(update_fields=["current_revision"])
    return entry


class JudgeFactory(UserFactory):
    """A judge from an organisation of their own (so no conflict is detected unless a test makes one)."""

    username = factory.Sequence(lambda n: f"judge{n}@jury{n}.example.org")
    profile = factory.RelatedFactory(
        "tests.factories.ProfileFactory",
        factory_related_name="user",
        display_name=factory.Sequence(lambda n: f"Judge {n}"),
        organisation=factory.Sequence(lambda n: f"Jury institute {n}"),
    )


class RoundFactory(factory.django.DjangoModelFactory[Round]):
    """A draft round whose judging window is open now (the competition's deadline is in the past)."""

    class Meta:
        model = Round

    competition = factory.SubFactory(
        CompetitionFactory,
        submission_opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=20)),
        submission_deadline=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        judging_starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        judging_ends_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=10)),
    )
    name = factory.Sequence(lambda n: f"Round {n}")
    position = factory.Sequence(lambda n: n + 1)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    judges_per_entry = 3


class CriterionFactory(factory.django.DjangoModelFactory[Criterion]):
    class Meta:
        model = Criterion

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    guidance = "How well the scene does this."
    position = factory.Sequence(lambda n: n)
