"""Rounds and their rubric: create, change, open (freezing the entries judged) and close."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import (
    Competition,
    Criterion,
    Round,
    RoundEntry,
)
from competitions.models.judging import new_blind_code
from competitions.selectors import deadline
from competitions.selectors.judging import criterion_next_position
from competitions.selectors.publishing import missing_sheets
from competitions.services.audit import record
from competitions.services.judging.common import check_fields, decimal_text, lock_round
from competitions.services.judging.panel import conflicts_detect
from competitions.services.names import name_required

ROUND_FIELDS = frozenset(
    {
        "name", "name_zh", "position", "opens_at", "closes_at", "blind", "judges_per_entry", "advancement",
        "advance_count", "method", "compliance", "compliance_weight",
    }
)  # fmt: skip
# What judges see and which entries take part: fixed once the round opens.
ROUND_FIELDS_LOCKED_WHEN_OPEN = frozenset({"position", "blind"})
CRITERION_FIELDS = frozenset(
    {"name", "name_zh", "guidance", "guidance_zh", "weight", "scale_min", "scale_max", "step", "comment_required",
     "position"}
)  # fmt: skip
CRITERION_DECIMALS = ("weight", "scale_min", "scale_max", "step")


# --- Rounds ------------------------------------------------------------------------------------------------------


def _check_round(round: Round) -> None:
    name_required(round, message=_("Give the round a name, in English or in Chinese."))
    if round.opens_at is None or round.closes_at is None or round.closes_at <= round.opens_at:
        raise RuleError(_("Judging must close after it opens."), code=ErrorCode.BAD_WINDOW, field="closes_at")
    clash = Round.objects.filter(competition_id=round.competition_id, position=round.position).exclude(pk=round.pk)
    if clash.exists():
        raise RuleError(_("Another round already has this position."), code=ErrorCode.POSITION_TAKEN, field="position")
    if round.judges_per_entry < 1:
        raise RuleError(
            _("Each entry needs at least one judge."), code=ErrorCode.BAD_JUDGES_PER_ENTRY, field="judges_per_entry"
        )
    if round.compliance == Round.Compliance.SCORED and not round.compliance_weight > 0:
        raise RuleError(
            _("A scored compliance line needs a weight above zero."),
            code=ErrorCode.OUT_OF_RANGE,
            field="compliance_weight",
        )


@transaction.atomic
def round_create(*, competition: Competition, actor: User, **fields: Any) -> Round:
    """Create a draft round, placed after the competition's last round unless ``position`` is given. Audited."""
    check_fields(fields, ROUND_FIELDS)
    if "position" not in fields:
        last = Round.objects.filter(competition=competition).aggregate(last=Max("position"))["last"]
        fields["position"] = (last or 0) + 1
    round = Round(competition=competition, **fields)
    _check_round(round)
    round.save()
    record(competition=competition, actor=actor, action="round.created", target=round, data={"round": round.pk})
    return round


@transaction.atomic
def round_update(*, round: Round, actor: User, **fields: Any) -> Round:
    """Change a round's settings. Once open, its position and blind setting are locked (``rubric_locked``); once
    published, only its names change. Audited with the values before and after."""
    check_fields(fields, ROUND_FIELDS)
    round = lock_round(round)
    if round.status == Round.Status.PUBLISHED and set(fields) - {"name", "name_zh"}:
        raise RuleError(
            _("The results of this round are published; it can no longer change."), code=ErrorCode.ROUND_PUBLISHED
        )
    locked = sorted(f for f in ROUND_FIELDS_LOCKED_WHEN_OPEN & set(fields) if getattr(round, f) != fields[f])
    if round.rubric_locked and locked:
        raise RuleError(
            _("This round has opened; this setting is locked."), code=ErrorCode.RUBRIC_LOCKED, field=locked[0]
        )
    before = {name: getattr(round, name) for name in fields}
    for name, value in fields.items():
        setattr(round, name, value)
    _check_round(round)
    round.save()
    record(
        competition=round.competition,
        actor=actor,
        action="round.changed",
        target=round,
        data={"round": round.pk, "before": before, "after": fields},
    )
    return round


def _criterion_values(criterion: Criterion) -> dict[str, Any]:
    return {
        name: decimal_text(getattr(criterion, name)) if name in CRITERION_DECIMALS else getattr(criterion, name)
        for name in sorted(CRITERION_FIELDS)
    }


