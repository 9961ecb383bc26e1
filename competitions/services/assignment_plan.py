"""Which judge scores which entry: a balanced min-cost flow with a mixing deal (``balanced_assignment``), plain
Python and numpy over ids, no Django. ``services.assignment`` applies it to a round.

How the plan decides, in order of priority:

1. Coverage: every entry gets ``per_entry`` (K) judges, or every eligible judge when fewer are eligible (the
   shortfall is reported as "unfilled"). Eligible: an active panelist who judges the entry's track (a panelist
   with no tracks judges every track) and has no conflict with the entry's team.
2. Stability: existing assignments that are still valid are kept, always. Only the missing places are filled, so
   a re-run after a judge withdraws moves that judge's entries and nothing else. (A judge added to the panel after
   a run therefore only gets entries that still lack judges; rebalance by hand if needed.)
3. Balance: new places go where the judge's load (existing plus new) is lowest. Each judge's load has a convex
   cost (the n-th entry of a judge costs n), so on a fresh run the loads of judges eligible for the same tracks
   (a panel) differ by at most one whenever conflicts allow it: moving an entry from a judge with load L + 2 to a
   judge of the same panel with load L would lower the cost.
4. Mixing: among the choices that keep those loads, each entry's judges are the ones who have shared the fewest
   entries of its track with the judges already chosen for it (kept assignments count), and first of all ones
   not yet linked to them at all. So the judges' graph of each track (two judges linked when they share an entry)
   is connected and its pair counts are as even as the loads allow: calibration (``selectors.calibration``)
   compares judges only through the entries they share, and cannot tell a lenient group of judges from a group
   that drew strong entries when the groups share none. ``selectors.judge_graph`` measures the result.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

Pair = tuple[int, int]  # (judge id, entry id)
Class = tuple[tuple[int, ...], int]  # entries that need the same number of judges from the same pool


@dataclass(frozen=True)
class AssignmentPlan:
    """The result of ``balanced_assignment``: the full set of (judge, entry) pairs and how it came about."""

    pairs: frozenset[Pair]
    kept: frozenset[Pair]
    added: frozenset[Pair]
    # Existing pairs that are no longer valid (judge off the panel or conflicted, track not judged).
    dropped: frozenset[Pair]
    # Entry id -> how many judges it lacks (fewer eligible judges than K).
    unfilled: dict[int, int] = field(default_factory=dict)

    def load(self) -> dict[int, int]:
        loads: dict[int, int] = defaultdict(int)
        for judge, _entry in self.pairs:
            loads[judge] += 1
        return dict(loads)


def eligible(judge_tracks: Collection[int], track: int) -> bool:
    """A judge with no tracks judges every track."""
    return not judge_tracks or track in judge_tracks


def balanced_assignment(
    *,
    entries: Mapping[int, int],
    judges: Mapping[int, Collection[int]],
    per_entry: int,
    conflicts: Collection[Pair] = (),
    existing: Collection[Pair] = (),
) -> AssignmentPlan:
    """Assign judges to entries: ``entries`` maps entry id -> track id, ``judges`` maps judge id -> the tracks
    they judge (empty: every track), ``conflicts`` are (judge, entry) pairs never to assign, ``existing`` the
    current assignment. See the module docstring for the guarantees. Deterministic for the same input."""
    forbidden = set(conflicts)
    judge_ids = sorted(judges)
    tracks_of = {judge: frozenset(judges[judge]) for judge in judge_ids}

    def valid(judge: int, entry: int) -> bool:
        return (
            judge in tracks_of
            and entry in entries
            and (judge, entry) not in forbidden
            and eligible(tracks_of[judge], entries[entry])
        )

    kept = frozenset(pair for pair in existing if valid(*pair))
    dropped = frozenset(pair for pair in existing if pair not in kept)
    judges_of: dict[int, set[int]] = defaultdict(set)
    load: dict[int, int] = dict.fromkeys(judge_ids, 0)
    for judge, entry in kept:
        judges_of[entry].add(judge)
        load[judge] += 1

    # Places to fill, and the judges who could fill them.
    need: dict[int, int] = {}
    candidates: dict[int, list[int]] = {}
    unfilled: dict[int, int] = {}
    panel_of = {track: [j for j in judge_ids if eligible(tracks_of[j], track)] for track in set(entries.values())}
    for entry in sorted(entries):
        missing = per_entry - len(judges_of[entry])
        if missing <= 0:
            continue
        taken = judges_of[entry]
        pool = [j for j in panel_of[entries[entry]] if j not in taken and (j, entry) not in forbidden]
        if len(pool) < missing:
            unfilled[entry] = missing - len(pool)
        if pool:
            need[entry] = min(missing, len(pool))
            candidates[entry] = pool

    mixer = _Mixer(panel_of, entries, judges_of)
    added = _fill(need, candidates, load, mixer)
    return AssignmentPlan(pairs=kept | added, kept=kept, added=added, dropped=dropped, unfilled=unfilled)


class _Mixer:
    """Per track, how many entries each two judges of its panel share (the pair-count matrix) and which judges
    are linked through shared entries at all (a component label per judge); it chooses each entry's judges."""

    def __init__(self, panel_of: Mapping[int, list[int]], track_of: Mapping[int, int], kept: Mapping[int, set[int]]):
        self.track_of = track_of
        self.position = {track: {judge: i for i, judge in enumerate(panel)} for track, panel in panel_of.items()}
        self.shared = {track: np.zeros((len(panel), len(panel)), np.int64) for track, panel in panel_of.items()}
        self.component = {track: np.arange(len(panel)) for track, panel in panel_of.items()}
        self.kept = {entry: self.local(entry, sorted(judges)) for entry, judges in kept.items() if judges}
        for entry, judges in self.kept.items():
            self.link(entry, judges.tolist())

    def local(self, entry: int, judges: Collection[int]) -> np.ndarray:
        """The positions of ``judges`` in the panel of the entry's track."""
        position = self.position[self.track_of[entry]]
        return np.fromiter((position[judge] for judge in judges), np.intp, len(judges))

    def link(self, entry: int, judges: list[int], before: int = 0) -> None:
        """Count ``judges`` (positions) as sharing ``entry``, the first ``before`` of them as already counted, and
        join their groups. (The diagonal counts too, and is never read.)"""
        track = self.track_of[entry]
        shared, component = self.shared[track], self.component[track]
        every, old = np.array(judges, np.intp), np.array(judges[:before], np.intp)
        shared[np.ix_(every, every)] += 1
        shared[np.ix_(old, old)] -= 1
        groups = np.unique(component[every])
        for group in groups[1:]:
            component[component == group] = groups[0]

    def choose(
        self, entry: int, pool: np.ndarray, remaining: np.ndarray, places: int, left: int, rng: np.random.Generator
    ) -> list[int]:
        """``places`` indices into ``pool`` (panel positions) for ``entry``, of judges with ``remaining`` entries
        still to take in the entry's class, of which ``left`` entries (this one included) are still to deal.

        The judges who must take every entry left take this one: then every judge still has at most ``left - 1``
        to take, which (the entries of a class all need the same number of judges) is all the Gale-Ryser
        condition asks for the rest of the deal to succeed, so no choice here can make it fail. The other places
        go, one at a time, to the judge who is not linked yet to the judges chosen so far (for the first place:
        who is in the largest group of linked judges, so that the entry joins more judges to it), then who shares
        the fewest entries with them, then who has the most entries still to take (which keeps the later choices
        free), then by a seeded draw."""
        track = self.track_of[entry]
        shared, component = self.shared[track], self.component[track]
        chosen = list(self.kept.get(entry, ()))
        picks = [int(i) for i in np.flatnonzero(remaining == left)]
        chosen += [int(pool[i]) for i in picks]
        free = remaining > 0
        free[picks] = False
        groups = component[pool]
        linked = np.isin(groups, component[chosen])
        pairs = shared[np.ix_(pool, chosen)].sum(axis=1)
        # The keys after the first two, folded into one number below slack: more entries to take, then the draw.
        slack = int(remaining.max()) + 2
        rest = (slack - 1 - remaining) + rng.random(len(pool))
        while len(picks) < places:
            if chosen:
                key = (linked * (int(pairs.max()) + 1) + pairs) * slack + rest
            else:
                # The first judge comes from the largest group, so that the others chosen join it.
                key = -np.bincount(component)[groups] * slack + rest
            key[~free] = np.inf
            pick = int(np.argmin(key))
            judge = int(pool[pick])
            picks.append(pick)
            chosen.append(judge)
            free[pick] = False
            linked |= groups == component[judge]
            pairs += shared[pool, judge]
        self.link(entry, chosen, before=len(chosen) - len(picks))
        return picks


