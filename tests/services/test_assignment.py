"""Assigning judges: the properties of the balanced min-cost flow on random instances (hypothesis), and the
services that apply it to a round and let an organiser override it."""

from collections import defaultdict

import pytest
from django.contrib.auth.models import User
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.models import Assignment, AuditEvent, Conflict, Entry, Panelist, Round, RoundEntry, ScoreSheet
from competitions.services.assignment import (
    AssignmentPlan,
    assignment_add,
    assignment_remove,
    balanced_assignment,
    eligible,
    round_assign,
)
from tests.factories import JudgeFactory, RoundFactory, TrackFactory, ready_entry
from tests.services.conftest import refused

# ---------------------------------------------------------------------------------------------------------------
# The pure algorithm on random instances


@st.composite
def instances(draw: st.DrawFn, *, with_conflicts: bool = True) -> dict:
    tracks = draw(st.integers(1, 3))
    n_entries = draw(st.integers(1, 24))
    n_judges = draw(st.integers(1, 9))
    entries = {e: draw(st.integers(0, tracks - 1)) for e in range(n_entries)}
    judges = {
        100 + j: draw(st.sets(st.integers(0, tracks - 1), max_size=tracks)) for j in range(n_judges)
    }  # empty set: every track
    conflicts: set[tuple[int, int]] = set()
    if with_conflicts:
        pairs = [(j, e) for j in judges for e in entries]
        conflicts = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) // 4)) if pairs else set()
    return {"entries": entries, "judges": judges, "per_entry": draw(st.integers(1, 5)), "conflicts": conflicts}


def eligible_judges(instance: dict, entry: int) -> set[int]:
    track = instance["entries"][entry]
    return {
        j
        for j, tracks in instance["judges"].items()
        if eligible(tracks, track) and (j, entry) not in instance["conflicts"]
    }


def panels(instance: dict) -> list[list[int]]:
    """Judges eligible for the same tracks (no tracks: every track)."""
    by_tracks: dict[frozenset[int], list[int]] = defaultdict(list)
    for judge, tracks in instance["judges"].items():
        by_tracks[frozenset(tracks)].append(judge)
    return list(by_tracks.values())


def judges_by_entry(plan: AssignmentPlan) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for judge, entry in plan.pairs:
        result[entry].add(judge)
    return result


@settings(max_examples=80, deadline=None)
@given(instances())
def test_every_entry_gets_k_judges_or_every_eligible_one(instance: dict) -> None:
    plan = balanced_assignment(**instance)
    assigned = judges_by_entry(plan)
    for entry in instance["entries"]:
        available = len(eligible_judges(instance, entry))
        assert len(assigned[entry]) == min(instance["per_entry"], available)
        assert plan.unfilled.get(entry, 0) == max(instance["per_entry"] - available, 0)


@settings(max_examples=80, deadline=None)
@given(instances())
def test_no_conflicted_or_ineligible_pair_is_assigned(instance: dict) -> None:
    plan = balanced_assignment(**instance)
    for judge, entry in plan.pairs:
        assert (judge, entry) not in instance["conflicts"]
        assert eligible(instance["judges"][judge], instance["entries"][entry])


@settings(max_examples=80, deadline=None)
@given(instances(with_conflicts=False))
def test_loads_within_a_panel_differ_by_at_most_one(instance: dict) -> None:
    loads = balanced_assignment(**instance).load()
    for panel in panels(instance):
        panel_loads = [loads.get(judge, 0) for judge in panel]
        assert max(panel_loads) - min(panel_loads) <= 1, panel_loads


