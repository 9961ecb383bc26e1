"""The outlier flag: only with enough shared entries, only for a clearly negative correlation, with its evidence."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.selectors.outliers import MIN_SHARED_ENTRIES, flag_limit, judge_evidence, outlier_judges


def panel_with(j3: list[float]) -> dict[tuple[str, str], float]:
    """Two judges who agree (J1 gives 1..n, J2 the same minus one) and J3, over ``len(j3)`` entries."""
    entries = [f"E{n:02d}" for n in range(len(j3))]
    totals = {}
    for number, entry in enumerate(entries, start=1):
        totals[("J1", entry)] = float(number)
        totals[("J2", entry)] = float(number) - 1
        totals[("J3", entry)] = j3[number - 1]
    return totals


def test_the_limit_is_the_one_sided_five_percent_limit_of_fishers_z():
    # atanh(r) * sqrt(n - 3) < -1.645: -0.63 over 8 entries, -0.46 over 14, -0.30 over 32 (rounded).
    assert flag_limit(7) is None
    assert flag_limit(8) == pytest.approx(-0.6265, abs=1e-4)
    assert flag_limit(14) == pytest.approx(-0.4589, abs=1e-4)
    assert flag_limit(32) == pytest.approx(-0.2963, abs=1e-4)


def test_a_judge_who_reverses_the_panel_over_enough_entries_is_flagged_with_the_evidence():
    totals = panel_with([float(10 - n) for n in range(1, 10)])  # nine entries, in the reverse order

    [j3, *others] = judge_evidence(totals)

    assert (j3.judge, j3.flagged, j3.shared) == ("J3", True, 9)
    assert j3.correlation == pytest.approx(-1.0)
    assert j3.limit == pytest.approx(math.tanh(-1.6448536269514722 / math.sqrt(6)))
    assert not any(e.flagged for e in others)
    assert outlier_judges(totals) == {"J3": pytest.approx(-1.0)}


def test_the_same_reversal_over_too_few_entries_is_not_flagged():
    totals = panel_with([float(10 - n) for n in range(1, MIN_SHARED_ENTRIES)])  # seven entries

    evidence = {e.judge: e for e in judge_evidence(totals)}

    assert evidence["J3"].correlation == pytest.approx(-1.0)
    assert not evidence["J3"].flagged and not evidence["J3"].enough and evidence["J3"].limit is None
    assert outlier_judges(totals) == {}


def test_a_mildly_negative_judge_is_not_flagged():
    # Over ten entries the limit is -0.55: a judge at about -0.3 is within what chance gives.
    j3 = [5.0, 4.0, 6.0, 3.0, 7.0, 5.0, 2.0, 6.0, 4.0, 3.0]
    totals = panel_with(j3)

    evidence = {e.judge: e for e in judge_evidence(totals)}

    assert -0.55 < evidence["J3"].correlation < 0
    assert evidence["J3"].enough and not evidence["J3"].flagged


def test_a_harsh_judge_in_the_panels_order_is_never_flagged():
    totals = panel_with([float(n) - 4 for n in range(1, 13)])

    assert outlier_judges(totals) == {}


def test_a_judge_who_gives_every_entry_the_same_total_has_no_correlation():
    evidence = {e.judge: e for e in judge_evidence(panel_with([5.0] * 10))}

    assert evidence["J3"].correlation is None and not evidence["J3"].flagged


def test_a_judge_who_shares_no_entry_is_not_listed():
    totals = {**panel_with([1.0] * 3), ("J4", "alone"): 7.0}

    assert "J4" not in {e.judge for e in judge_evidence(totals)}


@settings(max_examples=200, deadline=None)
@given(
    shared=st.integers(min_value=1, max_value=MIN_SHARED_ENTRIES - 1),
    values=st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=3 * 30, max_size=3 * 30),
    extra=st.integers(min_value=0, max_value=20),
)
def test_a_judge_below_the_minimum_of_shared_entries_is_never_flagged(shared, values, extra):
    # J1 and J2 judge ``shared + extra`` entries together; the judge under test, J3, shares ``shared`` of them.
    entries = [f"E{n}" for n in range(shared + extra)]
    totals = {}
    for n, entry in enumerate(entries):
        totals[("J1", entry)] = values[3 * n]
        totals[("J2", entry)] = values[3 * n + 1]
        if n < shared:
            totals[("J3", entry)] = values[3 * n + 2]

    evidence = {e.judge: e for e in judge_evidence(totals)}

    assert evidence["J3"].shared == shared
    assert not evidence["J3"].flagged
    assert "J3" not in outlier_judges(totals)
