"""Pinned comments: a judge's comment on one point of the scene, kept with their score sheet of the entry.

A pin is part of the sheet: the judge adds, edits and deletes their own pins while they may still change their scores
(the round open, the sheet not submitted), and the first pin creates the draft sheet exactly as a first save does.
A pin never changes the sheet's ``version``, so a score form open in the same page stays current. The point and the
surface normal are in the model's own coordinates: the blind copy a judge of a blind round sees has the viewer
copy's geometry, so the same numbers place the pin in either.
"""

import math
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Pin, RoundEntry, ScoreSheet
from competitions.services.audit import record
from competitions.services.judging.sheets import editable_sheet

MAX_PINS_PER_SHEET = 50
MAX_TEXT = 1000
# Larger than any scene the checks accept (their size limit is in metres); stops values that overflow a float32.
MAX_COORDINATE = 1e6

Vector = Sequence[float]


def _vector(raw: object, *, field: str) -> tuple[float, float, float]:
    message = _("Give three finite numbers.")
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or len(raw) != 3:
        raise RuleError(message, code=ErrorCode.BAD_VALUE, field=field)
    try:
        values = tuple(float(value) for value in raw)
    except (TypeError, ValueError):
        raise RuleError(message, code=ErrorCode.BAD_VALUE, field=field) from None
    if not all(math.isfinite(value) and abs(value) <= MAX_COORDINATE for value in values):
        raise RuleError(message, code=ErrorCode.BAD_VALUE, field=field)
    return values[0], values[1], values[2]


def _unit(raw: object) -> tuple[float, float, float]:
    x, y, z = _vector(raw, field="normal")
    length = math.sqrt(x * x + y * y + z * z)
    if length < 1e-9:
        raise RuleError(_("The surface normal cannot be zero."), code=ErrorCode.BAD_VALUE, field="normal")
    return x / length, y / length, z / length


def _text(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise RuleError(_("Write a comment for the pin."), code=ErrorCode.BAD_VALUE, field="text")
    if len(text) > MAX_TEXT:
        raise RuleError(
            _("Keep the comment to %(limit)d characters.") % {"limit": MAX_TEXT}, code=ErrorCode.BAD_VALUE, field="text"
        )
    return text


def _snapshot(pin: Pin) -> dict[str, Any]:
    return {"position": list(pin.position), "normal": list(pin.normal), "text": pin.text}


def _audit(sheet: ScoreSheet, judge: User, action: str, pin_id: int, **data: Any) -> None:
    record(
        competition=sheet.round.competition,
        actor=judge,
        action=action,
        target=sheet,
        data={"round": sheet.round_id, "round_entry": sheet.round_entry_id, "pin": pin_id, **data},
    )


def _own_pin(sheet: ScoreSheet | None, pin_id: int) -> Pin:
    pin = None if sheet is None else Pin.objects.filter(sheet=sheet, pk=pin_id).order_by("pk").first()
    if pin is None:
        raise Pin.DoesNotExist
    return pin


@transaction.atomic
def pin_add(*, round_entry: RoundEntry, judge: User, position: Vector, normal: Vector, text: str) -> Pin:
    """Pin ``text`` to ``position`` (with the surface ``normal``, stored normalised) on the judge's sheet of the entry,
    creating the draft sheet when there is none. Refused (``RuleError``) unless the judge may still change their
    scores, and past ``MAX_PINS_PER_SHEET``. Holds the sheet's row lock, so two tabs cannot pass the cap together.
    Audited as "score.pin_added"."""
    point, unit, comment = _vector(position, field="position"), _unit(normal), _text(text)
    sheet = editable_sheet(round_entry, judge, create=True)
    if sheet is None:  # Created in another tab and deleted by a conflict declared in between: reloading tells.
        raise RuleError(_("This entry is not assigned to you."), code=ErrorCode.NOT_ASSIGNED)
    if sheet.pins.count() >= MAX_PINS_PER_SHEET:
        raise RuleError(
            _("You can pin at most %(limit)d comments to one entry.") % {"limit": MAX_PINS_PER_SHEET},
            code=ErrorCode.PIN_LIMIT,
        )
    pin = Pin.objects.create(
        sheet=sheet,
        x=point[0],
        y=point[1],
        z=point[2],
        normal_x=unit[0],
        normal_y=unit[1],
        normal_z=unit[2],
        text=comment,
    )
    _audit(sheet, judge, "score.pin_added", pin.pk, after=_snapshot(pin))
    return pin


@transaction.atomic
def pin_update(
    *,
    round_entry: RoundEntry,
    judge: User,
    pin_id: int,
    text: str | None = None,
    position: Vector | None = None,
    normal: Vector | None = None,
) -> Pin:
    """Change the text of one of the judge's pins on the entry, or move it (``position`` and ``normal`` together);
    what is not given stays. ``Pin.DoesNotExist`` when the pin is not theirs; refused like ``pin_add`` once the
    sheet is locked. Audited as "score.pin_changed" with before and after, when anything changed."""
    if (position is None) != (normal is None):
        raise RuleError(_("Move a pin with both its point and its normal."), code=ErrorCode.BAD_VALUE, field="normal")
    comment = None if text is None else _text(text)
    point = None if position is None else _vector(position, field="position")
    unit = None if normal is None else _unit(normal)
    sheet = editable_sheet(round_entry, judge, create=False)
    pin = _own_pin(sheet, pin_id)
    assert sheet is not None
    before = _snapshot(pin)
    if comment is not None:
        pin.text = comment
    if point is not None and unit is not None:
        pin.x, pin.y, pin.z = point
        pin.normal_x, pin.normal_y, pin.normal_z = unit
    after = _snapshot(pin)
    if after != before:
        pin.save()
        _audit(sheet, judge, "score.pin_changed", pin.pk, before=before, after=after)
    return pin


@transaction.atomic
def pin_delete(*, round_entry: RoundEntry, judge: User, pin_id: int) -> None:
    """Delete one of the judge's pins on the entry. ``Pin.DoesNotExist`` when it is not theirs; refused like
    ``pin_add`` once the sheet is locked. Audited as "score.pin_deleted" with what it said."""
    sheet = editable_sheet(round_entry, judge, create=False)
    pin = _own_pin(sheet, pin_id)
    assert sheet is not None
    before = _snapshot(pin)
    pin.delete()
    _audit(sheet, judge, "score.pin_deleted", pin_id, before=before)