@settings(max_examples=80, deadline=None)
@given(instances())
def test_with_conflicts_no_entry_could_move_from_a_busier_judge_of_the_panel(instance: dict) -> None:
    """Where conflicts make loads within one impossible, the plan is still locally balanced: moving any entry
    from a judge with two more entries to a judge of the same panel is impossible (conflict or already there)."""
    plan = balanced_assignment(**instance)
    loads, assigned = plan.load(), judges_by_entry(plan)
    for panel in panels(instance):
        for busy in panel:
            for idle in panel:
                if loads.get(busy, 0) - loads.get(idle, 0) < 2:
                    continue
                for entry in (e for j, e in plan.pairs if j == busy):
                    assert idle in assigned[entry] or (idle, entry) in instance["conflicts"]


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_rerun_after_a_judge_withdraws_moves_only_that_judges_entries(instance: dict, data: st.DataObject) -> None:
    first = balanced_assignment(**instance)
    leaving = data.draw(st.sampled_from(sorted(instance["judges"])))
    remaining = {j: t for j, t in instance["judges"].items() if j != leaving}
    second = balanced_assignment(**{**instance, "judges": remaining}, existing=first.pairs)

    assert {p for p in first.pairs if p[0] != leaving} <= second.pairs
    assert second.dropped == {p for p in first.pairs if p[0] == leaving}
    their_entries = {e for j, e in first.pairs if j == leaving}
    assert {e for _j, e in second.added} <= their_entries
    for entry in instance["entries"]:
        available = len(eligible_judges({**instance, "judges": remaining}, entry))
        assert len(judges_by_entry(second)[entry]) == min(instance["per_entry"], available)


@settings(max_examples=30, deadline=None)
@given(instances())
def test_the_same_instance_gives_the_same_plan(instance: dict) -> None:
    assert balanced_assignment(**instance) == balanced_assignment(**instance)


def test_a_large_round_is_assigned_in_balance() -> None:
    entries = {e: e % 3 for e in range(600)}
    plan = balanced_assignment(entries=entries, judges={j: () for j in range(25)}, per_entry=5)
    assert len(plan.pairs) == 3000
    assert set(plan.load().values()) == {120}


# ---------------------------------------------------------------------------------------------------------------
# The services on a round


def open_round(*, entries: int = 6, judges: int = 4, per_entry: int = 2) -> tuple[Round, list[RoundEntry], list[User]]:
    round = RoundFactory(judges_per_entry=per_entry, status=Round.Status.OPEN)
    track = TrackFactory(competition=round.competition)
    round_entries = []
    for _ in range(entries):
        round_entries.append(frozen(round, ready_entry(track)))
    panel = [JudgeFactory() for _ in range(judges)]
    for judge in panel:
        Panelist.objects.create(round=round, user=judge)
    return round, round_entries, panel


def frozen(round: Round, entry: Entry) -> RoundEntry:
    """``entry`` taking part in ``round`` with its current revision, as opening the round would freeze it."""
    revision = entry.current_revision
    assert revision is not None
    return RoundEntry.objects.create(
        round=round, entry=entry, track=entry.track, revision=revision, sha256=revision.sha256
    )


def pairs_of(round: Round) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(round=round).values_list("judge_id", "round_entry_id"))


@pytest.mark.django_db
def test_round_assign_gives_every_entry_k_judges_in_balance(organiser) -> None:
    round, round_entries, panel = open_round(entries=6, judges=4, per_entry=2)

    report = round_assign(round=round, actor=organiser)

    assert (report.created, report.kept, report.removed, report.unfilled) == (12, 0, 0, [])
    for round_entry in round_entries:
        assert round_entry.assignments.count() == 2
    assert sorted(Assignment.objects.filter(judge=j).count() for j in panel) == [3, 3, 3, 3]
    event = AuditEvent.objects.get(action="assignment.run")
    assert event.actor == organiser
    assert event.data["created"] == 12


@pytest.mark.django_db
def test_round_assign_never_assigns_a_conflicted_judge(organiser) -> None:
    round, round_entries, panel = open_round(entries=4, judges=3, per_entry=3)
    team = round_entries[0].entry.team
    Conflict.objects.create(competition=round.competition, judge=panel[0], team=team, source="declared")

    report = round_assign(round=round, actor=organiser)

    assert (panel[0].pk, round_entries[0].pk) not in pairs_of(round)
    assert report.unfilled == [round_entries[0].pk]
    assert "fewer judges" in report.message


@pytest.mark.django_db
def test_a_track_judge_is_assigned_only_entries_of_that_track(organiser) -> None:
    round, round_entries, panel = open_round(entries=3, judges=2, per_entry=1)
    other = TrackFactory(competition=round.competition)
    frozen(round, ready_entry(other))
    specialist = JudgeFactory()
    Panelist.objects.create(round=round, user=specialist).tracks.add(other)

    round_assign(round=round, actor=organiser)

    assert {e.track_id for e in RoundEntry.objects.filter(assignments__judge=specialist)} <= {other.pk}


