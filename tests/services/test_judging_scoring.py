"""services.judging: score sheets (created by the first save, drafts, submit, reopen), optimistic concurrency and
the audit log."""

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from competitions.exceptions import RuleError, StaleVersion
from competitions.models import AuditEvent, Criterion, RoundEntry, Score, ScoreSheet
from competitions.services import judging

from .conftest import refused
from .judging_cast import assign, criteria_of, draft_round, open_round, organiser, seat


def scoring_setup(*, comment_required: bool = False) -> tuple[RoundEntry, User, list[Criterion]]:
    """An open round with two criteria (0..10, step 0.5) and one entry assigned to one judge."""
    round = draft_round(entries=1, criteria=2)
    if comment_required:
        round.criteria.filter(pk=criteria_of(round)[1].pk).update(comment_required=True)
    judge = seat(round)
    open_round(round)
    round_entry = round.round_entries.get()
    assign(round_entry, judge)
    return round_entry, judge, criteria_of(round)


def full_values(criteria: list[Criterion], value: str = "7.5") -> dict[int, dict[str, Any]]:
    return {c.pk: {"value": Decimal(value), "comment": "Well lit."} for c in criteria}


# --- The first save ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_save_creates_one_draft_with_a_score_per_criterion() -> None:
    round_entry, judge, criteria = scoring_setup()

    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "6"}})
    again = judging.sheet_save(round_entry=round_entry, judge=judge, version=1, values={})

    assert again.pk == sheet.pk
    assert ScoreSheet.objects.count() == 1
    assert sheet.status == ScoreSheet.Status.DRAFT
    assert sheet.sha256 == round_entry.sha256
    assert sorted(Score.objects.filter(sheet=sheet).order_by().values_list("criterion_id", "value")) == sorted(
        [(criteria[0].pk, Decimal("6")), (criteria[1].pk, None)]
    )


@pytest.mark.django_db
def test_first_save_refused_by_a_rule_leaves_no_sheet() -> None:
    round_entry, judge, criteria = scoring_setup()

    with refused("out_of_range"):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "11"}})

    assert not ScoreSheet.objects.exists()
    assert not Score.objects.exists()


@pytest.mark.django_db
def test_first_save_based_on_a_version_other_than_0_is_stale_and_creates_nothing() -> None:
    round_entry, judge, _criteria = scoring_setup()

    with pytest.raises(StaleVersion) as error:
        judging.sheet_save(round_entry=round_entry, judge=judge, version=3, values={})

    assert error.value.current_version == 0
    assert not ScoreSheet.objects.exists()


@pytest.mark.django_db
def test_judge_cannot_save_an_entry_not_assigned_to_them() -> None:
    round_entry, _judge, _criteria = scoring_setup()
    other = seat(round_entry.round)

    with refused("not_assigned"):
        judging.sheet_save(round_entry=round_entry, judge=other, version=0, values={})
    assert not ScoreSheet.objects.exists()


@pytest.mark.django_db
def test_judge_cannot_save_a_sheet_once_the_round_is_closed() -> None:
    round_entry, judge, _criteria = scoring_setup()
    judging.round_close(round=round_entry.round, actor=organiser(), missing_confirmed=1)  # its one sheet is missing

    with refused("round_not_open"):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={})
    assert not ScoreSheet.objects.exists()


# --- Saving drafts -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_draft_stores_values_and_increments_the_version() -> None:
    round_entry, judge, criteria = scoring_setup()

    sheet = judging.sheet_save(
        round_entry=round_entry,
        judge=judge,
        version=0,
        values={criteria[0].pk: {"value": Decimal("8.5")}},
        comment="Nice.",
    )

    assert sheet.version == 1
    assert Score.objects.get(sheet=sheet, criterion=criteria[0]).value == Decimal("8.5")
    assert Score.objects.get(sheet=sheet, criterion=criteria[1]).value is None
    assert ScoreSheet.objects.get(pk=sheet.pk).comment == "Nice."


