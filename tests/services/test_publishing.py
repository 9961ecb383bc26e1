"""Publishing with guardrails: a round is published only once closed; closing with sheets missing needs the exact
number confirmed; the preview computes what publication would write without writing; unpublishing needs a reason;
judges keep reading their sheets after publication but cannot change them."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from competitions.models import AuditEvent, Round, RoundEntry, RoundResult, ScoreSheet, Track
from competitions.selectors import judging as judging_selectors
from competitions.selectors.publishing import missing_sheets, publication_of, results_preview
from competitions.selectors.results import results_by_round
from competitions.services import judging
from competitions.services.results import round_publish, round_unpublish
from tests.factories import JudgeFactory, RoundFactory
from tests.services.conftest import refused
from tests.services.judging_cast import organiser
from tests.services.test_results import close_and_publish, scored_round, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga() -> User:
    return organiser()


def four_entries() -> tuple[Round, dict[str, RoundEntry]]:
    round, entries, _judges = scored_round({("J1", letter): 9 - i for i, letter in enumerate("ABCD")}, method="mean")
    return round, entries


def with_two_missing(round: Round, entries: dict[str, RoundEntry]) -> None:
    """A draft sheet and an assignment never started: two missing sheets."""
    late = JudgeFactory()
    submit(round, late, entries["A"], round.criteria.get(), 5, status=ScoreSheet.Status.DRAFT)
    round.assignments.create(judge=late, round_entry=entries["B"])


# --- Closing and publishing ---------------------------------------------------------------------------------------


def test_an_open_round_cannot_be_published(olga) -> None:
    round, _entries = four_entries()

    with refused("not_publishable"):
        round_publish(round=round, actor=olga)

    assert not RoundResult.objects.exists()


def test_missing_sheets_counts_assignments_without_a_submitted_sheet() -> None:
    round, entries = four_entries()
    assert missing_sheets(round) == 0

    with_two_missing(round, entries)

    assert missing_sheets(round) == 2


def test_closing_with_missing_sheets_is_refused_without_the_count_or_with_another(olga) -> None:
    round, entries = four_entries()
    with_two_missing(round, entries)

    with refused("missing_sheets"):
        judging.round_close(round=round, actor=olga)
    with refused("missing_sheets"):
        judging.round_close(round=round, actor=olga, missing_confirmed=1)  # a page read before the last change
    with refused("missing_sheets"):
        judging.round_close(round=round, actor=olga, missing_confirmed=3)

    round.refresh_from_db()
    assert round.status == Round.Status.OPEN
    assert not AuditEvent.objects.filter(action="round.closed").exists()


def test_closing_with_the_exact_count_of_missing_sheets_closes_and_audits_it(olga) -> None:
    round, entries = four_entries()
    with_two_missing(round, entries)

    judging.round_close(round=round, actor=olga, missing_confirmed=2)

    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    event = AuditEvent.objects.get(action="round.closed")
    assert event.data == {"round": round.pk, "missing_sheets": 2}
    assert event.actor == olga


def test_a_round_without_missing_sheets_closes_without_confirmation(olga) -> None:
    round, _entries = four_entries()

    judging.round_close(round=round, actor=olga)

    assert AuditEvent.objects.get(action="round.closed").data["missing_sheets"] == 0


# --- Preview --------------------------------------------------------------------------------------------------


def test_preview_shows_the_ranks_and_awards_publication_would_write_and_writes_nothing(olga) -> None:
    round, _entries = four_entries()
    Track.objects.filter(competition=round.competition).update(honourable_mentions=1)

    (preview,) = results_preview(round)
    (track,) = preview.tracks

    assert preview.round == round
    assert [(r.round_entry.blind_code, r.rank, r.award) for r in track.results] == [
        ("CODEA", 1, "first"),
        ("CODEB", 2, "second"),
        ("CODEC", 3, "third"),
        ("CODED", 4, "honourable"),
    ]
    assert track.results[0].score == Decimal("9.000")
    assert not RoundResult.objects.exists()
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN

    close_and_publish(round, olga)
    published = results_by_round(round.competition)[0].tracks[0].results
    assert [(r.round_entry_id, r.rank, r.award, r.score) for r in published] == [
        (r.round_entry.pk, r.rank, r.award, r.score) for r in track.results
    ]


def test_preview_keeps_the_competitions_published_rounds_beside_the_previewed_one(olga) -> None:
    first, _entries = four_entries()
    close_and_publish(first, olga)
    second = RoundFactory(competition=first.competition, position=first.position + 1, status=Round.Status.CLOSED)

    rounds = [item.round for item in results_preview(second)]

    assert rounds == [second, first]


# --- Unpublishing -----------------------------------------------------------------------------------------------


def test_unpublishing_needs_a_reason(olga) -> None:
    round, _entries = four_entries()
    close_and_publish(round, olga)

    with refused("reason_required"):
        round_unpublish(round=round, actor=olga, reason="   ")

    round.refresh_from_db()
    assert round.status == Round.Status.PUBLISHED
    assert RoundResult.objects.filter(round=round).count() == 4


def test_unpublishing_closes_the_round_removes_the_results_and_keeps_them_in_the_audit(olga) -> None:
    round, _entries = scored_round(
        {("J1", "A"): 9, ("J1", "B"): 7}, method="mean", advancement=Round.Advancement.TOP_N, advance_count=1
    )[:2]
    close_and_publish(round, olga)
    snapshot = [
        {"round_entry": r.round_entry_id, "rank": r.rank, "score": str(r.score), "award": r.award}
        for r in RoundResult.objects.filter(round=round).order_by("rank")
    ]

    round_unpublish(round=round, actor=olga, reason="  A judge's sheet was mis-scored.  ")

    round.refresh_from_db()
    assert (round.status, round.published_at) == (Round.Status.CLOSED, None)
    assert not RoundResult.objects.filter(round=round).exists()
    assert results_by_round(round.competition) == []
    assert not RoundEntry.objects.filter(round=round, advanced=True).exists()
    event = AuditEvent.objects.get(action="round.unpublished")
    assert event.data["reason"] == "A judge's sheet was mis-scored."
    assert event.data["results"] == snapshot
    round_publish(round=round, actor=olga)  # published anew from the scores as they are
    assert RoundResult.objects.filter(round=round).count() == 2


def test_only_a_published_round_can_be_unpublished(olga) -> None:
    round, _entries = four_entries()

    with refused("not_published"):
        round_unpublish(round=round, actor=olga, reason="Mistake")


def test_unpublishing_is_refused_once_the_next_round_has_opened(olga) -> None:
    round, _entries = four_entries()
    close_and_publish(round, olga)
    RoundFactory(competition=round.competition, position=round.position + 1, status=Round.Status.OPEN)

    with refused("later_round_opened"):
        round_unpublish(round=round, actor=olga, reason="Mistake")


# --- Judges after publication --------------------------------------------------------------------------------


def test_a_judge_keeps_reading_the_published_round_but_cannot_change_a_sheet(olga) -> None:
    round, entries, judges = scored_round({("J1", "A"): 8, ("J1", "B"): 6}, method="mean")
    close_and_publish(round, olga)
    judge = judges["J1"]
    round.panelists.create(user=judge)

    assert list(judging_selectors.rounds_judged_by(judge)) == [round]
    round_entry = judging_selectors.round_entry_for_judge(user=judge, round_entry_id=entries["A"].pk)
    with refused("round_published"):
        judging.sheet_save(round_entry=round_entry, judge=judge, version=1, values={})


def test_publication_of_leaves_out_entries_without_a_submitted_sheet() -> None:
    round, entries = four_entries()
    extra = scored_round({("J9", "Z"): 5})[1]["Z"]
    RoundEntry.objects.filter(pk=extra.pk).update(round=round, blind_code="CODEZ")

    codes = [r.round_entry.blind_code for r in publication_of(round).results]

    assert codes == ["CODEA", "CODEB", "CODEC", "CODED"]
