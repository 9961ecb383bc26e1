"""Pinned comments: a judge pins, edits and deletes comments on points of the scene while their sheet is editable;
every change is validated, capped per sheet and audited."""

import math

import pytest
from django.contrib.auth.models import User

from competitions.exceptions import RuleError
from competitions.models import AuditEvent, Conflict, Pin, Round, RoundEntry, ScoreSheet
from competitions.selectors import pins as pin_selectors
from competitions.services import judging
from competitions.services.judging import pins

from .conftest import refused
from .judging_cast import assign, criteria_of, draft_round, open_round, organiser, seat

pytestmark = pytest.mark.django_db

UP = [0.0, 2.0, 0.0]


def judged_entry() -> tuple[RoundEntry, User]:
    """An open round with one entry assigned to one judge."""
    round = open_round(draft_round(entries=1))
    round_entry = RoundEntry.objects.get(round=round)
    judge = seat(round)
    assign(round_entry, judge)
    return round_entry, judge


def add(round_entry: RoundEntry, judge: User, text: str = "The roof leaks light here.") -> Pin:
    return pins.pin_add(round_entry=round_entry, judge=judge, position=[1.5, 0.25, -3], normal=UP, text=text)


def test_the_first_pin_creates_the_draft_sheet_with_empty_scores_at_version_zero() -> None:
    round_entry, judge = judged_entry()

    pin = add(round_entry, judge, "  Seam visible on the quay.  ")

    sheet = ScoreSheet.objects.get(round_entry=round_entry, judge=judge)
    assert (sheet.status, sheet.version) == (ScoreSheet.Status.DRAFT, 0)
    assert sheet.scores.count() == len(criteria_of(round_entry.round))
    assert pin.sheet == sheet
    assert pin.position == (1.5, 0.25, -3.0)
    assert pin.normal == (0.0, 1.0, 0.0)  # normalised
    assert pin.text == "Seam visible on the quay."


def test_a_first_score_save_after_a_pin_starts_from_version_zero_and_keeps_the_pin() -> None:
    round_entry, judge = judged_entry()
    add(round_entry, judge)
    criterion = criteria_of(round_entry.round)[0]

    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criterion.pk: {"value": "6"}})

    assert sheet.version == 1
    assert sheet.pins.count() == 1


def test_pins_never_change_the_sheet_version() -> None:
    round_entry, judge = judged_entry()
    criterion = criteria_of(round_entry.round)[0]
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criterion.pk: {"value": "6"}})

    pin = add(round_entry, judge)
    pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, text="Changed.")
    pins.pin_delete(round_entry=round_entry, judge=judge, pin_id=pin.pk)

    assert ScoreSheet.objects.get(round_entry=round_entry, judge=judge).version == 1


def test_editing_changes_the_text_or_moves_the_pin_and_keeps_the_rest() -> None:
    round_entry, judge = judged_entry()
    pin = add(round_entry, judge)

    pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, text="Better: the window frame.")
    pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, position=[0, 1, 2], normal=[3, 0, 4])

    pin.refresh_from_db()
    assert pin.text == "Better: the window frame."
    assert pin.position == (0.0, 1.0, 2.0)
    assert pin.normal == pytest.approx((0.6, 0.0, 0.8))


def test_deleting_removes_only_that_pin() -> None:
    round_entry, judge = judged_entry()
    first, second = add(round_entry, judge, "One."), add(round_entry, judge, "Two.")

    pins.pin_delete(round_entry=round_entry, judge=judge, pin_id=first.pk)

    assert list(Pin.objects.order_by("pk").values_list("pk", flat=True)) == [second.pk]


def test_a_submitted_sheet_refuses_new_edited_and_deleted_pins() -> None:
    round_entry, judge = judged_entry()
    pin = add(round_entry, judge)
    values = {c.pk: {"value": "5"} for c in criteria_of(round_entry.round)}
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)

    with refused("sheet_submitted"):
        add(round_entry, judge)
    with refused("sheet_submitted"):
        pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, text="Later thoughts.")
    with refused("sheet_submitted"):
        pins.pin_delete(round_entry=round_entry, judge=judge, pin_id=pin.pk)
    pin.refresh_from_db()
    assert pin.text == "The roof leaks light here."


def test_a_reopened_sheet_takes_pins_again() -> None:
    round_entry, judge = judged_entry()
    values = {c.pk: {"value": "5"} for c in criteria_of(round_entry.round)}
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)
    sheet = judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    judging.sheet_reopen(sheet=sheet, actor=organiser())

    assert add(round_entry, judge).pk


def test_a_closed_round_refuses_pins_and_creates_no_sheet() -> None:
    round_entry, judge = judged_entry()
    Round.objects.filter(pk=round_entry.round_id).update(status=Round.Status.CLOSED)

    with refused("round_not_open"):
        add(round_entry, judge)
    assert not ScoreSheet.objects.exists()


def test_a_draft_round_refuses_pins() -> None:
    round = draft_round(entries=1)
    judge = seat(round)

    # A draft round has no round entries yet; freeze one by hand to knock on the door.
    round_entry = open_round(round).round_entries.get()
    assign(round_entry, judge)
    Round.objects.filter(pk=round.pk).update(status=Round.Status.DRAFT)

    with refused("round_not_open"):
        add(round_entry, judge)