def _check_criterion(criterion: Criterion) -> None:
    for name in CRITERION_DECIMALS:
        try:
            value = Decimal(str(getattr(criterion, name)))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise RuleError(_("Enter a number."), code=ErrorCode.BAD_NUMBER, field=name)
        setattr(criterion, name, value)
    if not (criterion.name or "").strip():
        raise RuleError(_("Give the criterion a name."), code=ErrorCode.NAME_REQUIRED, field="name")
    if criterion.scale_max <= criterion.scale_min:
        raise RuleError(_("The highest score must be above the lowest."), code=ErrorCode.BAD_SCALE, field="scale_max")
    if criterion.step <= 0 or criterion.step > criterion.scale_max - criterion.scale_min:
        raise RuleError(_("The step must be above zero and fit in the scale."), code=ErrorCode.BAD_STEP, field="step")
    if criterion.weight < 0:
        raise RuleError(_("The weight cannot be negative."), code=ErrorCode.BAD_WEIGHT, field="weight")


def _check_rubric_open(round: Round) -> None:
    if round.rubric_locked:
        raise RuleError(_("The round has opened: its rubric is locked."), code=ErrorCode.RUBRIC_LOCKED)


@transaction.atomic
def criterion_create(*, round: Round, actor: User, **fields: Any) -> Criterion:
    """Add a criterion to a draft round's rubric (at the end unless ``position`` is given). Audited."""
    check_fields(fields, CRITERION_FIELDS)
    round = lock_round(round)
    _check_rubric_open(round)
    if "position" not in fields:
        fields["position"] = criterion_next_position(round)
    criterion = Criterion(round=round, **fields)
    _check_criterion(criterion)
    criterion.save()
    record(
        competition=round.competition,
        actor=actor,
        action="criterion.created",
        target=criterion,
        data={"round": round.pk, "after": _criterion_values(criterion)},
    )
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, actor: User, **fields: Any) -> Criterion:
    """Change a criterion of a draft round. Audited with the values before and after."""
    check_fields(fields, CRITERION_FIELDS)
    round = lock_round(criterion.round)
    _check_rubric_open(round)
    criterion = Criterion.objects.get(pk=criterion.pk)
    before = _criterion_values(criterion)
    for name, value in fields.items():
        setattr(criterion, name, value)
    _check_criterion(criterion)
    criterion.save()
    record(
        competition=round.competition,
        actor=actor,
        action="criterion.changed",
        target=criterion,
        data={"round": round.pk, "before": before, "after": _criterion_values(criterion)},
    )
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: User) -> None:
    """Remove a criterion from a draft round's rubric. Audited with its values."""
    round = lock_round(criterion.round)
    _check_rubric_open(round)
    record(
        competition=round.competition,
        actor=actor,
        action="criterion.deleted",
        target=criterion,
        data={"round": round.pk, "before": _criterion_values(criterion)},
    )
    criterion.delete()


def _unique_codes(count: int, taken: set[str]) -> list[str]:
    """``count`` fresh blind codes, none in ``taken`` nor repeated: a collision just draws again."""
    codes: list[str] = []
    while len(codes) < count:
        code = new_blind_code()
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


