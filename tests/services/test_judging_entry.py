"""What a judge sees of one entry: the files they may fetch (``selectors.judging.judge_artifact``, the one rule the
judge's pages, the file view and the API share) and ``selectors.judge_entry.judge_entry``, which reads and never
writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.models import EntryRevision, Round, RoundEntry, Score, ScoreSheet
from competitions.selectors import judge_entry as entry_selectors
from competitions.selectors import judging as selectors
from competitions.services import judging

from .judging_cast import assign, criteria_of, draft_round, open_round, seat

EVERY_OUTPUT = {
    "hero": "revisions/7/hero.webp",
    "front": "revisions/7/front.webp",
    "side": "revisions/7/side.webp",
    "top": "revisions/7/top.webp",
    "viewer": "revisions/7/viewer.glb",
    "blind": "revisions/7/blind.glb",
}


def judged(*, blind: bool, artifacts: object, upload: str = "uploads/7/scene.glb") -> RoundEntry:
    """A round entry as a judge reaches it, in memory: the rule reads nothing else."""
    round = Round(blind=Round.Blind.ALWAYS if blind else Round.Blind.NEVER)
    return RoundEntry(round=round, revision=EntryRevision(artifacts=artifacts, file=upload))


# --- The judge's files -------------------------------------------------------------------------------------------


def test_thumbnails_are_the_four_views_the_revision_has_in_a_fixed_order() -> None:
    artifacts = {"top": "t.webp", "hero": "h.webp", "turntable": "x.webp", "side": 7}

    round_entry = judged(blind=True, artifacts=artifacts)

    assert selectors.judge_thumbnails(round_entry) == ["hero", "top"]
    assert selectors.judge_artifact(round_entry, "hero") == "h.webp"
    assert selectors.judge_artifact(round_entry, "side") == ""


def test_blind_round_serves_only_the_stripped_copy_as_the_model() -> None:
    assert selectors.judge_artifact(judged(blind=True, artifacts=EVERY_OUTPUT), "model") == "revisions/7/blind.glb"
    without_copy = {key: value for key, value in EVERY_OUTPUT.items() if key != "blind"}
    assert selectors.judge_artifact(judged(blind=True, artifacts=without_copy), "model") == ""


def test_open_round_serves_the_viewer_copy_then_a_glb_upload_and_nothing_else() -> None:
    without_viewer = {key: value for key, value in EVERY_OUTPUT.items() if key != "viewer"}

    assert selectors.judge_artifact(judged(blind=False, artifacts=EVERY_OUTPUT), "model") == "revisions/7/viewer.glb"
    assert selectors.judge_artifact(judged(blind=False, artifacts=without_viewer), "model") == "uploads/7/scene.glb"
    zipped = judged(blind=False, artifacts=without_viewer, upload="uploads/7/scene.zip")
    assert selectors.judge_artifact(zipped, "model") == ""


@pytest.mark.parametrize("name", ["viewer", "blind", "file", "turntable", ""])
def test_names_other_than_the_views_and_the_model_are_nothing_a_judge_may_fetch(name: str) -> None:
    assert selectors.judge_artifact(judged(blind=False, artifacts={**EVERY_OUTPUT, name: "x.glb"}), name) == ""


def test_revision_without_outputs_has_no_files_for_the_judge() -> None:
    round_entry = judged(blind=True, artifacts=None)

    assert selectors.judge_thumbnails(round_entry) == []
    assert selectors.judge_artifact(round_entry, "model") == ""


# --- The entry as its judge reads it -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reading_an_entry_before_the_first_save_writes_nothing_and_leaves_it_editable() -> None:
    round = draft_round(entries=1, criteria=2)
    judge = seat(round)
    open_round(round)
    round_entry = round.round_entries.get()
    assign(round_entry, judge)

    seen = entry_selectors.judge_entry(user=judge, round_entry_id=round_entry.pk)

    assert seen.sheet is None and seen.editable
    assert seen.criteria == criteria_of(round)
    assert not ScoreSheet.objects.exists() and not Score.objects.exists()


@pytest.mark.django_db
def test_entry_reads_its_saved_sheet_in_a_fixed_number_of_queries_and_is_locked_once_submitted() -> None:
    round = draft_round(entries=1, criteria=2)
    judge = seat(round)
    open_round(round)
    round_entry = round.round_entries.get()
    assign(round_entry, judge)
    values = {criterion.pk: {"value": "5"} for criterion in criteria_of(round)}
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)
    judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)

    with CaptureQueriesContext(connection) as queries:
        seen = entry_selectors.judge_entry(user=judge, round_entry_id=round_entry.pk)
        scores = [score.value for score in seen.sheet.scores.all()] if seen.sheet else []

    assert len(scores) == 2
    assert seen.sheet is not None and seen.sheet.is_submitted and not seen.editable
    assert len(queries) <= 5


@pytest.mark.django_db
def test_entry_of_someone_else_is_not_found() -> None:
    round = draft_round(entries=1)
    judge, other = seat(round), seat(round)
    open_round(round)
    round_entry = round.round_entries.get()
    assign(round_entry, judge)

    with pytest.raises(RoundEntry.DoesNotExist):
        entry_selectors.judge_entry(user=other, round_entry_id=round_entry.pk)
