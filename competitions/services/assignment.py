"""The services that assign judges to the entries of a round: the automatic assignment (``round_assign``, which
applies ``assignment_plan.balanced_assignment``: K judges per entry, no conflicted judge, balanced loads, kept
assignments, mixed judges) and the organiser's changes by hand.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Assignment, Conflict, Entry, Panelist, Round, RoundEntry, ScoreSheet
from competitions.services import notifications
from competitions.services.assignment_plan import AssignmentPlan, Pair, balanced_assignment, eligible
from competitions.services.audit import record

INSERT_BATCH = 2000  # rows per INSERT where the database sets no lower limit (PostgreSQL: 10,000 parameters)

__all__ = ["AssignmentPlan", "AssignmentReport", "assignment_add", "assignment_remove", "balanced_assignment",
           "eligible", "round_assign"]  # fmt: skip


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
