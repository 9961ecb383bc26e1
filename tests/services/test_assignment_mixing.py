"""Assignment that helps calibration: within a track, the judges chosen for an entry are the ones who have shared
the fewest entries with each other, so the judges' graph is connected and its pair counts even, while coverage,
conflicts and balance stay as ``test_assignment`` checks them. And the graph's measures (``judge_graph``)."""

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.selectors.judge_graph import judge_graph, judge_graphs
from competitions.services.assignment_plan import AssignmentPlan, balanced_assignment, eligible


def one_panel(*, entries: int, judges: int, per_entry: int, tracks: int = 1) -> AssignmentPlan:
    return balanced_assignment(
        entries={e: e % tracks for e in range(entries)},
        judges={100 + j: () for j in range(judges)},
        per_entry=per_entry,
    )


# ---------------------------------------------------------------------------------------------------------------
# Worked examples


def test_twelve_judges_on_sixty_entries_each_share_entries_with_all_eleven_others() -> None:
    plan = one_panel(entries=60, judges=12, per_entry=3)

    graph = judge_graph(plan.pairs)

    assert set(plan.load().values()) == {15}
    assert graph.connected and graph.judges == 12
    assert (graph.fewest_co_judges, graph.most_co_judges) == (11, 11)
    # 60 entries give 180 pairs of co-judges over 66 pairs of judges: 2.7 each on average.
    assert 2 <= graph.fewest_shared and graph.most_shared <= 4


def test_each_track_of_a_large_round_is_mixed_on_its_own() -> None:
    plan = one_panel(entries=600, judges=25, per_entry=5, tracks=3)

    graphs = judge_graphs(plan.pairs, {e: e % 3 for e in range(600)})

    assert set(plan.load().values()) == {120}
    for graph in graphs.values():
        assert graph.connected and graph.fewest_co_judges == 24
        # 200 entries give 2,000 pairs over 300 pairs of judges: 6.7 each on average.
        assert 5 <= graph.fewest_shared and graph.most_shared <= 9


def test_a_judge_shares_entries_with_nearly_as_many_others_as_their_load_allows() -> None:
    """Thirty entries, twelve judges, two each: five entries per judge, so at most five co-judges."""
    graph = judge_graph(one_panel(entries=30, judges=12, per_entry=2).pairs)

    assert graph.connected
    assert graph.fewest_co_judges >= 4 and graph.most_co_judges == 5 and graph.most_shared <= 2


def test_too_few_entries_to_link_every_judge_leave_the_fewest_groups() -> None:
    """Ten entries of two judges link at most eleven judges; twelve need eleven links, so two groups is the best."""
    graph = judge_graph(one_panel(entries=10, judges=12, per_entry=2).pairs)

    assert graph.groups == 2


def test_a_rerun_links_the_groups_the_kept_assignments_left_apart() -> None:
    """Judges 1 and 2 shared every entry so far, as did 3 and 4; the two new entries each take one of each pair,
    the only choice that keeps the loads even and links the four."""
    existing = {(1, 0), (2, 0), (1, 1), (2, 1), (3, 2), (4, 2), (3, 3), (4, 3)}
    entries = dict.fromkeys(range(6), 0)

    plan = balanced_assignment(entries=entries, judges=dict.fromkeys((1, 2, 3, 4), ()), per_entry=2, existing=existing)

    assert plan.kept == existing
    for entry in (4, 5):
        judges = {judge for judge, e in plan.added if e == entry}
        assert len(judges & {1, 2}) == 1 and len(judges & {3, 4}) == 1
    assert judge_graph(plan.pairs).connected


def test_a_conflicted_judge_is_still_mixed_with_the_others() -> None:
    conflicts = {(100, e) for e in range(0, 60, 4)}  # judge 100 may not judge a quarter of the entries
    plan = balanced_assignment(
        entries=dict.fromkeys(range(60), 0), judges={100 + j: () for j in range(12)}, per_entry=3, conflicts=conflicts
    )

    assert not plan.pairs & conflicts
    graph = judge_graph(plan.pairs)
    assert graph.connected and graph.fewest_co_judges >= 10


# ---------------------------------------------------------------------------------------------------------------
# The graph's measures


def test_two_panels_that_share_no_entry_are_two_groups() -> None:
    pairs = [(a, e) for e in range(4) for a in ("ann", "bob")] + [(c, e) for e in range(4, 8) for c in ("cy", "di")]

    graph = judge_graph(pairs)

    assert (graph.judges, graph.groups, graph.connected) == (4, 2, False)
    assert (graph.fewest_co_judges, graph.most_co_judges, graph.co_judges) == (1, 1, "1")
    assert (graph.fewest_shared, graph.most_shared) == (0, 4)


def test_a_chain_of_judges_is_connected_with_uneven_co_judges() -> None:
    graph = judge_graph([("a", 1), ("b", 1), ("b", 2), ("c", 2), ("c", 3), ("d", 3)])

    assert graph.connected and graph.others == 3
    assert graph.co_judges == "1–2"