@pytest.mark.django_db
def test_rerun_after_withdrawal_moves_only_that_judges_entries(organiser) -> None:
    round, round_entries, panel = open_round(entries=8, judges=4, per_entry=2)
    round_assign(round=round, actor=organiser)
    leaving = panel[0]
    theirs = list(Assignment.objects.filter(judge=leaving).select_related("round_entry"))
    draft, submitted = theirs[0], theirs[1]
    for assignment, status in ((draft, ScoreSheet.Status.DRAFT), (submitted, ScoreSheet.Status.SUBMITTED)):
        ScoreSheet.objects.create(
            round=round, judge=leaving, round_entry=assignment.round_entry, sha256="0" * 64, status=status
        )
    others_before = set(Assignment.objects.exclude(judge=leaving).values_list("pk", "judge_id", "round_entry_id"))
    Panelist.objects.filter(user=leaving).update(withdrawn_at=round.opens_at)

    report = round_assign(round=round, actor=organiser)

    assert report.removed == len(theirs) and report.created == len(theirs) and report.kept == 16 - len(theirs)
    assert not Assignment.objects.filter(judge=leaving).exists()
    assert others_before <= set(Assignment.objects.values_list("pk", "judge_id", "round_entry_id"))
    assert not ScoreSheet.objects.filter(round_entry=draft.round_entry, judge=leaving).exists()
    assert ScoreSheet.objects.filter(round_entry=submitted.round_entry, judge=leaving).exists()


@pytest.mark.django_db
def test_round_assign_is_refused_once_the_round_is_closed(organiser) -> None:
    round, _entries, _panel = open_round()
    Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED)
    with refused("round_closed"):
        round_assign(round=round, actor=organiser)


@pytest.mark.django_db
def test_organiser_adds_a_judge_by_hand(organiser) -> None:
    round, round_entries, panel = open_round(entries=2, judges=2, per_entry=1)

    assignment = assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)

    assert assignment.source == Assignment.Source.MANUAL
    assert AuditEvent.objects.filter(action="assignment.added", target_id=assignment.pk).exists()
    with refused("already_assigned"):
        assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)


@pytest.mark.django_db
def test_adding_a_conflicted_judge_by_hand_is_refused(organiser) -> None:
    round, round_entries, panel = open_round(entries=1, judges=1)
    Conflict.objects.create(
        competition=round.competition, judge=panel[0], team=round_entries[0].entry.team, source="organiser"
    )
    with refused("conflict"):
        assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_adding_a_judge_off_the_panel_is_refused(organiser) -> None:
    round, round_entries, panel = open_round(entries=1, judges=1)
    with refused("not_on_panel"):
        assignment_add(round=round, judge=JudgeFactory(), round_entry=round_entries[0], actor=organiser)
    Panelist.objects.filter(user=panel[0]).update(withdrawn_at=round.opens_at)
    with refused("not_on_panel"):
        assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)


@pytest.mark.django_db
def test_removing_an_assignment_deletes_its_draft_sheet(organiser) -> None:
    round, round_entries, panel = open_round(entries=1, judges=1, per_entry=1)
    assignment = assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)
    ScoreSheet.objects.create(round=round, judge=panel[0], round_entry=round_entries[0], sha256="0" * 64)
    assignment_pk = assignment.pk

    assignment_remove(assignment=assignment, actor=organiser)

    assert not Assignment.objects.exists() and not ScoreSheet.objects.exists()
    assert AuditEvent.objects.filter(action="assignment.removed", target_id=assignment_pk).exists()


@pytest.mark.django_db
def test_removing_a_scored_assignment_is_refused(organiser) -> None:
    round, round_entries, panel = open_round(entries=1, judges=1, per_entry=1)
    assignment = assignment_add(round=round, judge=panel[0], round_entry=round_entries[0], actor=organiser)
    ScoreSheet.objects.create(
        round=round,
        judge=panel[0],
        round_entry=round_entries[0],
        sha256="0" * 64,
        status=ScoreSheet.Status.SUBMITTED,
    )
    with refused("already_scored"):
        assignment_remove(assignment=assignment, actor=organiser)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