@pytest.mark.django_db
def test_first_save_is_audited_as_created_and_later_ones_as_changed_with_before_and_after() -> None:
    round_entry, judge, criteria = scoring_setup()
    key = f"criterion-{criteria[0].pk}"

    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "6"}})
    judging.sheet_save(round_entry=round_entry, judge=judge, version=1, values={criteria[0].pk: {"value": "6.5"}})

    created = AuditEvent.objects.get(action="score.created")
    assert created.actor == judge
    assert created.target_type == "scoresheet" and created.target_id == sheet.pk
    assert created.data["after"][key]["value"] == "6.00"
    assert created.data["sha256"] == round_entry.sha256
    changed = AuditEvent.objects.get(action="score.changed")
    assert changed.data["before"][key]["value"] == "6.00"
    assert changed.data["after"][key]["value"] == "6.50"
    assert changed.data["round"] == round_entry.round_id


@pytest.mark.django_db
def test_save_with_an_older_version_is_refused_and_writes_nothing() -> None:
    round_entry, judge, criteria = scoring_setup()
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "6"}})

    with pytest.raises(StaleVersion) as error:
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "9"}})

    assert error.value.code == "stale_version"
    assert error.value.current_version == 1
    assert Score.objects.get(sheet=sheet, criterion=criteria[0]).value == Decimal("6")
    assert ScoreSheet.objects.get(pk=sheet.pk).version == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "code"), [("10.5", "out_of_range"), ("-0.5", "out_of_range"), ("7.25", "off_step"),
                                             ("seven", "bad_value"), ("NaN", "out_of_range")])  # fmt: skip
def test_value_off_the_scale_or_its_steps_is_refused(value: str, code: str) -> None:
    round_entry, judge, criteria = scoring_setup()

    with refused(code):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": value}})


@pytest.mark.django_db
def test_scale_ends_and_empty_values_are_accepted_in_a_draft() -> None:
    round_entry, judge, criteria = scoring_setup()

    sheet = judging.sheet_save(
        round_entry=round_entry,
        judge=judge,
        version=0,
        values={criteria[0].pk: {"value": "10"}, criteria[1].pk: {"value": None}},
    )

    assert Score.objects.get(sheet=sheet, criterion=criteria[0]).value == Decimal("10")


@pytest.mark.django_db
def test_refused_value_reports_the_criterion_field() -> None:
    round_entry, judge, criteria = scoring_setup()

    with pytest.raises(RuleError) as error:
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[1].pk: {"value": "11"}})

    assert error.value.field == f"criterion-{criteria[1].pk}"


@pytest.mark.django_db
def test_judge_saves_only_their_own_sheet_of_an_entry_two_judges_score() -> None:
    round_entry, judge, criteria = scoring_setup()
    other = seat(round_entry.round)
    assign(round_entry, other)
    mine = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "6"}})

    theirs = judging.sheet_save(
        round_entry=round_entry, judge=other, version=0, values={criteria[0].pk: {"value": "2"}}
    )

    assert theirs.pk != mine.pk and theirs.judge == other
    assert Score.objects.get(sheet=mine, criterion=criteria[0]).value == Decimal("6")
    assert ScoreSheet.objects.get(pk=mine.pk).version == 1


# --- Submitting and reopening ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_incomplete_sheet_cannot_be_submitted() -> None:
    round_entry, judge, criteria = scoring_setup()
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={criteria[0].pk: {"value": "6"}})

    with pytest.raises(RuleError) as error:
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)

    assert (error.value.code, error.value.field) == ("incomplete", f"criterion-{criteria[1].pk}")
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.DRAFT


@pytest.mark.django_db
def test_submitting_a_sheet_never_saved_is_refused_and_creates_nothing() -> None:
    round_entry, judge, criteria = scoring_setup()

    with pytest.raises(RuleError) as error:
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=0)

    assert (error.value.code, error.value.field) == ("incomplete", f"criterion-{criteria[0].pk}")
    assert not ScoreSheet.objects.exists()


