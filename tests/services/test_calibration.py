"""Calibrated scores (``competitions.selectors.calibration``): worked examples and properties of the joint fit of
the judges' leniency, spread and noise with the entries' quality."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from competitions.models import Round
from competitions.selectors.calibration import calibrate
from competitions.selectors.leaderboard import round_leaderboard
from tests.services.test_results import scored_round


def order(scores: dict) -> list:
    return sorted(scores, key=lambda entry: -scores[entry])


def tau(first: dict, second: dict) -> float:
    """Kendall's tau between two scorings of the same entries."""
    entries = sorted(first)
    return float(kendalltau([first[e] for e in entries], [second[e] for e in entries]).statistic)


def test_a_lenient_and_a_wide_judge_are_read_back_to_the_first_judges_order() -> None:
    first = {"a": 4.0, "b": 5.0, "c": 6.5, "d": 8.0}
    totals = {("strict", e): v for e, v in first.items()}
    totals |= {("lenient", e): v + 1.5 for e, v in first.items()}
    totals |= {("wide", e): 6.0 + 2 * (v - 5.875) for e, v in first.items()}

    result = calibrate(totals, low=0, high=10)

    assert order(result.scores) == ["d", "c", "b", "a"]
    judges = result.judges
    assert judges["lenient"].offset - judges["strict"].offset == pytest.approx(1.5, abs=0.2)
    assert judges["wide"].scale / judges["strict"].scale == pytest.approx(2.0, rel=0.1)
    assert {judge.sheets for judge in judges.values()} == {4}


def test_a_judge_who_drew_the_strong_entries_is_not_taken_for_a_harsh_one() -> None:
    # Entries 0-5 are weak and 6-11 strong; every judge marks true quality, the last one only the strong entries.
    quality = {e: float(e) for e in range(12)}
    totals = {(judge, e): 2.0 + 0.5 * q for judge in ("p", "q", "r") for e, q in quality.items() if e < 9}
    totals |= {("strong-only", e): 2.0 + 0.5 * q for e, q in quality.items() if e >= 6}

    result = calibrate(totals, low=0, high=10)

    assert order(result.scores) == sorted(quality, key=lambda e: -quality[e])
    assert abs(result.judges["strong-only"].offset) < 0.3


def test_shifting_one_judges_marks_leaves_the_order_all_but_unchanged() -> None:
    rng = random.Random(7)
    quality = {e: rng.gauss(0, 1) for e in range(30)}
    judges = {j: (rng.gauss(0, 1), rng.uniform(0.7, 1.3)) for j in range(6)}
    totals = {
        (j, e): 6 + offset + scale * 1.5 * q + rng.gauss(0, 0.3)
        for j, (offset, scale) in judges.items()
        for e, q in quality.items()
        if (e + j) % 2 == 0 or e % 3 == 0
    }
    shifted = {(j, e): v + (2.0 if j == 0 else 0.0) for (j, e), v in totals.items()}

    before, after = calibrate(totals, low=-100, high=100), calibrate(shifted, low=-100, high=100)

    assert tau(before.scores, after.scores) > 0.97
    # Read as lenient by the shift, less the sixth of it that moved the panel's typical judge
    assert after.judges[0].offset - before.judges[0].offset == pytest.approx(2.0 * 5 / 6, abs=0.15)


def test_judges_who_mark_alike_give_the_order_of_the_plain_mean() -> None:
    rng = random.Random(3)
    quality = {e: rng.gauss(0, 1) for e in range(40)}
    totals = {
        (j, e): 6 + 1.5 * q + rng.gauss(0, 0.2) for j in range(8) for e, q in quality.items() if (e * 7 + j) % 4 < 2
    }
    means: dict[int, list[float]] = {}
    for (_judge, entry), value in totals.items():
        means.setdefault(entry, []).append(value)

    calibrated = calibrate(totals, low=0, high=10).scores
    plain = {entry: sum(values) / len(values) for entry, values in means.items()}

    assert tau(calibrated, plain) > 0.95


def test_a_judge_with_one_sheet_stays_near_the_panel_and_every_score_is_on_the_range() -> None:
    totals = {(j, e): 3.0 + e + (0.5 if j == "b" else 0.0) for j in ("a", "b") for e in range(5)}
    totals[("newcomer", 2)] = 10.0

    result = calibrate(totals, low=0, high=10)

    assert result.judges["newcomer"].sheets == 1
    assert abs(result.judges["newcomer"].scale - 1.0) < 0.5
    assert all(0 <= score <= 10 for score in result.scores.values())
    assert order(result.scores) == [4, 3, 2, 1, 0]


def test_nothing_to_calibrate_gives_nothing_and_the_same_totals_the_same_result() -> None:
    totals = {(j, e): float((j * 3 + e * 5) % 11) for j in range(4) for e in range(6)}

    assert calibrate({}, low=0, high=10).scores == {}
    assert calibrate(totals, low=0, high=10) == calibrate(dict(totals), low=0, high=10)


@pytest.mark.django_db
def test_a_round_ranked_by_the_calibrated_method_reads_a_lenient_judge_back() -> None:
    # J1 and J3 mark alike; the lenient J2 (+3) sees only the two weakest entries, and lifts B over C in the mean.
    values = {("J1", "A"): 4.0, ("J1", "B"): 5.0, ("J1", "C"): 6.0, ("J1", "D"): 7.0, ("J1", "E"): 8.0}
    values |= {("J2", "A"): 7.0, ("J2", "B"): 8.0, ("J3", "D"): 7.0, ("J3", "E"): 8.0, ("J3", "C"): 6.0}
    round, _entries, _judges = scored_round(values, method=Round.Method.CALIBRATED)

    (track,) = round_leaderboard(round).tracks

    assert [row.code for row in track.rows] == ["CODEE", "CODED", "CODEC", "CODEB", "CODEA"]
    assert all(row.score is not None and 0 <= row.score <= 10 for row in track.rows)
    by_mean = [row.code for row in sorted(track.rows, key=lambda row: -(row.mean or 0))]
    assert by_mean.index("CODEB") < by_mean.index("CODEC")  # the plain mean is fooled by the lenient judge


@given(
    st.dictionaries(
        st.tuples(st.integers(0, 4), st.integers(0, 6)), st.sampled_from([0.0, 2.5, 5.0, 5.5, 10.0]), min_size=1
    )
)
@settings(max_examples=60, deadline=None)
def test_any_totals_give_a_finite_score_on_the_range_for_every_entry(totals: dict[tuple[int, int], float]) -> None:
    result = calibrate(totals, low=0, high=10)

    assert set(result.scores) == {entry for _judge, entry in totals}
    assert all(math.isfinite(score) and 0 <= score <= 10 for score in result.scores.values())
    assert all(math.isfinite(judge.offset) and judge.scale > 0 for judge in result.judges.values())
