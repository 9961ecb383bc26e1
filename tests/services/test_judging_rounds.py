"""services.judging: rounds, their rubric (locked once open) and the entries frozen when a round opens."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from competitions.models import AuditEvent, Criterion, EntryRevision, Round, RoundEntry
from competitions.services import judging
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    EntryRevisionFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    ready_entry,
)

from .conftest import refused
from .judging_cast import draft_round, open_round, organiser

pytestmark = pytest.mark.django_db


# --- Rounds ------------------------------------------------------------------------------------------------------


def test_new_round_goes_after_the_last_one_and_is_audited() -> None:
    first = RoundFactory(position=1)
    now = timezone.now()

    second = judging.round_create(
        competition=first.competition, actor=organiser(), name="Final", opens_at=now, closes_at=now + timedelta(days=1)
    )

    assert second.position == 2
    assert second.status == Round.Status.DRAFT
    assert AuditEvent.objects.filter(action="round.created", target_id=second.pk).exists()


def test_round_must_close_after_it_opens() -> None:
    competition = CompetitionFactory()
    now = timezone.now()

    with refused("bad_window"):
        judging.round_create(competition=competition, actor=organiser(), name="R", opens_at=now, closes_at=now)


def test_open_round_keeps_its_blind_setting() -> None:
    round = open_round(draft_round())

    with refused("rubric_locked"):
        judging.round_update(round=round, actor=organiser(), blind=Round.Blind.NEVER)


def test_open_round_may_extend_its_window_and_the_change_is_audited() -> None:
    round = open_round(draft_round())
    later = round.closes_at + timedelta(days=2)

    judging.round_update(round=round, actor=organiser(), closes_at=later)

    round.refresh_from_db()
    assert round.closes_at == later
    event = AuditEvent.objects.get(action="round.changed")
    assert event.data["after"]["closes_at"]


# --- Rubric ------------------------------------------------------------------------------------------------------


def test_criterion_added_to_a_draft_round_is_audited_with_decimal_strings() -> None:
    round = draft_round(criteria=0)

    criterion = judging.criterion_create(
        round=round, actor=organiser(), name="Originality", weight=Decimal("2"), scale_max=Decimal("5"), step=1
    )

    event = AuditEvent.objects.get(action="criterion.created")
    assert event.target_id == criterion.pk
    assert event.data["after"]["weight"] == "2.00"
    assert event.data["after"]["step"] == "1.00"
    assert event.data["round"] == round.pk


def test_criteria_added_without_a_position_are_numbered_from_one_in_order() -> None:
    round = draft_round(criteria=0)

    first = judging.criterion_create(round=round, actor=organiser(), name="Originality")
    second = judging.criterion_create(round=round, actor=organiser(), name="Craft")

    assert (first.position, second.position) == (1, 2)


def test_criterion_change_records_values_before_and_after() -> None:
    round = draft_round(criteria=1)
    criterion = round.criteria.get()

    judging.criterion_update(criterion=criterion, actor=organiser(), weight=Decimal("3.5"))

    event = AuditEvent.objects.get(action="criterion.changed")
    assert event.data["before"]["weight"] == "1.00"
    assert event.data["after"]["weight"] == "3.50"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"scale_min": Decimal("10"), "scale_max": Decimal("5")}, "bad_scale"),
        ({"step": Decimal("0")}, "bad_step"),
        ({"weight": Decimal("-1")}, "bad_weight"),
        ({"name": "  "}, "name_required"),
        ({"weight": "heavy"}, "bad_number"),
        ({"scale_max": "Infinity"}, "bad_number"),
    ],
)
def test_criterion_with_impossible_values_is_refused(fields: dict, code: str) -> None:
    round = draft_round(criteria=0)

    with refused(code):
        judging.criterion_create(round=round, actor=organiser(), **{"name": "Lighting", **fields})


def test_rubric_is_locked_once_the_round_opens() -> None:
    round = open_round(draft_round(criteria=1))
    criterion = round.criteria.get()

    with refused("rubric_locked"):
        judging.criterion_create(round=round, actor=organiser(), name="Late addition")
    with refused("rubric_locked"):
        judging.criterion_update(criterion=criterion, actor=organiser(), weight=Decimal("5"))
    with refused("rubric_locked"):
        judging.criterion_delete(criterion=criterion, actor=organiser())
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("1")
    assert Criterion.objects.filter(round=round).count() == 1


def test_criterion_of_a_draft_round_can_be_deleted_and_it_is_audited() -> None:
    round = draft_round(criteria=2)
    criterion = round.criteria.order_by("pk")[0]
    criterion_id = criterion.pk

    judging.criterion_delete(criterion=criterion, actor=organiser())

    assert round.criteria.count() == 1
    assert AuditEvent.objects.filter(action="criterion.deleted", target_id=criterion_id).exists()


# --- Opening: what is frozen -------------------------------------------------------------------------------------


def test_round_cannot_open_before_the_submission_deadline() -> None:
    round = draft_round()
    deadline = round.competition.submission_deadline

    with refused("before_deadline"):
        judging.round_open(round=round, actor=organiser(), now=deadline - timedelta(seconds=1))


def test_round_cannot_open_without_criteria() -> None:
    with refused("no_criteria"):
        open_round(draft_round(criteria=0))


def test_round_opens_only_once() -> None:
    round = open_round(draft_round())

    with refused("not_draft"):
        open_round(round)


def test_opening_freezes_entries_with_a_ready_revision_received_in_time() -> None:
    round = draft_round(entries=0)
    track = TrackFactory(competition=round.competition)
    deadline = round.competition.submission_deadline
    ready = ready_entry(track)
    rejected = EntryFactory(track=track, team=TeamFactory(competition=round.competition))
    EntryRevisionFactory(entry=rejected, status=EntryRevision.Status.REJECTED)
    EntryFactory(track=track, team=TeamFactory(competition=round.competition))  # nothing uploaded
    late = EntryFactory(track=track, team=TeamFactory(competition=round.competition))
    EntryRevisionFactory(entry=late, status=EntryRevision.Status.READY, received_at=deadline + timedelta(seconds=1))
    other_competition = ready_entry(TrackFactory())

    open_round(round)

    frozen = set(round.round_entries.values_list("entry_id", flat=True))
    assert frozen == {ready.pk}
    assert other_competition.pk not in frozen


def test_opening_records_the_revision_and_its_sha256() -> None:
    round = draft_round(entries=1)

    open_round(round)

    round_entry = round.round_entries.get()
    assert round_entry.revision == round_entry.entry.current_revision
    assert round_entry.sha256 == round_entry.entry.current_revision.sha256
    assert round_entry.track == round_entry.entry.track
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN
    assert round.frozen_at is not None
    assert AuditEvent.objects.filter(action="round.opened", target_id=round.pk).exists()


def test_an_upload_after_opening_does_not_change_what_is_judged() -> None:
    round = open_round(draft_round(entries=1))
    round_entry = round.round_entries.get()
    frozen_revision, frozen_sha = round_entry.revision_id, round_entry.sha256
    entry = round_entry.entry

    newer = EntryRevisionFactory(entry=entry, number=2, status=EntryRevision.Status.READY, sha256="f" * 64)
    entry.current_revision = newer
    entry.save()

    round_entry.refresh_from_db()
    assert (round_entry.revision_id, round_entry.sha256) == (frozen_revision, frozen_sha)


def test_blind_codes_are_unique_in_a_round_even_when_the_draw_collides() -> None:
    round = draft_round(entries=3)
    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA", "CCCCCC"])

    with mock.patch("competitions.services.judging.rounds.new_blind_code", side_effect=lambda: next(draws)):
        open_round(round)

    assert sorted(round.round_entries.values_list("blind_code", flat=True)) == ["AAAAAA", "BBBBBB", "CCCCCC"]


def test_later_round_takes_the_entries_advanced_by_the_previous_round_with_the_same_revisions() -> None:
    first = open_round(draft_round(entries=3))
    judging.round_close(round=first, actor=organiser())
    advanced = first.round_entries.order_by("pk")[:2]
    RoundEntry.objects.filter(pk__in=[e.pk for e in advanced]).update(advanced=True)
    final = RoundFactory(competition=first.competition, position=first.position + 1)
    final.criteria.create(name="Overall")

    open_round(final)

    assert sorted(final.round_entries.values_list("entry_id", "revision_id", "sha256")) == sorted(
        (e.entry_id, e.revision_id, e.sha256) for e in advanced
    )


def test_later_round_cannot_open_while_the_previous_one_is_open() -> None:
    first = open_round(draft_round(entries=2))
    final = RoundFactory(competition=first.competition, position=first.position + 1)
    final.criteria.create(name="Overall")

    with refused("previous_round_open"):
        open_round(final)


def test_round_closes_once_and_it_is_audited() -> None:
    round = open_round(draft_round())

    judging.round_close(round=round, actor=organiser())

    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    assert AuditEvent.objects.filter(action="round.closed", target_id=round.pk).exists()
    with refused("not_open"):
        judging.round_close(round=round, actor=organiser())
