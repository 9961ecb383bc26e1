"""The judges' graph of a track: two judges are linked when they judge (or scored) a common entry of it.

Calibration (``calibration.calibrate``) reads a judge's leniency and spread only by comparing their totals with
other judges' on the same entries, so it can compare two judges only through a chain of such links: when the graph
falls apart into groups that share no entry, a lenient group cannot be told from a group that drew strong entries.
The more co-judges each judge has, and the more evenly the shared entries spread over the pairs, the better each
judge's leniency is pinned down. ``services.assignment_plan`` assigns with that in mind; this module measures it.
Plain functions over ids (no Django), as ``calibration``.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

E = TypeVar("E", bound=Hashable)  # an entry
J = TypeVar("J", bound=Hashable)  # a judge
T = TypeVar("T", bound=Hashable)  # a track


@dataclass(frozen=True)
class JudgeGraph:
    """One track's judges' graph: ``judges`` with at least one entry, the ``groups`` they fall into (linked within,
    no entry shared across; 1: connected), the fewest and most other judges one judge shares an entry with, and
    the fewest and most entries two judges of the track share (0 when some two share none)."""

    judges: int
    groups: int
    fewest_co_judges: int
    most_co_judges: int
    fewest_shared: int
    most_shared: int

    @property
    def connected(self) -> bool:
        return self.groups <= 1

    @property
    def others(self) -> int:
        """How many other judges each judge could share entries with."""
        return max(self.judges - 1, 0)

    @property
    def co_judges(self) -> str:
        """The fewest to the most co-judges of one judge, as a number or a range: "9–14", or "14" when even."""
        if self.fewest_co_judges == self.most_co_judges:
            return str(self.most_co_judges)
        return f"{self.fewest_co_judges}–{self.most_co_judges}"


def judge_graph(pairs: Iterable[tuple[J, E]]) -> JudgeGraph:
    """The judges' graph of the (judge, entry) ``pairs`` of one track."""
    judges_of: dict[E, set[J]] = defaultdict(set)
    for judge, entry in pairs:
        judges_of[entry].add(judge)
    judges = sorted({judge for panel in judges_of.values() for judge in panel}, key=repr)
    shared: dict[tuple[J, J], int] = defaultdict(int)
    co_judges: dict[J, set[J]] = {judge: set() for judge in judges}
    group = {judge: judge for judge in judges}  # union-find: each judge's parent, a root is its own

    def root(judge: J) -> J:
        while group[judge] != judge:
            group[judge] = group[group[judge]]
            judge = group[judge]
        return judge

    for panel in judges_of.values():
        for first, second in combinations(sorted(panel, key=repr), 2):
            shared[(first, second)] += 1
            co_judges[first].add(second)
            co_judges[second].add(first)
            group[root(second)] = root(first)
    counts = [len(others) for others in co_judges.values()] or [0]
    possible = len(judges) * (len(judges) - 1) // 2
    return JudgeGraph(
        judges=len(judges),
        groups=len({root(judge) for judge in judges}),
        fewest_co_judges=min(counts),
        most_co_judges=max(counts),
        fewest_shared=min(shared.values(), default=0) if len(shared) == possible else 0,
        most_shared=max(shared.values(), default=0),
    )


def judge_graphs(pairs: Iterable[tuple[J, E]], track_of: Mapping[E, T]) -> dict[T, JudgeGraph]:
    """The judges' graph of each track with at least one (judge, entry) pair; ``track_of`` maps entry -> track."""
    by_track: dict[T, list[tuple[J, E]]] = defaultdict(list)
    for judge, entry in pairs:
        by_track[track_of[entry]].append((judge, entry))
    return {track: judge_graph(track_pairs) for track, track_pairs in by_track.items()}
