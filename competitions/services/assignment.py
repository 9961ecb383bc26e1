"""Assigning judges to the entries of a round: a balanced min-cost flow (``balanced_assignment``, plain Python
over ids, no Django) and the services that apply it to a round and let organisers override it by hand.

How the flow decides, in order of priority:

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
"""

import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import networkx as nx
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Assignment, Conflict, Entry, Panelist, Round, RoundEntry, ScoreSheet
from competitions.services import notifications
from competitions.services.audit import record

Pair = tuple[int, int]  # (judge id, entry id)
INSERT_BATCH = 2000  # rows per INSERT where the database sets no lower limit (PostgreSQL: 10,000 parameters)


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

    added = _fill(need, candidates, load)
    return AssignmentPlan(pairs=kept | added, kept=kept, added=added, dropped=dropped, unfilled=unfilled)


def _fill(need: dict[int, int], candidates: dict[int, list[int]], load: dict[int, int]) -> frozenset[Pair]:
    """Fill the missing places at the least convex load cost.

    Entries that need the same number of judges from the same pool are interchangeable, so the flow runs on
    classes of them (a fresh run of 2,000 entries in 3 tracks has 3 classes instead of 2,000 entries, and the
    solve takes well under a second instead of 20 s): source -> class (capacity: its places) -> judge (capacity:
    the class's size, as a judge sits once per entry) -> sink. Each class's share per judge is then dealt out to
    its entries: each entry in turn takes the judges with the most entries still to take (ties broken by a
    seeded shuffle, so co-judges mix), which is the Gale-Ryser construction: it always succeeds, and never gives
    an entry the same judge twice."""
    classes: dict[tuple[tuple[int, ...], int], list[int]] = defaultdict(list)
    for entry, places in need.items():
        classes[(tuple(candidates[entry]), places)].append(entry)
    shares = _class_flow(classes, load)
    rng = random.Random(len(need))  # deterministic for the same input
    added = set()
    for (pool, places), members in classes.items():
        remaining = {judge: shares.get(((pool, places), judge), 0) for judge in pool}
        order = sorted(members)
        rng.shuffle(order)
        for entry in order:
            tiebreak = {judge: rng.random() for judge in pool}
            chosen = sorted(pool, key=lambda judge: (-remaining[judge], tiebreak[judge]))[:places]
            for judge in chosen:
                remaining[judge] -= 1
                added.add((judge, entry))
    return frozenset(added)


def _class_flow(
    classes: dict[tuple[tuple[int, ...], int], list[int]], load: dict[int, int]
) -> dict[tuple[tuple[tuple[int, ...], int], int], int]:
    """Min-cost flow from the classes of entries to the judges; returns (class, judge) -> entries taken.

    A judge's n-th entry (counting their existing load) costs n. Rather than one unit edge per possible entry,
    each judge gets unit edges up to a cap a little above the average load and one overflow edge beyond it that
    costs what the next unit edge would: when no overflow edge carries flow, the residual graph is the same as
    with all the unit edges, so the flow is optimal for the full convex cost; otherwise the caps of the judges
    who overflowed are doubled and the flow is solved again."""
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
    return shares


@dataclass(frozen=True)
class AssignmentReport:
    """What ``round_assign`` did."""

    created: int
    kept: int
    removed: int
    unfilled: list[int]  # RoundEntry ids with fewer judges than the round asks for
    message: str


def _tell_judges(round: Round, judge_ids: set[int]) -> None:
    """After commit, tell the judges given new entries to score how many they now have."""
    if judge_ids:
        round_id, judges = round.pk, sorted(judge_ids)
        transaction.on_commit(
            lambda: notifications.judges_assigned_notify(round_id=round_id, judge_ids=judges), robust=True
        )


def _check_round_editable(round: Round) -> None:
    if round.status not in (Round.Status.DRAFT, Round.Status.OPEN):
        raise RuleError(
            _("Assignments can only change while the round is a draft or open."), code=ErrorCode.ROUND_CLOSED
        )


def _insert_automatic(round: Round, pairs: list[Pair]) -> None:
    """Insert the (judge, round entry) pairs as automatic assignments of ``round``, by multi-row INSERTs that the
    database's limit on parameters allows (999 on SQLite). ``bulk_create`` writes the same rows, but preparing
    10,000 model instances and their 50,000 values took longer than the flow that chose them. No signal is sent,
    as with ``bulk_create``."""
    table, quote = Assignment._meta.db_table, connection.ops.quote_name
    by_name = {field.name: field for field in Assignment._meta.concrete_fields}
    fields = [by_name[name] for name in ("round", "judge", "round_entry", "source", "created_at")]
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(round.pk, judge, entry, Assignment.Source.AUTOMATIC.value, created_at) for judge, entry in pairs]
    size = min(connection.ops.bulk_batch_size(fields, rows), INSERT_BATCH) or 1
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(f"INSERT INTO {quote(table)} ({columns}) VALUES {values}", [v for row in batch for v in row])


