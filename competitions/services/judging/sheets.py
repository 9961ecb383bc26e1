"""Score sheets: save drafts (optimistic concurrency), submit, and reopen.

A judge's sheet of an entry does not exist until their first save or submit creates it (reading never writes); the
database keeps one per judge and entry.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError, StaleVersion
from competitions.models import (
    Assignment,
    Conflict,
    Criterion,
    Panelist,
    Round,
    RoundEntry,
    Score,
    ScoreSheet,
)
from competitions.services.audit import record
from competitions.services.judging.common import CENT, decimal_text

# --- Score sheets ------------------------------------------------------------------------------------------------


def _check_may_score(round_entry: RoundEntry, judge: User) -> None:
    """The judge is an active panelist of the open round, assigned this entry and not in conflict with its team."""
    if round_entry.round.status == Round.Status.PUBLISHED:
        raise RuleError(
            _("The results of this round are published: scores can no longer change."), code=ErrorCode.ROUND_PUBLISHED
        )
    if round_entry.round.status != Round.Status.OPEN:
        raise RuleError(_("This round is not open for scoring."), code=ErrorCode.ROUND_NOT_OPEN)
    if round_entry.entry.disqualified_at is not None:
        raise RuleError(_("This entry is disqualified."), code=ErrorCode.ENTRY_DISQUALIFIED)
    if not Panelist.objects.filter(round_id=round_entry.round_id, user=judge, withdrawn_at__isnull=True).exists():
        raise RuleError(_("You are not on this round's panel."), code=ErrorCode.NOT_ON_PANEL)
    if not Assignment.objects.filter(round_entry=round_entry, judge=judge).exists():
        raise RuleError(_("This entry is not assigned to you."), code=ErrorCode.NOT_ASSIGNED)
    if Conflict.objects.filter(judge=judge, team_id=round_entry.entry.team_id).exists():
        raise RuleError(_("You have a conflict of interest with this team."), code=ErrorCode.CONFLICTED)


def _locked_sheet(round_entry: RoundEntry, judge: User) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("round__competition")
        .filter(round_entry=round_entry, judge=judge)
        .order_by("pk")
        .first()
    )


def editable_sheet(round_entry: RoundEntry, judge: User, *, create: bool) -> ScoreSheet | None:
    """The judge's sheet of the entry, row-locked, once the judge may still change it (scores or pins); call it
    inside the caller's transaction. None when there is no sheet and ``create`` is false.

    With ``create``, a sheet not saved yet is created here: a draft at version 0 with one empty score per
    criterion, which a refusal later in the caller's transaction rolls back with the rest. Two first saves at once
    (two tabs) end with one sheet: the database allows one per judge and entry, so the second insert waits for the
    first transaction and fails, and the second save then locks the sheet the first one saved (None if a conflict
    declared in the meantime deleted it).
    """
    round_entry = RoundEntry.objects.select_related("round__competition", "entry").get(pk=round_entry.pk)
    _check_may_score(round_entry, judge)
    sheet = _locked_sheet(round_entry, judge)
    if sheet is None and create:
        try:
            with transaction.atomic():
                sheet = ScoreSheet.objects.create(
                    round=round_entry.round, judge=judge, round_entry=round_entry, sha256=round_entry.sha256
                )
                Score.objects.bulk_create(
                    Score(sheet=sheet, criterion=criterion) for criterion in round_entry.round.criteria.all()
                )
        except IntegrityError:
            sheet = _locked_sheet(round_entry, judge)
    if sheet is not None and sheet.is_submitted:
        raise RuleError(_("These scores are submitted and locked."), code=ErrorCode.SHEET_SUBMITTED)
    return sheet


def _sheet_for_writing(round_entry: RoundEntry, judge: User, version: int) -> ScoreSheet:
    """The judge's sheet of the entry (``editable_sheet``, created if need be) once the judge may still write it at
    ``version``: a first save that lost the race with another tab's gets ``StaleVersion``, as does any other save
    that names an older version."""
    sheet = editable_sheet(round_entry, judge, create=True)
    if sheet is None:  # Saved in another tab, then deleted by a conflict declared: reloading tells.
        raise _stale(0)
    if version != sheet.version:
        raise _stale(sheet.version)
    return sheet


def _stale(current_version: int) -> StaleVersion:
    error = StaleVersion(
        _("These scores were saved elsewhere in the meantime. Reload to see the latest version."),
        code=ErrorCode.STALE_VERSION,
    )
    error.current_version = current_version
    return error


def _check_value(criterion: Criterion, raw: object) -> Decimal | None:
    field = f"criterion-{criterion.pk}"
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise RuleError(_("Enter a number."), code=ErrorCode.BAD_VALUE, field=field) from None
    if not value.is_finite() or not criterion.scale_min <= value <= criterion.scale_max:
        raise RuleError(
            _("Enter a score from %(low)s to %(high)s.") % {"low": criterion.scale_min, "high": criterion.scale_max},
            code=ErrorCode.OUT_OF_RANGE,
            field=field,
        )
    if (value - criterion.scale_min) % criterion.step != 0 or value != value.quantize(CENT):
        raise RuleError(
            _("Scores go in steps of %(step)s.") % {"step": criterion.step.normalize()},
            code=ErrorCode.OFF_STEP,
            field=field,
        )
    return value


def _sheet_values(scores: Iterable[Score]) -> dict[str, dict[str, str | None]]:
    return {f"criterion-{s.criterion_id}": {"value": decimal_text(s.value), "comment": s.comment} for s in scores}


@transaction.atomic
def sheet_save(
    *,
    round_entry: RoundEntry,
    judge: User,
    version: int,
    values: Mapping[int, Mapping[str, Any]],
    comment: str | None = None,
) -> ScoreSheet:
    """Save the judge's draft of the entry: ``values`` maps criterion ids to {"value": Decimal | str | None,
    "comment": str}, either key optional (a criterion left out keeps its values). The first save creates the sheet,
    from version 0.

    Holds the sheet's row lock; refuses with ``StaleVersion`` when ``version`` is not the stored one (nothing is
    written), so concurrent saves never lose an update and two first saves never make two sheets. Increments
    ``version``. Audited: "score.created" on the first save, then "score.changed" with the values before and after.
    """
    sheet = _sheet_for_writing(round_entry, judge, version)
    scores = {
        s.criterion_id: s
        for s in sheet.scores.select_related("criterion").order_by("criterion__position", "criterion_id")
    }
    try:
        values = {int(criterion_id): given for criterion_id, given in values.items()}
    except (TypeError, ValueError):
        raise RuleError(_("This criterion is not in the rubric."), code=ErrorCode.UNKNOWN_CRITERION) from None
    unknown = set(values) - set(scores)
    if unknown:
        raise RuleError(
            _("This criterion is not in the rubric."),
            code=ErrorCode.UNKNOWN_CRITERION,
            field=f"criterion-{min(unknown)}",
        )
    before, after, changed = {}, {}, []
    for criterion_id, given in values.items():
        score = scores[criterion_id]
        key = f"criterion-{score.criterion_id}"
        old = {"value": decimal_text(score.value), "comment": score.comment}
        if "value" in given:
            score.value = _check_value(score.criterion, given["value"])
        if "comment" in given:
            score.comment = (given["comment"] or "").strip()
        new = {"value": decimal_text(score.value), "comment": score.comment}
        if new != old:
            before[key], after[key] = old, new
            changed.append(score)
    if changed:
        Score.objects.bulk_update(changed, ["value", "comment"])
    fields = ["version", "updated_at"]
    data: dict[str, Any] = {"round": sheet.round_id, "round_entry": sheet.round_entry_id, "sha256": sheet.sha256}
    if comment is not None and comment.strip() != sheet.comment:
        data["comment"] = {"before": sheet.comment, "after": comment.strip()}
        sheet.comment = comment.strip()
        fields.append("comment")
    first = sheet.version == 0
    sheet.version += 1
    sheet.save(update_fields=fields)
    data["version"] = sheet.version
    if first:
        data["after"] = _sheet_values(scores.values())
        record(competition=sheet.round.competition, actor=judge, action="score.created", target=sheet, data=data)
    elif changed or "comment" in data:
        data.update(before=before, after=after)
        record(competition=sheet.round.competition, actor=judge, action="score.changed", target=sheet, data=data)
    return sheet


@transaction.atomic
def sheet_submit(*, round_entry: RoundEntry, judge: User, version: int) -> ScoreSheet:
    """Submit the judge's sheet of the entry, complete: every criterion scored and every required comment written.
    The sheet is then locked until an organiser reopens it. Holds the row lock; ``StaleVersion`` as for a save.
    Audited."""
    sheet = _sheet_for_writing(round_entry, judge, version)
    scores = list(sheet.scores.select_related("criterion").order_by("criterion__position", "criterion_id"))
    scored = {s.criterion_id for s in scores}
    missing = sheet.round.criteria.exclude(pk__in=scored).order_by("position", "pk").first()
    if missing is not None:
        raise RuleError(_("Score every criterion first."), code=ErrorCode.INCOMPLETE, field=f"criterion-{missing.pk}")
    for score in scores:
        if score.value is None:
            raise RuleError(
                _("Score every criterion first."), code=ErrorCode.INCOMPLETE, field=f"criterion-{score.criterion_id}"
            )
        if score.criterion.comment_required and not score.comment.strip():
            raise RuleError(
                _("This criterion needs a comment."),
                code=ErrorCode.COMMENT_REQUIRED,
                field=f"criterion-{score.criterion_id}",
            )
    sheet.status = ScoreSheet.Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.version += 1
    sheet.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    record(
        competition=sheet.round.competition,
        actor=judge,
        action="score.submitted",
        target=sheet,
        data={
            "round": sheet.round_id,
            "round_entry": sheet.round_entry_id,
            "sha256": sheet.sha256,
            "version": sheet.version,
            "after": _sheet_values(scores),
            "comment": sheet.comment,
        },
    )
    return sheet


@transaction.atomic
def sheet_reopen(*, sheet: ScoreSheet, actor: User, reason: str = "") -> ScoreSheet:
    """Let the judge change a submitted sheet again (organisers only, while the round is open). Audited."""
    if not (actor.is_authenticated and actor.is_staff):
        raise RuleError(_("Only an organiser can reopen submitted scores."), code=ErrorCode.NOT_ORGANISER)
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).select_related("round__competition").get(pk=sheet.pk)
    if not sheet.is_submitted:
        raise RuleError(_("These scores are not submitted."), code=ErrorCode.NOT_SUBMITTED)
    if sheet.round.status != Round.Status.OPEN:
        raise RuleError(_("This round is not open for scoring."), code=ErrorCode.ROUND_NOT_OPEN)
    submitted_at = sheet.submitted_at
    sheet.status = ScoreSheet.Status.DRAFT
    sheet.submitted_at = None
    sheet.version += 1
    sheet.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    record(
        competition=sheet.round.competition,
        actor=actor,
        action="score.reopened",
        target=sheet,
        data={
            "round": sheet.round_id,
            "round_entry": sheet.round_entry_id,
            "judge": sheet.judge_id,
            "reason": reason.strip(),
            "version": sheet.version,
            "before": {"status": ScoreSheet.Status.SUBMITTED, "submitted_at": submitted_at},
            "after": {"status": ScoreSheet.Status.DRAFT, "submitted_at": None},
        },
    )
    return sheet
