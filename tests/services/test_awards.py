"""Awards: the rule as plain arithmetic (``awards_by_rank``), publication with each track's settings, and the
service that changes them (``track_awards_update``)."""

import pytest
from django.contrib.auth.models import User

from competitions.exceptions import RuleError
from competitions.models import AuditEvent, RoundResult, Track
from competitions.selectors.scoring import FIRST, HONOURABLE, NO_AWARD, SECOND, THIRD, AwardRules, awards_by_rank
from competitions.services.results import track_awards_update
from tests.factories import TrackFactory
from tests.services.test_results import close_and_publish, scored_round


def rules(prizes: int = 3, honourable_mentions: int = 0, min_entries_for_first_prize: int = 1) -> AwardRules:
    return AwardRules(
        prizes=prizes, honourable_mentions=honourable_mentions, min_entries_for_first_prize=min_entries_for_first_prize
    )


# --- The rule -------------------------------------------------------------------------------------------------


def test_the_award_values_are_those_stored_on_a_result() -> None:
    assert {FIRST, SECOND, THIRD, HONOURABLE, NO_AWARD} == set(RoundResult.Award.values)


def test_a_lone_entry_of_a_track_needing_three_gets_no_first_prize() -> None:
    assert awards_by_rank([1], rules(min_entries_for_first_prize=3)) == [SECOND]


def test_two_entries_of_a_track_needing_three_get_second_and_third_prize() -> None:
    assert awards_by_rank([1, 2], rules(min_entries_for_first_prize=3)) == [SECOND, THIRD]


def test_enough_entries_give_a_first_prize() -> None:
    assert awards_by_rank([1, 2, 3], rules(min_entries_for_first_prize=3)) == [FIRST, SECOND, THIRD]


def test_three_prizes_and_one_mention_among_five_entries() -> None:
    awards = awards_by_rank([1, 2, 3, 4, 5], rules(prizes=3, honourable_mentions=1))

    assert awards == [FIRST, SECOND, THIRD, HONOURABLE, NO_AWARD]


def test_no_prizes_leaves_only_the_mentions() -> None:
    assert awards_by_rank([1, 2, 3], rules(prizes=0, honourable_mentions=2)) == [HONOURABLE, HONOURABLE, NO_AWARD]


def test_a_one_prize_track_with_too_few_entries_gives_only_its_mentions() -> None:
    awards = awards_by_rank([1, 2], rules(prizes=1, honourable_mentions=1, min_entries_for_first_prize=3))

    assert awards == [HONOURABLE, NO_AWARD]


def test_tied_entries_share_the_award_of_their_rank() -> None:
    # rank_entries gives equal entries one rank and skips the next ones (1, 2, 2, 4).
    assert awards_by_rank([1, 2, 2, 4], rules(honourable_mentions=1)) == [FIRST, SECOND, SECOND, HONOURABLE]
    assert awards_by_rank([1, 1, 3, 4], rules()) == [FIRST, FIRST, THIRD, NO_AWARD]


# --- Publication ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publication_gives_the_awards_of_the_tracks_settings(organiser: User) -> None:
    values = {("J1", letter): 9 - i for i, letter in enumerate("ABCDE")}
    round, _entries, _judges = scored_round(values, method="mean")
    Track.objects.filter(competition=round.competition).update(prizes=1, honourable_mentions=2)

    close_and_publish(round, organiser)

    results = RoundResult.objects.filter(round=round).order_by("rank")
    assert [(r.rank, r.award) for r in results] == [(1, FIRST), (2, HONOURABLE), (3, HONOURABLE), (4, ""), (5, "")]


@pytest.mark.django_db
def test_a_tracks_only_entry_gets_no_first_prize_by_default(organiser: User) -> None:
    round, _entries, _judges = scored_round({("J1", "A"): 8}, method="mean")

    close_and_publish(round, organiser)

    assert RoundResult.objects.get(round=round).award == SECOND


# --- Changing the settings ------------------------------------------------------------------------------------


def test_a_new_track_gives_three_prizes_no_mentions_and_first_prize_from_three_entries() -> None:
    track = Track()

    assert (track.prizes, track.honourable_mentions, track.min_entries_for_first_prize) == (3, 0, 3)


@pytest.mark.django_db
def test_track_awards_update_saves_and_audits_the_change(organiser: User) -> None:
    track = TrackFactory()

    track_awards_update(track=track, prizes=2, honourable_mentions=5, min_entries_for_first_prize=4, actor=organiser)

    track.refresh_from_db()
    assert (track.prizes, track.honourable_mentions, track.min_entries_for_first_prize) == (2, 5, 4)
    event = AuditEvent.objects.get(action="track.awards_changed", target_id=track.pk)
    assert event.actor == organiser
    assert event.data["before"] == {"prizes": 3, "honourable_mentions": 0, "min_entries_for_first_prize": 3}
    assert event.data["after"] == {"prizes": 2, "honourable_mentions": 5, "min_entries_for_first_prize": 4}


@pytest.mark.django_db
def test_track_awards_update_without_a_change_records_nothing(organiser: User) -> None:
    track = TrackFactory()

    track_awards_update(track=track, prizes=3, honourable_mentions=0, min_entries_for_first_prize=3, actor=organiser)

    assert not AuditEvent.objects.filter(action="track.awards_changed").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "numbers"),
    [
        ("prizes", (4, 0, 3)),
        ("honourable_mentions", (3, 21, 3)),
        ("min_entries_for_first_prize", (3, 0, 0)),
        ("prizes", (-1, 0, 3)),
    ],
)
def test_numbers_out_of_range_are_refused_at_their_field(
    organiser: User, field: str, numbers: tuple[int, int, int]
) -> None:
    track = TrackFactory()
    prizes, mentions, minimum = numbers

    with pytest.raises(RuleError) as refusal:
        track_awards_update(
            track=track, prizes=prizes, honourable_mentions=mentions, min_entries_for_first_prize=minimum,
            actor=organiser,
        )  # fmt: skip

    assert (refusal.value.code, refusal.value.field) == ("out_of_range", field)

    track.refresh_from_db()
    assert (track.prizes, track.honourable_mentions, track.min_entries_for_first_prize) == (3, 0, 3)
    assert not AuditEvent.objects.filter(action="track.awards_changed").exists()


@pytest.mark.django_db
def test_published_results_keep_their_awards_when_the_settings_change(organiser: User) -> None:
    round, _entries, _judges = scored_round({("J1", "A"): 8, ("J1", "B"): 6, ("J1", "C"): 4}, method="mean")
    close_and_publish(round, organiser)
    track = Track.objects.get(competition=round.competition)

    track_awards_update(track=track, prizes=0, honourable_mentions=0, min_entries_for_first_prize=1, actor=organiser)

    awards = list(RoundResult.objects.filter(round=round).order_by("rank").values_list("award", flat=True))
    assert awards == [FIRST, SECOND, THIRD]