def _fill(
    need: dict[int, int], candidates: dict[int, list[int]], load: dict[int, int], mixer: _Mixer
) -> frozenset[Pair]:
    """Fill the missing places at the least convex load cost, mixing the judges.

    Entries that need the same number of judges from the same pool are interchangeable, so the flow runs on
    classes of them (a fresh run of 2,000 entries in 3 tracks has 3 classes instead of 2,000 entries, and the
    solve takes well under a second instead of 20 s): source -> class (capacity: its places) -> judge (capacity:
    the class's size, as a judge sits once per entry) -> sink. Each class's share per judge is then dealt out to
    its entries, in a seeded order, by ``_Mixer.choose``, which never gives an entry the same judge twice and
    always deals every share."""
    classes: dict[Class, list[int]] = defaultdict(list)
    for entry, places in need.items():
        classes[(tuple(candidates[entry]), places)].append(entry)
    shares = _class_flow(classes, load)
    rng = np.random.default_rng(len(need))  # deterministic for the same input
    added: set[Pair] = set()
    for (pool, places), members in classes.items():
        remaining = np.array([shares.get(((pool, places), judge), 0) for judge in pool], np.int64)
        positions: dict[int, np.ndarray] = {}  # track -> the pool's positions in the track's panel
        order = rng.permutation(sorted(members)).tolist()
        for dealt, entry in enumerate(order):
            track = mixer.track_of[entry]
            if track not in positions:
                positions[track] = mixer.local(entry, pool)
            picks = mixer.choose(entry, positions[track], remaining, places, len(order) - dealt, rng)
            remaining[picks] -= 1
            added.update((pool[i], entry) for i in picks)
    return frozenset(added)