def test_a_lone_judge_or_no_judge_is_a_connected_graph() -> None:
    assert judge_graph([("a", 1), ("a", 2)]) == judge_graph([("a", 1)])
    assert judge_graph([("a", 1)]).connected and judge_graph([("a", 1)]).others == 0
    assert judge_graph([]).judges == 0 and judge_graph([]).connected


def test_judge_graphs_measures_each_track_apart() -> None:
    """Two judges who share entries only across tracks are not linked: calibration compares within a track."""
    graphs = judge_graphs([("a", 1), ("b", 1), ("a", 2), ("c", 3)], {1: "x", 2: "y", 3: "y"})

    assert graphs["x"].connected and graphs["x"].judges == 2
    assert graphs["y"].groups == 2


# ---------------------------------------------------------------------------------------------------------------
# Random panels


@st.composite
def panels(draw: st.DrawFn, *, conflicts: int) -> dict:
    """Up to three tracks, each judge judging a random set of them (none: all), up to ``conflicts`` conflicts."""
    tracks = draw(st.integers(1, 3))
    n_judges = draw(st.integers(2, 12))
    entries = {e: draw(st.integers(0, tracks - 1)) for e in range(draw(st.integers(1, 50)))}
    judges = {100 + j: draw(st.sets(st.integers(0, tracks - 1), max_size=tracks)) for j in range(n_judges)}
    pairs = [(j, e) for j in judges for e in entries]
    forbidden = draw(st.sets(st.sampled_from(pairs), max_size=conflicts)) if conflicts else set()
    return {"entries": entries, "judges": judges, "per_entry": draw(st.integers(1, 5)), "conflicts": forbidden}


def by_entry(pairs: frozenset[tuple[int, int]]) -> dict[int, set[int]]:
    judges: dict[int, set[int]] = defaultdict(set)
    for judge, entry in pairs:
        judges[entry].add(judge)
    return judges


@settings(max_examples=150, deadline=None)
@given(panels(conflicts=0))
def test_without_conflicts_each_tracks_judges_are_linked_whenever_the_entries_can_link_them(instance: dict) -> None:
    plan = balanced_assignment(**instance)
    track_of = instance["entries"]
    for track, graph in judge_graphs(plan.pairs, track_of).items():
        entries = [e for e, t in track_of.items() if t == track]
        per_entry = min(len(by_entry(plan.pairs)[e]) for e in entries)
        # An entry of K judges joins at most K - 1 groups into one: with fewer links than that, groups must remain.
        if len(entries) * (per_entry - 1) >= graph.judges - 1:
            assert graph.connected, graph


@settings(max_examples=150, deadline=None)
@given(panels(conflicts=40))
def test_with_random_conflicts_mixing_keeps_coverage_conflicts_and_balance(instance: dict) -> None:
    plan = balanced_assignment(**instance)
    judges, loads = by_entry(plan.pairs), plan.load()
    eligible_for = {
        entry: {
            j
            for j, tracks in instance["judges"].items()
            if eligible(tracks, track) and (j, entry) not in instance["conflicts"]
        }
        for entry, track in instance["entries"].items()
    }
    for entry, candidates in eligible_for.items():
        assert judges[entry] <= candidates
        assert len(judges[entry]) == min(instance["per_entry"], len(candidates))
    # Within a panel (judges of the same tracks), no entry could move from a judge with two more entries to one
    # who is neither on it nor conflicted with it.
    for entry, assigned in judges.items():
        for busy in assigned:
            for idle in eligible_for[entry] - assigned:
                if set(instance["judges"][idle]) == set(instance["judges"][busy]):
                    assert loads[busy] - loads.get(idle, 0) < 2


@settings(max_examples=100, deadline=None)
@given(st.integers(3, 14), st.integers(2, 4), st.integers(0, 40), st.data())
def test_a_few_conflicts_on_a_single_panel_leave_its_graph_connected_and_even(
    n_judges: int, per_entry: int, extra: int, data: st.DataObject
) -> None:
    """At least two entries per judge and up to three conflicts: connected, and no two judges share more than
    three entries above the average."""
    per_entry = min(per_entry, n_judges - 1)
    n_entries = 2 * n_judges + extra
    pairs = [(j, e) for j in range(n_judges) for e in range(n_entries)]
    conflicts = data.draw(st.sets(st.sampled_from(pairs), max_size=3))

    plan = balanced_assignment(
        entries=dict.fromkeys(range(n_entries), 0),
        judges=dict.fromkeys(range(n_judges), ()),
        per_entry=per_entry,
        conflicts=conflicts,
    )

    graph = judge_graph(plan.pairs)
    assert graph.connected, graph
    average = n_entries * per_entry * (per_entry - 1) / (n_judges * (n_judges - 1))
    assert graph.most_shared <= math.ceil(average) + 3, graph
