"""The judged file: a revision counts when its last byte arrived before the team's deadline, whenever processing
finishes; the first round takes each entry's newest such revision that is ready, and will not open while one that
arrived in time is still being checked.

The clock is stopped (``tick=False``) so that "one second before" means exactly that.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.exceptions import RuleError
from competitions.models import Competition, Entry, EntryRevision, Round
from competitions.selectors import deadline as judged
from competitions.services import entries, judging, processing
from tests.factories import CompetitionFactory, CriterionFactory, EntryFactory, RoundFactory, TeamFactory, TrackFactory

from .conftest import glb_upload, refused
from .judging_cast import organiser

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


def deadline_competition() -> Competition:
    """A competition whose submissions close at 2026-12-01 15:59:59 UTC, with a draft first round and a rubric."""
    deadline = datetime(2026, 12, 1, 15, 59, 59, tzinfo=timezone.get_fixed_timezone(0))
    competition = CompetitionFactory(
        team_size_min=1,
        registration_opens_at=deadline - timedelta(days=60),
        registration_closes_at=deadline - timedelta(days=1),
        submission_opens_at=deadline - timedelta(days=30),
        submission_deadline=deadline,
        judging_starts_at=deadline + timedelta(days=1),
        judging_ends_at=deadline + timedelta(days=10),
        results_at=deadline + timedelta(days=11),
    )
    round = RoundFactory(
        competition=competition,
        position=1,
        opens_at=deadline + timedelta(days=1),
        closes_at=deadline + timedelta(days=10),
    )
    CriterionFactory(round=round)
    return competition


def entry_in(competition: Competition, captain: User | None = None) -> Entry:
    team = TeamFactory(competition=competition, captain=captain) if captain else TeamFactory(competition=competition)
    return EntryFactory(team=team, track=TrackFactory(competition=competition))


def upload_at(moment: datetime, entry: Entry) -> EntryRevision:
    captain = entry.team.memberships.get(role="captain").user
    with time_machine.travel(moment, tick=False):
        return entries.revision_receive(entry=entry, user=captain, upload=glb_upload())


def process_at(moment: datetime, revision: EntryRevision) -> EntryRevision:
    with time_machine.travel(moment, tick=False):
        processing.revision_process(revision_id=revision.pk)
    return EntryRevision.objects.get(pk=revision.pk)


def first_round(competition: Competition) -> Round:
    return Round.objects.get(competition=competition, position=1)


def open_first_round(competition: Competition, at: datetime) -> Round:
    return judging.round_open(round=first_round(competition), actor=organiser(), now=at)


def judged_revisions(round: Round) -> dict[int, int]:
    return dict(round.round_entries.values_list("entry_id", "revision_id"))


def test_an_upload_one_second_before_the_deadline_that_becomes_ready_after_it_is_judged() -> None:
    # Given a file whose last byte arrived one second before the deadline, checked ten minutes after it
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    earlier = process_at(deadline - timedelta(hours=1), upload_at(deadline - timedelta(hours=2), entry))
    last_second = upload_at(deadline - timedelta(seconds=1), entry)
    last_second = process_at(deadline + timedelta(minutes=10), last_second)
    assert (earlier.status, last_second.status) == (Status.READY, Status.READY)
    assert last_second.received_at == deadline - timedelta(seconds=1)

    # When the first round opens
    round = open_first_round(competition, deadline + timedelta(hours=1))

    # Then the last-second file is the one judged, not the one ready before the deadline
    assert judged_revisions(round) == {entry.pk: last_second.pk}


def test_an_upload_one_second_after_the_deadline_is_refused_and_not_judged() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    on_time = process_at(deadline - timedelta(minutes=5), upload_at(deadline - timedelta(minutes=30), entry))

    with refused("after_deadline"):
        upload_at(deadline + timedelta(seconds=1), entry)
    round = open_first_round(competition, deadline + timedelta(hours=1))

    assert entry.revisions.count() == 1
    assert judged_revisions(round) == {entry.pk: on_time.pk}


def test_a_file_received_after_the_deadline_is_never_judged_even_when_it_is_ready() -> None:
    # A revision row that says it arrived a second late (an import, a clock fix) does not count.
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    on_time = process_at(deadline - timedelta(minutes=5), upload_at(deadline - timedelta(minutes=30), entry))
    late = process_at(deadline + timedelta(minutes=5), upload_at(deadline - timedelta(minutes=1), entry))
    EntryRevision.objects.filter(pk=late.pk).update(received_at=deadline + timedelta(seconds=1))

    round = open_first_round(competition, deadline + timedelta(hours=1))

    assert judged_revisions(round) == {entry.pk: on_time.pk}


def test_opening_is_refused_while_a_file_received_in_time_is_still_being_checked() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    entry.team.name = "Pudong Robotics"
    entry.team.save()
    process_at(deadline - timedelta(hours=1), upload_at(deadline - timedelta(hours=2), entry))
    pending = upload_at(deadline - timedelta(seconds=1), entry)

    with refused("revisions_still_processing"):
        open_first_round(competition, deadline + timedelta(minutes=1))

    assert list(judged.revisions_still_processing(competition)) == [pending]
    round = first_round(competition)
    assert round.status == Round.Status.DRAFT
    assert not round.round_entries.exists()


def test_the_refusal_names_the_count_and_the_entries_still_being_checked() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    waiting = []
    for name in ("Bund Studio", "Lujiazui Lab", "Xuhui Makers"):
        entry = entry_in(competition)
        entry.team.name = name
        entry.team.save()
        waiting.append(upload_at(deadline - timedelta(minutes=1), entry))

    with pytest.raises(RuleError) as error:
        open_first_round(competition, deadline + timedelta(minutes=1))

    message = str(error.value.message)
    assert message.startswith("3 files uploaded before the deadline are still being checked")
    for name in ("Bund Studio", "Lujiazui Lab", "Xuhui Makers"):
        assert name in message


def test_an_older_file_still_being_checked_does_not_hold_up_opening_when_a_newer_one_is_ready() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    older = upload_at(deadline - timedelta(hours=2), entry)
    newer = process_at(deadline - timedelta(minutes=30), upload_at(deadline - timedelta(hours=1), entry))
    assert older.status == Status.RECEIVED

    round = open_first_round(competition, deadline + timedelta(minutes=1))

    assert judged_revisions(round) == {entry.pk: newer.pk}


def test_a_backlog_of_20_in_time_uploads_is_all_judged_once_the_queue_drains() -> None:
    # Given 20 teams whose files all arrived in the last minute, and no worker caught up by the deadline
    competition = deadline_competition()
    deadline = competition.submission_deadline
    backlog = [upload_at(deadline - timedelta(seconds=60 - 3 * i), entry_in(competition)) for i in range(20)]

    # When the organiser tries to open judging before the queue has drained, then after
    with refused("revisions_still_processing"):
        open_first_round(competition, deadline + timedelta(minutes=1))
    for revision in backlog:
        assert process_at(deadline + timedelta(minutes=20), revision).status == Status.READY
    round = open_first_round(competition, deadline + timedelta(minutes=30))

    # Then every one of them is judged
    assert judged_revisions(round) == {revision.entry_id: revision.pk for revision in backlog}


def test_a_team_given_more_time_may_upload_after_the_deadline_and_that_file_is_judged() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    entry.team.extended_deadline = deadline + timedelta(hours=2)
    entry.team.save()

    extended = process_at(deadline + timedelta(hours=1, minutes=30), upload_at(deadline + timedelta(hours=1), entry))
    with refused("after_deadline"):
        upload_at(deadline + timedelta(hours=2, seconds=1), entry)
    with refused("before_extended_deadline"):
        open_first_round(competition, deadline + timedelta(hours=1))
    round = open_first_round(competition, deadline + timedelta(hours=3))

    assert judged_revisions(round) == {entry.pk: extended.pk}


# --- What the entrant is told ----------------------------------------------------------------------------------


def test_before_the_deadline_the_newest_ready_file_is_the_one_that_would_be_judged() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    ready = process_at(deadline - timedelta(hours=3), upload_at(deadline - timedelta(hours=4), entry))
    checking = upload_at(deadline - timedelta(hours=2), entry)

    file = judged.judged_file_of(entry, now=deadline - timedelta(hours=1))

    assert (file.revision, file.waiting, file.deadline_passed, file.frozen) == (ready, [checking], False, False)


def test_after_opening_the_entrant_is_told_the_frozen_file() -> None:
    competition = deadline_competition()
    deadline = competition.submission_deadline
    entry = entry_in(competition)
    ready = process_at(deadline - timedelta(hours=3), upload_at(deadline - timedelta(hours=4), entry))
    open_first_round(competition, deadline + timedelta(hours=1))

    file = judged.judged_file_of(entry, now=deadline + timedelta(hours=2))

    assert (file.revision, file.frozen, file.deadline_passed) == (ready, True, True)