def round_assign(*, round: Round, actor: User | None) -> AssignmentReport:
    """Assign the round's entries to its active panelists (see ``balanced_assignment``), in one transaction with
    the round row locked, so two runs never interleave. Assignments of withdrawn or conflicted judges (or for a
    track they no longer judge) are removed with their draft sheets; submitted sheets are kept. Audited
    ("assignment.run"); the judges given new entries are emailed after commit."""

    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        _check_round_editable(round)
        panel = Panelist.objects.filter(round=round, withdrawn_at__isnull=True).prefetch_related("tracks")
        judges = {p.user_id: [t.pk for t in p.tracks.all()] for p in panel}
        # A disqualified entry is neither assigned nor unassigned: its assignments wait, untouched, for a reinstatement.
        in_the_running = RoundEntry.objects.filter(round=round, entry__disqualified_at__isnull=True)
        round_entries = list(in_the_running.values_list("pk", "track_id", "entry__team_id"))
        entries = {pk: track for pk, track, _team in round_entries}
        conflicted_teams: dict[int, set[int]] = defaultdict(set)
        for judge, team in Conflict.objects.filter(competition=round.competition_id).values_list("judge", "team"):
            conflicted_teams[team].add(judge)
        conflicts = [(judge, pk) for pk, _track, team in round_entries for judge in conflicted_teams.get(team, ())]
        current = {
            (judge, entry): pk
            for pk, judge, entry in Assignment.objects.filter(round_entry__in=in_the_running)
            .order_by()
            .values_list("pk", "judge_id", "round_entry_id")
        }

        plan = balanced_assignment(
            entries=entries, judges=judges, per_entry=round.judges_per_entry, conflicts=conflicts, existing=current
        )
        if plan.dropped:
            Assignment.objects.filter(pk__in=[current[pair] for pair in plan.dropped]).delete()
            drafts = ScoreSheet.objects.filter(
                round=round,
                status=ScoreSheet.Status.DRAFT,
                judge_id__in={judge for judge, _entry in plan.dropped},
                round_entry_id__in={entry for _judge, entry in plan.dropped},
            ).values_list("pk", "judge_id", "round_entry_id")
            ScoreSheet.objects.filter(pk__in=[pk for pk, *pair in drafts if tuple(pair) in plan.dropped]).delete()
        _insert_automatic(round, sorted(plan.added))
        unfilled = sorted(plan.unfilled)
        message = _("%(created)d assignments created, %(kept)d kept, %(removed)d removed.") % {
            "created": len(plan.added),
            "kept": len(plan.kept),
            "removed": len(plan.dropped),
        }
        if unfilled:
            message += " " + ngettext(
                "%(count)d entry has fewer judges than the round asks for: not enough eligible judges.",
                "%(count)d entries have fewer judges than the round asks for: not enough eligible judges.",
                len(unfilled),
            ) % {"count": len(unfilled)}
        record(
            competition=round.competition,
            actor=actor,
            action="assignment.run",
            target=round,
            data={
                "round": round.pk,
                "created": len(plan.added),
                "kept": len(plan.kept),
                "removed": len(plan.dropped),
                "unfilled": unfilled,
            },
        )
        _tell_judges(round, {judge for judge, _entry in plan.added})
    return AssignmentReport(
        created=len(plan.added), kept=len(plan.kept), removed=len(plan.dropped), unfilled=unfilled, message=message
    )


def assignment_add(*, round: Round, judge: User, round_entry: RoundEntry, actor: User | None) -> Assignment:
    """Assign ``judge`` to ``round_entry`` by hand (source "manual"). Refused when the judge is not an active
    panelist judging that track ("not_on_panel"), is conflicted with the entry's team ("conflict"), or is already
    assigned ("already_assigned"). Audited ("assignment.added")."""

    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        _check_round_editable(round)
        if round_entry.round_id != round.pk:
            raise RuleError(_("This entry is not part of the round."), code=ErrorCode.NOT_IN_ROUND)
        if Entry.objects.filter(pk=round_entry.entry_id, disqualified_at__isnull=False).exists():
            raise RuleError(_("This entry is disqualified."), code=ErrorCode.ENTRY_DISQUALIFIED)
        panelist = (
            Panelist.objects.filter(round=round, user=judge, withdrawn_at__isnull=True)
            .prefetch_related("tracks")
            .first()
        )
        if panelist is None or not eligible({t.pk for t in panelist.tracks.all()}, round_entry.track_id):
            raise RuleError(_("This judge is not on the panel for this entry's track."), code=ErrorCode.NOT_ON_PANEL)
        if Conflict.objects.filter(judge=judge, team_id=round_entry.entry.team_id).exists():
            raise RuleError(_("This judge has a conflict of interest with the entry's team."), code=ErrorCode.CONFLICT)
        if Assignment.objects.filter(round=round, judge=judge, round_entry=round_entry).exists():
            raise RuleError(_("This judge is already assigned to the entry."), code=ErrorCode.ALREADY_ASSIGNED)
        assignment = Assignment.objects.create(
            round=round, judge=judge, round_entry=round_entry, source=Assignment.Source.MANUAL
        )
        record(
            competition=round.competition,
            actor=actor,
            action="assignment.added",
            target=assignment,
            data={"round": round.pk, "judge": judge.pk, "round_entry": round_entry.pk},
        )
        _tell_judges(round, {judge.pk})
    return assignment


def assignment_remove(*, assignment: Assignment, actor: User | None) -> None:
    """Remove an assignment by hand, with the judge's draft sheet for the entry. Refused when the judge has
    submitted scores for it ("already_scored": reopen and withdraw them first). Audited ("assignment.removed")."""

    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=assignment.round_id)
        _check_round_editable(round)
        sheets = ScoreSheet.objects.filter(
            round=round, judge_id=assignment.judge_id, round_entry_id=assignment.round_entry_id
        )
        if sheets.filter(status=ScoreSheet.Status.SUBMITTED).exists():
            raise RuleError(_("The judge has already submitted scores for this entry."), code=ErrorCode.ALREADY_SCORED)
        record(
            competition=round.competition,
            actor=actor,
            action="assignment.removed",
            target=assignment,
            data={"round": round.pk, "judge": assignment.judge_id, "round_entry": assignment.round_entry_id},
        )
        sheets.delete()
        assignment.delete()
