"""The submission deadline is one instant, whichever zone a clock shows it in, and each competition sets its own.

The Shanghai competition closes at 2026-12-01 23:59:59 China Standard Time, which is 15:59:59 UTC. The clock is
stopped (``tick=False``) so that "one second before" means exactly that.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from competitions.models import Competition, Entry
from competitions.services import entries
from tests.factories import CompetitionFactory, TeamFactory, TrackFactory

from .conftest import glb_upload, refused

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def competition_closing_at(deadline: datetime) -> Competition:
    """A competition in ``deadline``'s zone whose windows are open for weeks before that deadline."""
    zone = deadline.tzinfo
    year = deadline.year
    return CompetitionFactory(
        time_zone=str(zone),
        registration_opens_at=datetime(year, 1, 1, tzinfo=zone),
        registration_closes_at=deadline,
        submission_opens_at=datetime(year, 1, 2, 9, tzinfo=zone),
        submission_deadline=deadline,
        judging_starts_at=datetime(year, 12, 20, tzinfo=zone),
        judging_ends_at=datetime(year, 12, 30, tzinfo=zone),
        results_at=datetime(year, 12, 31, tzinfo=zone),
    )


def entry_of(competition: Competition, captain: User) -> Entry:
    team = TeamFactory(competition=competition, captain=captain)
    return Entry.objects.create(team=team, track=TrackFactory(competition=competition), title="Scene")


def upload_at(moment: datetime, entry: Entry, user: User) -> None:
    with time_machine.travel(moment, tick=False):
        entries.revision_receive(entry=entry, user=user, upload=glb_upload())


@pytest.fixture
def shanghai_entry(captain: User) -> Entry:
    return entry_of(competition_closing_at(datetime(2026, 12, 1, 23, 59, 59, tzinfo=SHANGHAI)), captain)


def test_the_shanghai_deadline_is_stored_as_the_same_instant_in_utc(shanghai_entry: Entry) -> None:
    competition = Competition.objects.get(pk=shanghai_entry.team.competition_id)

    assert competition.submission_deadline == datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 12, 1, 23, 59, 58, tzinfo=SHANGHAI), datetime(2026, 12, 1, 15, 59, 58, tzinfo=UTC)],
    ids=["shanghai-clock", "utc-clock"],
)
def test_upload_one_second_before_the_shanghai_deadline_is_accepted(
    moment: datetime, shanghai_entry: Entry, captain: User
) -> None:
    upload_at(moment, shanghai_entry, captain)

    assert shanghai_entry.revisions.count() == 1


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 23, 59, 59, tzinfo=SHANGHAI),
        datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC),
        datetime(2026, 12, 2, 0, 0, 0, tzinfo=SHANGHAI),
        datetime(2026, 12, 1, 16, 0, 0, tzinfo=UTC),
    ],
    ids=["at-deadline-shanghai-clock", "at-deadline-utc-clock", "after-shanghai-clock", "after-utc-clock"],
)
def test_upload_at_or_after_the_shanghai_deadline_is_refused(
    moment: datetime, shanghai_entry: Entry, captain: User
) -> None:
    with refused("after_deadline"):
        upload_at(moment, shanghai_entry, captain)

    assert shanghai_entry.revisions.count() == 0


def test_entry_cannot_be_created_at_the_shanghai_deadline(shanghai_entry: Entry, captain: User) -> None:
    other_track = TrackFactory(competition=shanghai_entry.team.competition)

    with time_machine.travel(datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC), tick=False):
        with refused("after_deadline"):
            entries.entry_create(team=shanghai_entry.team, track=other_track, user=captain, title="Late")


def test_london_deadline_at_the_same_wall_clock_time_is_still_open_after_shanghai_closes(captain: User) -> None:
    london_entry = entry_of(competition_closing_at(datetime(2026, 12, 1, 23, 59, 59, tzinfo=LONDON)), captain)
    shanghai_has_closed = datetime(2026, 12, 2, 0, 0, 0, tzinfo=SHANGHAI)

    upload_at(shanghai_has_closed, london_entry, captain)

    assert london_entry.revisions.count() == 1


def test_london_deadline_refuses_uploads_from_midnight_london_time(captain: User) -> None:
    london_entry = entry_of(competition_closing_at(datetime(2026, 12, 1, 23, 59, 59, tzinfo=LONDON)), captain)

    with refused("after_deadline"):
        upload_at(datetime(2026, 12, 2, 0, 0, 0, tzinfo=LONDON), london_entry, captain)


def test_new_york_summer_deadline_follows_daylight_saving_time(captain: User) -> None:
    # 23:59:59 EDT (UTC-4) on 1 July is 03:59:59 UTC on 2 July.
    new_york_entry = entry_of(competition_closing_at(datetime(2026, 7, 1, 23, 59, 59, tzinfo=NEW_YORK)), captain)

    upload_at(datetime(2026, 7, 2, 3, 59, 58, tzinfo=UTC), new_york_entry, captain)
    with refused("after_deadline"):
        upload_at(datetime(2026, 7, 2, 3, 59, 59, tzinfo=UTC), new_york_entry, captain)

    assert new_york_entry.revisions.count() == 1