@pytest.mark.django_db
def test_required_comment_must_be_written_before_submitting() -> None:
    round_entry, judge, criteria = scoring_setup(comment_required=True)
    values = {c.pk: {"value": "5", "comment": ""} for c in criteria}
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)

    with pytest.raises(RuleError) as error:
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)

    assert (error.value.code, error.value.field) == ("comment_required", f"criterion-{criteria[1].pk}")


@pytest.mark.django_db
def test_submitted_sheet_is_locked_and_audited() -> None:
    round_entry, judge, criteria = scoring_setup()
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=full_values(criteria))

    sheet = judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)

    assert sheet.status == ScoreSheet.Status.SUBMITTED and sheet.submitted_at is not None
    event = AuditEvent.objects.get(action="score.submitted")
    assert event.data["after"][f"criterion-{criteria[0].pk}"]["value"] == "7.50"
    with refused("sheet_submitted"):
        judging.sheet_save(
            round_entry=round_entry, judge=judge, version=sheet.version, values=full_values(criteria, "1")
        )
    with refused("sheet_submitted"):
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)
    assert set(Score.objects.filter(sheet=sheet).order_by().values_list("value", flat=True)) == {Decimal("7.5")}


@pytest.mark.django_db
def test_only_an_organiser_can_reopen_a_submitted_sheet() -> None:
    round_entry, judge, criteria = scoring_setup()
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=full_values(criteria))
    sheet = judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)

    with refused("not_organiser"):
        judging.sheet_reopen(sheet=sheet, actor=judge)
    sheet = judging.sheet_reopen(sheet=sheet, actor=organiser(), reason="Typo in lighting.")

    assert sheet.status == ScoreSheet.Status.DRAFT and sheet.version == 3
    event = AuditEvent.objects.get(action="score.reopened")
    assert event.data["reason"] == "Typo in lighting."
    assert event.data["before"]["status"] == "submitted"
    judging.sheet_save(round_entry=round_entry, judge=judge, version=3, values=full_values(criteria, "8"))


# --- The audit log is append-only --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted() -> None:
    round = open_round(draft_round())
    event = AuditEvent.objects.get(action="round.opened", target_id=round.pk)

    event.action = "round.closed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "round.opened"


@pytest.mark.django_db
def test_database_refuses_to_change_audit_events() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only (migration 0006).")
    round = open_round(draft_round())
    event = AuditEvent.objects.get(action="round.opened", target_id=round.pk)
    table = AuditEvent._meta.db_table

    for sql in (f"UPDATE {table} SET action = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "round.opened"


# --- Concurrency -------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_the_same_version_never_lose_an_update() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; row locks and concurrent sessions need PostgreSQL.")
    round_entry, judge, criteria = scoring_setup()
    sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values={})
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(value: str) -> None:
        try:
            barrier.wait(timeout=10)
            judging.sheet_save(
                round_entry=round_entry, judge=judge, version=1, values={criteria[0].pk: {"value": value}}
            )
            outcomes[value] = "saved"
        except StaleVersion:
            outcomes[value] = "stale"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(value,)) for value in ("3", "9")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["saved", "stale"]
    winner = next(value for value, outcome in outcomes.items() if outcome == "saved")
    assert ScoreSheet.objects.get(pk=sheet.pk).version == 2
    assert Score.objects.get(sheet=sheet, criterion=criteria[0]).value == Decimal(winner)
    assert AuditEvent.objects.filter(action="score.created", target_id=sheet.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_a_new_sheet_at_once_share_one_sheet() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; concurrent sessions need PostgreSQL.")
    round_entry, judge, criteria = scoring_setup()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def first_save(value: str) -> None:
        try:
            barrier.wait(timeout=10)
            values = {criteria[0].pk: {"value": value}}
            judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=first_save, args=(value,)) for value in ("1", "2", "3", "4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["saved", "stale", "stale", "stale"]
    sheet = ScoreSheet.objects.get(round_entry=round_entry, judge=judge)
    assert sheet.version == 1
    assert Score.objects.filter(sheet=sheet).count() == len(criteria)
    assert AuditEvent.objects.filter(action="score.created", target_id=sheet.pk).count() == 1
