"""Score sheets: open, save drafts (optimistic concurrency), submit, and reopen."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.exceptions import RuleError, StaleVersion
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


def _check_may_score(round_entry: RoundEntry, judge: AbstractBaseUser) -> None:
    """The judge is an active panelist of the open round, assigned this entry and not in conflict with its team."""
    if round_entry.round.status != Round.Status.OPEN:
        raise RuleError(_("This round is not open for scoring."), code="round_not_open")
    if not Panelist.objects.filter(round_id=round_entry.round_id, user=judge, withdrawn_at__isnull=True).exists():
        raise RuleError(_("You are not on this round's panel."), code="not_on_panel")
    if not Assignment.objects.filter(round_entry=round_entry, judge=judge).exists():
        raise RuleError(_("This entry is not assigned to you."), code="not_assigned")
    if Conflict.objects.filter(judge=judge, team_id=round_entry.entry.team_id).exists():
        raise RuleError(_("You have a conflict of interest with this team."), code="conflicted")


@transaction.atomic
def sheet_open(*, round_entry: RoundEntry, judge: AbstractBaseUser) -> ScoreSheet:
    """The judge's sheet for the entry, created as a draft with one empty score per criterion on first open.

    Race-safe: two tabs opening at once get the same sheet (the database allows one per round, judge and entry).
    """
    round_entry = RoundEntry.objects.select_related("round", "entry").get(pk=round_entry.pk)
    _check_may_score(round_entry, judge)
    sheet = ScoreSheet.objects.filter(round_entry=round_entry, judge=judge).first()
    if sheet is None:
        try:
            with transaction.atomic():
                sheet = ScoreSheet.objects.create(
                    round_id=round_entry.round_id, judge=judge, round_entry=round_entry, sha256=round_entry.sha256
                )
                Score.objects.bulk_create(
                    Score(sheet=sheet, criterion=criterion) for criterion in round_entry.round.criteria.all()
                )
        except IntegrityError:
            sheet = ScoreSheet.objects.get(round_entry=round_entry, judge=judge)
    return sheet


def _lock_sheet(sheet: ScoreSheet, judge: AbstractBaseUser, version: int) -> ScoreSheet:
    """Lock the sheet row and check that ``judge`` may still write it at ``version``."""
    locked = (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("round__competition", "round_entry__entry")
        .get(pk=sheet.pk)
    )
    if locked.judge_id != judge.pk:
        raise RuleError(_("This is not your score sheet."), code="not_your_sheet")
    _check_may_score(locked.round_entry, judge)
    if locked.is_submitted:
        raise RuleError(_("These scores are submitted and locked."), code="sheet_submitted")
    if version != locked.version:
        error = StaleVersion(
            _("These scores were saved elsewhere in the meantime. Reload to see the latest version."),
            code="stale_version",
        )
        error.current_version = locked.version  # type: ignore[attr-defined]  # The API returns it with the 409.
        raise error
    return locked


def _check_value(criterion: Criterion, raw: object) -> Decimal | None:
    field = f"criterion-{criterion.pk}"
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise RuleError(_("Enter a number."), code="bad_value", field=field) from None
    if not value.is_finite() or not criterion.scale_min <= value <= criterion.scale_max:
        raise RuleError(
            _("Enter a score from %(low)s to %(high)s.") % {"low": criterion.scale_min, "high": criterion.scale_max},
            code="out_of_range",
            field=field,
        )
    if (value - criterion.scale_min) % criterion.step != 0 or value != value.quantize(CENT):
        raise RuleError(
            _("Scores go in steps of %(step)s.") % {"step": criterion.step.normalize()}, code="off_step", field=field
        )
    return value


def _sheet_values(scores: Iterable[Score]) -> dict[str, dict[str, str | None]]:
    return {f"criterion-{s.criterion_id}": {"value": decimal_text(s.value), "comment": s.comment} for s in scores}


@transaction.atomic
def sheet_save(
    *,
    sheet: ScoreSheet,
    judge: AbstractBaseUser,
    version: int,
    values: Mapping[int, Mapping[str, Any]],
    comment: str | None = None,
) -> ScoreSheet:
    """Save a draft: ``values`` maps criterion ids to {"value": Decimal | None, "comment": str}, either key optional.

    Holds the sheet's row lock; refuses with ``StaleVersion`` when ``version`` is not the stored one (nothing is
    written), so concurrent saves never lose an update. Increments ``version``. Audited: "score.created" on the
    first save, then "score.changed" with the values before and after.
    """
    sheet = _lock_sheet(sheet, judge, version)
    scores = {
        s.criterion_id: s
        for s in sheet.scores.select_related("criterion").order_by("criterion__position", "criterion_id")
    }
    try:
        values = {int(criterion_id): given for criterion_id, given in values.items()}
    except (TypeError, ValueError):
        raise RuleError(_("This criterion is not in the rubric."), code="unknown_criterion") from None
    unknown = set(values) - set(scores)
    if unknown:
        raise RuleError(
            _("This criterion is not in the rubric."), code="unknown_criterion", field=f"criterion-{min(unknown)}"
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
def sheet_submit(*, sheet: ScoreSheet, judge: AbstractBaseUser, version: int) -> ScoreSheet:
    """Submit a complete sheet: every criterion scored and every required comment written. The sheet is then locked
    until an organiser reopens it. Holds the row lock; ``StaleVersion`` as for a save. Audited."""
    sheet = _lock_sheet(sheet, judge, version)
    scores = list(sheet.scores.select_related("criterion").order_by("criterion__position", "criterion_id"))
    scored = {s.criterion_id for s in scores}
    missing = sheet.round.criteria.exclude(pk__in=scored).order_by("position", "pk").first()
    if missing is not None:
        raise RuleError(_("Score every criterion first."), code="incomplete", field=f"criterion-{missing.pk}")
    for score in scores:
        if score.value is None:
            raise RuleError(
                _("Score every criterion first."), code="incomplete", field=f"criterion-{score.criterion_id}"
            )
        if score.criterion.comment_required and not score.comment.strip():
            raise RuleError(
                _("This criterion needs a comment."), code="comment_required", field=f"criterion-{score.criterion_id}"
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
def sheet_reopen(*, sheet: ScoreSheet, actor: AbstractBaseUser, reason: str = "") -> ScoreSheet:
    """Let the judge change a submitted sheet again (organisers only, while the round is open). Audited."""
    if not (actor.is_authenticated and actor.is_staff):
        raise RuleError(_("Only an organiser can reopen submitted scores."), code="not_organiser")
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).select_related("round__competition").get(pk=sheet.pk)
    if not sheet.is_submitted:
        raise RuleError(_("These scores are not submitted."), code="not_submitted")
    if sheet.round.status != Round.Status.OPEN:
        raise RuleError(_("This round is not open for scoring."), code="round_not_open")
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