@transaction.atomic
def round_open(*, round: Round, actor: User, now: datetime | None = None) -> Round:
    """Open a draft round for judging: lock its rubric and freeze the entries and the exact revisions judged.

    The first round (lowest position) takes, per entry, the newest revision that arrived before the team's deadline
    and is ready (``selectors.deadline``: however long its processing took); an entry with none takes no part. It
    refuses to open while a file that arrived in time is still being processed, naming them, so that nothing
    uploaded in time is left out. A later round takes the entries the previous round advanced, with the same
    revisions. Later uploads never change what is judged.
    Conflicts of the panel are detected afresh. Holds the round's row lock. Audited.
    """
    now = now or timezone.now()
    round = lock_round(round)
    competition = round.competition
    if round.status != Round.Status.DRAFT:
        raise RuleError(_("This round has already opened."), code=ErrorCode.NOT_DRAFT)
    if now < competition.submission_deadline:
        raise RuleError(_("Judging cannot open before the submission deadline."), code=ErrorCode.BEFORE_DEADLINE)
    if now < deadline.latest_deadline(competition):
        raise RuleError(
            _("A team was given until %(deadline)s to upload; judging can open after that.")
            % {
                "deadline": formats.localize(
                    timezone.localtime(deadline.latest_deadline(competition), competition.zone)
                )
            },
            code=ErrorCode.BEFORE_EXTENDED_DEADLINE,
        )
    if not round.criteria.exists():
        raise RuleError(_("Add at least one criterion to the rubric first."), code=ErrorCode.NO_CRITERIA)
    previous = Round.objects.filter(competition=competition, position__lt=round.position).order_by("-position")
    previous_round = previous.first()
    if previous_round is None:
        _check_nothing_still_processing(competition)
        revisions = deadline.judged_revisions(competition).select_related("entry")
        frozen = [(r.entry_id, r.entry.track_id, r.pk, r.sha256) for r in revisions]
    else:
        if previous_round.status not in (Round.Status.CLOSED, Round.Status.PUBLISHED):
            raise RuleError(_("The previous round has not closed yet."), code=ErrorCode.PREVIOUS_ROUND_OPEN)
        advanced = previous_round.round_entries.filter(advanced=True)
        frozen = [(e.entry_id, e.track_id, e.revision_id, e.sha256) for e in advanced]
    if not frozen:
        raise RuleError(_("No entry takes part in this round."), code=ErrorCode.NO_ENTRIES)
    taken = set(round.round_entries.values_list("blind_code", flat=True))
    codes = _unique_codes(len(frozen), taken)
    RoundEntry.objects.bulk_create(
        RoundEntry(round=round, entry_id=entry_id, track_id=track_id, revision_id=revision_id, sha256=sha, blind_code=c)
        for (entry_id, track_id, revision_id, sha), c in zip(frozen, codes, strict=True)
    )
    round.status = Round.Status.OPEN
    round.frozen_at = now
    round.save(update_fields=["status", "frozen_at"])
    judges = User.objects.filter(panel_seats__round=round, panel_seats__withdrawn_at__isnull=True)
    conflicts_detect(competition=round.competition, judges=judges)
    record(
        competition=round.competition,
        actor=actor,
        action="round.opened",
        target=round,
        data={"round": round.pk, "entries": len(frozen), "previous_round": previous_round and previous_round.pk},
    )
    return round


def _check_nothing_still_processing(competition: Competition) -> None:
    waiting = list(deadline.revisions_still_processing(competition))
    if not waiting:
        return
    names = "; ".join(
        _("%(team)s, “%(entry)s” (revision %(number)d)")
        % {"team": revision.entry.team.name, "entry": revision.entry.title, "number": revision.number}
        for revision in waiting
    )
    raise RuleError(
        ngettext(
            "%(count)d file uploaded before the deadline is still being checked: %(names)s. Open the round once it "
            "is finished, so that it can be judged.",
            "%(count)d files uploaded before the deadline are still being checked: %(names)s. Open the round once "
            "they are finished, so that they can be judged.",
            len(waiting),
        )
        % {"count": len(waiting), "names": names},
        code=ErrorCode.REVISIONS_STILL_PROCESSING,
    )


@transaction.atomic
def round_close(*, round: Round, actor: User, missing_confirmed: int | None = None) -> Round:
    """Close an open round: no more scoring, and its results can be published.

    While sheets are missing (assigned and not submitted: ``selectors.publishing.missing_sheets``) it is refused
    ("missing_sheets") unless ``missing_confirmed`` is exactly that count, counted under the round's lock: an
    organiser who confirmed 12 missing sheets on a page read earlier does not close a round that now misses 15.
    Audited ("round.closed") with the number of missing sheets."""
    round = lock_round(round)
    if round.status != Round.Status.OPEN:
        raise RuleError(_("Only an open round can close."), code=ErrorCode.NOT_OPEN)
    missing = missing_sheets(round)
    if missing and missing_confirmed != missing:
        raise RuleError(
            ngettext(
                "%(count)d score sheet is missing. To close the round anyway, confirm that %(count)d sheet is missing.",
                "%(count)d score sheets are missing. To close the round anyway, confirm that %(count)d sheets are "
                "missing.",
                missing,
            )
            % {"count": missing},
            code=ErrorCode.MISSING_SHEETS,
            field="missing_confirmed",
        )
    round.status = Round.Status.CLOSED
    round.save(update_fields=["status"])
    record(
        competition=round.competition,
        actor=actor,
        action="round.closed",
        target=round,
        data={"round": round.pk, "missing_sheets": missing},
    )
    return round