def test_a_judge_not_assigned_or_conflicted_cannot_pin() -> None:
    round_entry, judge = judged_entry()
    other = seat(round_entry.round)

    with refused("not_assigned"):
        add(round_entry, other)
    Conflict.objects.create(
        competition=round_entry.round.competition, judge=judge, team=round_entry.entry.team, source="declared"
    )
    with refused("conflicted"):
        add(round_entry, judge)


def test_a_judge_cannot_edit_or_delete_another_judges_pin() -> None:
    round_entry, judge = judged_entry()
    other = seat(round_entry.round)
    assign(round_entry, other)
    pin = add(round_entry, judge)
    add(round_entry, other, "Mine.")

    with pytest.raises(Pin.DoesNotExist):
        pins.pin_update(round_entry=round_entry, judge=other, pin_id=pin.pk, text="Hijacked.")
    with pytest.raises(Pin.DoesNotExist):
        pins.pin_delete(round_entry=round_entry, judge=other, pin_id=pin.pk)
    pin.refresh_from_db()
    assert pin.text == "The roof leaks light here."


@pytest.mark.parametrize(
    ("position", "normal", "field"),
    [
        ([1, 2], UP, "position"),
        ([1, 2, math.nan], UP, "position"),
        ([1, math.inf, 0], UP, "position"),
        ("1 2 3", UP, "position"),
        ([1, "two", 3], UP, "position"),
        ([1e300, 0, 0], UP, "position"),
        ([0, 0, 0], [0, 0, 0], "normal"),
        ([0, 0, 0], [0, -math.inf, 0], "normal"),
        ([0, 0, 0], None, "normal"),
    ],
)
def test_bad_points_and_normals_are_refused_with_the_field(position: object, normal: object, field: str) -> None:
    round_entry, judge = judged_entry()

    with pytest.raises(RuleError) as error:
        pins.pin_add(round_entry=round_entry, judge=judge, position=position, normal=normal, text="Hm.")  # type: ignore[arg-type]

    assert (error.value.code, error.value.field) == ("bad_value", field)
    assert not Pin.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_an_empty_or_too_long_comment_is_refused(text: str) -> None:
    round_entry, judge = judged_entry()

    with refused("bad_value"):
        add(round_entry, judge, text)
    assert not Pin.objects.exists()
    assert not ScoreSheet.objects.exists()


def test_a_comment_of_exactly_the_limit_is_kept() -> None:
    round_entry, judge = judged_entry()

    assert len(add(round_entry, judge, "y" * 1000).text) == 1000


def test_a_sheet_takes_at_most_the_cap_of_pins() -> None:
    round_entry, judge = judged_entry()
    for number in range(pins.MAX_PINS_PER_SHEET):
        add(round_entry, judge, f"Note {number}.")

    with refused("pin_limit"):
        add(round_entry, judge, "One too many.")
    assert Pin.objects.count() == pins.MAX_PINS_PER_SHEET


def test_every_change_is_audited_with_before_and_after() -> None:
    round_entry, judge = judged_entry()
    pin = add(round_entry, judge, "First words.")
    pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, text="Second words.")
    pins.pin_update(round_entry=round_entry, judge=judge, pin_id=pin.pk, text="Second words.")  # no change
    pins.pin_delete(round_entry=round_entry, judge=judge, pin_id=pin.pk)

    events = list(AuditEvent.objects.filter(action__startswith="score.pin").order_by("pk"))
    assert [e.action for e in events] == ["score.pin_added", "score.pin_changed", "score.pin_deleted"]
    assert all(e.actor == judge and e.target_type == "scoresheet" for e in events)
    assert all(e.data["round_entry"] == round_entry.pk and e.data["pin"] == pin.pk for e in events)
    assert events[0].data["after"] == {"position": [1.5, 0.25, -3.0], "normal": [0.0, 1.0, 0.0], "text": "First words."}
    assert (events[1].data["before"]["text"], events[1].data["after"]["text"]) == ("First words.", "Second words.")
    assert events[2].data["before"]["text"] == "Second words."


def test_organisers_read_every_judges_pins_with_names_and_judges_only_their_own() -> None:
    round_entry, judge = judged_entry()
    other = seat(round_entry.round)
    assign(round_entry, other)
    add(round_entry, judge, "Mine.")
    add(round_entry, other, "Theirs.")

    own = pin_selectors.judge_pins(judge_id=judge.pk, round_entry=round_entry)
    every = pin_selectors.organiser_pins(round_entry)

    assert [(p.number, p.pin.text, p.author) for p in own] == [(1, "Mine.", "")]
    assert [(p.number, p.pin.text) for p in every] == [(1, "Mine."), (2, "Theirs.")]
    assert [p.author for p in every] == [judge.profile.display_name, other.profile.display_name]
    assert every[0].position_text == "1.500000 0.250000 -3.000000"
    assert every[0].normal_text == "0.000000 1.000000 0.000000"