def _class_flow(classes: dict[Class, list[int]], load: dict[int, int]) -> dict[tuple[Class, int], int]:
    """Min-cost flow from the classes of entries to the judges; returns (class, judge) -> entries taken.

    A judge's n-th entry (counting their existing load) costs n. Rather than one unit edge per possible entry,
    each judge gets unit edges up to a cap a little above the average load and one overflow edge beyond it that
    costs what the next unit edge would: when no overflow edge carries flow, the residual graph is the same as
    with all the unit edges, so the flow is optimal for the full convex cost; otherwise the caps of the judges
    who overflowed are doubled and the flow is solved again. The cost depends only on each judge's total, so
    ``_spread`` may then move entries between classes for the same totals."""
    total = sum(places * len(members) for (_pool, places), members in classes.items())
    if not total:
        return {}
    reach: dict[int, int] = defaultdict(int)  # how many new entries a judge could take at most
    for (pool, _places), members in classes.items():
        for judge in pool:
            reach[judge] += len(members)
    average = (total + sum(load[j] for j in reach)) // len(reach) + 2
    cap = {judge: max(average - load[judge], 1) for judge in reach}
    while True:
        graph = nx.MultiDiGraph()
        graph.add_node("source", demand=-total)
        graph.add_node("sink", demand=total)
        for number, ((pool, places), members) in enumerate(classes.items()):
            graph.add_edge("source", ("c", number), capacity=places * len(members), weight=0)
            for judge in pool:
                graph.add_edge(("c", number), ("j", judge), capacity=len(members), weight=0)
        for judge, most in reach.items():
            start, units = load[judge], min(cap[judge], most)
            for n in range(start + 1, start + units + 1):
                graph.add_edge(("j", judge), "sink", capacity=1, weight=n)
            if most > units:
                graph.add_edge(("j", judge), "sink", key="overflow", capacity=most - units, weight=start + units + 1)
        _cost, flow = nx.network_simplex(graph)
        overflowed = [judge for judge in reach if flow[("j", judge)]["sink"].get("overflow", 0)]
        if not overflowed:
            break
        for judge in overflowed:
            cap[judge] *= 2
    shares = {}
    for number, key in enumerate(classes):
        for node, by_key in flow[("c", number)].items():
            taken = sum(by_key.values())
            if taken:
                shares[(key, node[1])] = taken
    return _spread(classes, shares)


def _spread(classes: dict[Class, list[int]], shares: dict[tuple[Class, int], int]) -> dict[tuple[Class, int], int]:
    """The same totals per judge and per class, with each class spread over its pool as evenly as they allow.

    A vertex of the flow polytope, which the simplex returns, tends to give one class to a few judges and the next
    to the others: the deal would then have no choice but cliques (the three judges who take every entry of a
    small class, made by a conflict, would share all of it). So a second flow keeps every judge's total, makes a
    judge's entries of a class free up to an even share of it and charges 1 for each one beyond. Skipped when no
    judge is in two classes: the shares are then fixed by the totals."""
    judges_in: dict[int, int] = defaultdict(int)
    for pool, _places in classes:
        for judge in pool:
            judges_in[judge] += 1
    if all(count == 1 for count in judges_in.values()):
        return shares
    totals: dict[int, int] = defaultdict(int)
    for (_key, judge), taken in shares.items():
        totals[judge] += taken
    graph = nx.MultiDiGraph()
    graph.add_node("source", demand=-sum(totals.values()))
    graph.add_node("sink", demand=sum(totals.values()))
    for number, ((pool, places), members) in enumerate(classes.items()):
        graph.add_edge("source", ("c", number), capacity=places * len(members), weight=0)
        even = min(-(-places * len(members) // len(pool)), len(members))
        for judge in pool:
            graph.add_edge(("c", number), ("j", judge), capacity=even, weight=0)
            if even < len(members):
                graph.add_edge(("c", number), ("j", judge), key="beyond", capacity=len(members) - even, weight=1)
    for judge, total in totals.items():
        graph.add_edge(("j", judge), "sink", capacity=total, weight=0)
    _cost, flow = nx.network_simplex(graph)
    spread = {}
    for number, key in enumerate(classes):
        for node, by_key in flow[("c", number)].items():
            taken = sum(by_key.values())
            if taken:
                spread[(key, node[1])] = taken
    return spread
