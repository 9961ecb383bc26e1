"""An entry's life: disqualified and reinstated by an organiser (out of judging, of the leaderboard and of later
results; a published round keeps its snapshot), withdrawn and restored by its team before the deadline, a team's
own deadline, and a revision processed again."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import AuditEvent, Entry, EntryRevision, Notification, Panelist, Round, RoundResult
from competitions.selectors import deadline
from competitions.selectors.judging import judge_entries, judge_queue
from competitions.selectors.leaderboard import round_leaderboard
from competitions.services import assignment, entries, entry_lifecycle, judging, results
from competitions.services.processing import rerun
from tests.factories import (
    CriterionFactory,
    EntryRevisionFactory,
    JudgeFactory,
    RoundFactory,
    TrackFactory,
    UserFactory,
    add_member,
    ready_entry,
)

from .conftest import glb_upload, refused

pytestmark = pytest.mark.django_db

Status = EntryRevision.Status


# --- A round of two entries, each scored by one judge ------------------------------------------------------------


@pytest.fixture
def judge(db: None) -> User:
    return JudgeFactory()


@pytest.fixture
def round(organiser: User, judge: User) -> Round:
    """An open round of two entries ("Harbour" and "Lantern") in one track, both assigned to ``judge``."""
    round = RoundFactory(judges_per_entry=1)
    track = TrackFactory(competition=round.competition)
    CriterionFactory(round=round)
    Panelist.objects.create(round=round, user=judge)
    ready_entry(track, title="Harbour")
    ready_entry(track, title="Lantern")
    judging.round_open(round=round, actor=organiser)
    assignment.round_assign(round=round, actor=organiser)
    return round


def score_all(round: Round, judge: User, values: dict[str, str]) -> None:
    """``judge`` submits ``values[title]`` for every criterion of each entry."""
    for round_entry in round.round_entries.select_related("entry"):
        value = Decimal(values[round_entry.entry.title])
        scores = {c.pk: {"value": value, "comment": ""} for c in round.criteria.all()}
        sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=scores, comment="")
        judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)


def entry_titled(round: Round, title: str) -> Entry:
    return Entry.objects.get(track__competition=round.competition, title=title)


def ranked_titles(round: Round) -> list[str]:
    return [row.title for board in round_leaderboard(round).tracks for row in board.rows if row.rank is not None]


# --- Disqualification --------------------------------------------------------------------------------------------


def test_an_organiser_disqualifies_an_entry_and_the_reason_is_kept_as_typed(entry: Entry, organiser: User) -> None:
    reason = "  Le fichier contient un logo de l'équipe. 文件含有队徽。 "

    entry_lifecycle.entry_disqualify(entry=entry, actor=organiser, reason=reason)

    entry.refresh_from_db()
    assert entry.is_disqualified
    assert entry.disqualified_reason == reason.strip()
    assert entry.disqualified_by == organiser
    event = AuditEvent.objects.get(action="entry.disqualified")
    assert (event.actor, event.target_id, event.data["reason"]) == (organiser, entry.pk, reason.strip())


def test_the_team_is_told_of_the_disqualification_with_the_reason_by_email_and_notification(
    entry: Entry, organiser: User, captain: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry_lifecycle.entry_disqualify(entry=entry, actor=organiser, reason="The scene copies another model.")

    [mail] = mailoutbox
    assert mail.to == [captain.email]
    assert "“Smart Factory Floor” is disqualified" in mail.subject
    assert "The scene copies another model." in mail.body
    notification = Notification.objects.get(recipient=captain)
    assert notification.kind == Notification.Kind.ENTRY_DISQUALIFIED


def test_a_disqualification_needs_a_reason(entry: Entry, organiser: User) -> None:
    with refused("reason_required"):
        entry_lifecycle.entry_disqualify(entry=entry, actor=organiser, reason="   ")

    entry.refresh_from_db()
    assert not entry.is_disqualified


def test_an_entry_is_disqualified_only_once(entry: Entry, organiser: User) -> None:
    entry_lifecycle.entry_disqualify(entry=entry, actor=organiser, reason="Plagiarism.")

    with refused("already_disqualified"):
        entry_lifecycle.entry_disqualify(entry=entry, actor=organiser, reason="Again.")


def test_a_disqualified_entry_is_not_ranked_on_the_leaderboard(round: Round, judge: User, organiser: User) -> None:
    score_all(round, judge, {"Harbour": "9", "Lantern": "6"})

    entry_lifecycle.entry_disqualify(entry=entry_titled(round, "Harbour"), actor=organiser, reason="Plagiarism.")

    board = round_leaderboard(round)
    assert [row.title for row in board.tracks[0].rows] == ["Lantern"]
    assert board.tracks[0].rows[0].rank == 1


def test_a_disqualified_entry_leaves_the_judges_queue_and_cannot_be_scored(
    round: Round, judge: User, organiser: User
) -> None:
    harbour = entry_titled(round, "Harbour")
    round_entry = round.round_entries.get(entry=harbour)

    entry_lifecycle.entry_disqualify(entry=harbour, actor=organiser, reason="Plagiarism.")

    assert [item.title for item in judge_queue(user=judge, round=round)] == ["Lantern"]
    assert not judge_entries(judge).filter(pk=round_entry.pk).exists()
    values = {c.pk: {"value": Decimal("5"), "comment": ""} for c in round.criteria.all()}
    with refused("entry_disqualified"):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values, comment="")


def test_assignment_neither_gives_nor_takes_a_disqualified_entrys_judges(
    round: Round, judge: User, organiser: User
) -> None:
    harbour = entry_titled(round, "Harbour")
    entry_lifecycle.entry_disqualify(entry=harbour, actor=organiser, reason="Plagiarism.")
    Panelist.objects.create(round=round, user=JudgeFactory())

    assignment.round_assign(round=round, actor=organiser)

    assert list(round.assignments.filter(round_entry__entry=harbour).values_list("judge", flat=True)) == [judge.pk]
    with refused("entry_disqualified"):
        assignment.assignment_add(
            round=round,
            judge=Panelist.objects.exclude(user=judge).get(round=round).user,
            round_entry=round.round_entries.get(entry=harbour),
            actor=organiser,
        )


def test_a_round_published_after_the_disqualification_leaves_the_entry_out(
    round: Round, judge: User, organiser: User
) -> None:
    score_all(round, judge, {"Harbour": "9", "Lantern": "6"})
    entry_lifecycle.entry_disqualify(entry=entry_titled(round, "Harbour"), actor=organiser, reason="Plagiarism.")

    judging.round_close(round=round, actor=organiser)
    results.round_publish(round=round, actor=organiser)

    published = RoundResult.objects.filter(round=round).select_related("round_entry__entry")
    assert [(r.round_entry.entry.title, r.rank) for r in published] == [("Lantern", 1)]


def test_a_disqualified_entrys_unscored_sheets_do_not_hold_up_closing(
    round: Round, judge: User, organiser: User
) -> None:
    lantern = round.round_entries.get(entry__title="Lantern")
    values = {c.pk: {"value": Decimal("6"), "comment": ""} for c in round.criteria.all()}
    sheet = judging.sheet_save(round_entry=lantern, judge=judge, version=0, values=values, comment="")
    judging.sheet_submit(round_entry=lantern, judge=judge, version=sheet.version)
    entry_lifecycle.entry_disqualify(entry=entry_titled(round, "Harbour"), actor=organiser, reason="Plagiarism.")

    closed = judging.round_close(round=round, actor=organiser)

    assert closed.status == Round.Status.CLOSED


def test_a_round_published_before_the_disqualification_keeps_its_results(
    round: Round, judge: User, organiser: User
) -> None:
    score_all(round, judge, {"Harbour": "9", "Lantern": "6"})
    judging.round_close(round=round, actor=organiser)
    results.round_publish(round=round, actor=organiser)

    entry_lifecycle.entry_disqualify(entry=entry_titled(round, "Harbour"), actor=organiser, reason="Plagiarism.")

    published = RoundResult.objects.filter(round=round).select_related("round_entry__entry").order_by("rank")
    assert [(r.round_entry.entry.title, r.rank) for r in published] == [("Harbour", 1), ("Lantern", 2)]


def test_reinstating_puts_the_entry_back_with_its_scores(round: Round, judge: User, organiser: User) -> None:
    score_all(round, judge, {"Harbour": "9", "Lantern": "6"})
    harbour = entry_titled(round, "Harbour")
    entry_lifecycle.entry_disqualify(entry=harbour, actor=organiser, reason="Plagiarism.")

    entry_lifecycle.entry_reinstate(entry=harbour, actor=organiser, reason="The logo was the city's, not theirs.")

    harbour.refresh_from_db()
    assert not harbour.is_disqualified and harbour.disqualified_reason == ""
    assert ranked_titles(round) == ["Harbour", "Lantern"]
    assert sorted(item.title for item in judge_queue(user=judge, round=round)) == ["Harbour", "Lantern"]
    event = AuditEvent.objects.get(action="entry.reinstated")
    assert event.data["disqualified_for"] == "Plagiarism."
    assert event.data["reason"] == "The logo was the city's, not theirs."


def test_only_a_disqualified_entry_is_reinstated(entry: Entry, organiser: User) -> None:
    with refused("not_disqualified"):
        entry_lifecycle.entry_reinstate(entry=entry, actor=organiser, reason="Why not.")


# --- Withdrawal by the team ----------------------------------------------------------------------------------------


def test_a_member_withdraws_the_entry_and_it_is_no_longer_submitted(entry: Entry, captain: User) -> None:
    member = add_member(entry.team)
    EntryRevisionFactory(entry=entry, number=1, status=Status.READY)

    entry_lifecycle.entry_withdraw(entry=entry, user=member)

    entry.refresh_from_db()
    assert entry.is_withdrawn and entry.withdrawn_by == member
    assert not deadline.judged_revisions(entry.team.competition).filter(entry=entry).exists()
    assert AuditEvent.objects.filter(action="entry.withdrawn", actor=member, target_id=entry.pk).exists()


def test_someone_outside_the_team_cannot_withdraw_its_entry(entry: Entry) -> None:
    with refused("not_member"):
        entry_lifecycle.entry_withdraw(entry=entry, user=UserFactory())


def test_an_entry_cannot_be_withdrawn_after_the_deadline(entry: Entry, captain: User) -> None:
    with time_machine.travel(entry.team.competition.submission_deadline + timedelta(seconds=1), tick=False):
        with refused("after_deadline"):
            entry_lifecycle.entry_withdraw(entry=entry, user=captain)


def test_no_file_can_be_uploaded_to_a_withdrawn_entry(entry: Entry, captain: User) -> None:
    entry_lifecycle.entry_withdraw(entry=entry, user=captain)

    with refused("entry_withdrawn"):
        entries.revision_receive(entry=entry, user=captain, upload=glb_upload())


def test_the_team_restores_its_entry_before_the_deadline(entry: Entry, captain: User) -> None:
    entry_lifecycle.entry_withdraw(entry=entry, user=captain)

    entry_lifecycle.entry_restore(entry=entry, user=captain)

    entry.refresh_from_db()
    assert not entry.is_withdrawn
    assert entries.revision_receive(entry=entry, user=captain, upload=glb_upload()).number == 1
    assert AuditEvent.objects.filter(action="entry.restored", target_id=entry.pk).exists()


def test_a_withdrawn_entry_stays_withdrawn_after_the_deadline(entry: Entry, captain: User) -> None:
    entry_lifecycle.entry_withdraw(entry=entry, user=captain)

    with time_machine.travel(entry.team.competition.submission_deadline, tick=False):
        with refused("after_deadline"):
            entry_lifecycle.entry_restore(entry=entry, user=captain)


# --- A team's own deadline -----------------------------------------------------------------------------------------


def test_an_extended_team_uploads_until_its_new_deadline(entry: Entry, captain: User, organiser: User) -> None:
    competition_deadline = entry.team.competition.submission_deadline
    new_deadline = competition_deadline + timedelta(hours=6)

    entry_lifecycle.team_extend_deadline(
        team=entry.team, actor=organiser, deadline=new_deadline, reason="Power cut in their city."
    )

    entry.refresh_from_db()
    with time_machine.travel(new_deadline - timedelta(seconds=1), tick=False):
        assert entries.revision_receive(entry=entry, user=captain, upload=glb_upload()).number == 1
    with time_machine.travel(new_deadline, tick=False):
        with refused("after_deadline"):
            entries.revision_receive(entry=entry, user=captain, upload=glb_upload())
    event = AuditEvent.objects.get(action="team.deadline_extended")
    assert event.data["reason"] == "Power cut in their city."
    assert event.data["before"] is None


def test_an_extension_must_end_after_the_competitions_deadline(entry: Entry, organiser: User) -> None:
    with refused("bad_deadline"):
        entry_lifecycle.team_extend_deadline(
            team=entry.team,
            actor=organiser,
            deadline=entry.team.competition.submission_deadline,
            reason="A minute more.",
        )


def test_no_extension_once_judging_has_started(round: Round, organiser: User) -> None:
    team = entry_titled(round, "Harbour").team

    with refused("judging_started"):
        entry_lifecycle.team_extend_deadline(
            team=team, actor=organiser, deadline=timezone.now() + timedelta(days=1), reason="Too late."
        )


def test_a_revision_frozen_in_a_round_is_not_run_again(round: Round, organiser: User) -> None:
    judged = round.round_entries.first()
    assert judged is not None

    with refused("not_rerunnable"):
        rerun.revision_rerun(revision=judged.revision, actor=organiser)
