"""The score sheet's form on the judge's entry page: its field names ("score-<criterion id>",
"comment-<criterion id>", "comment", "version"), the values read from a post or from the page's script, and the
stored sheet as the form and the script hold it. Plain functions, no requests."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from competitions.exceptions import RuleError
from competitions.models import Criterion, ScoreSheet


def score_field(criterion_id: int) -> str:
    return f"score-{criterion_id}"


def comment_field(criterion_id: int) -> str:
    return f"comment-{criterion_id}"


def form_field(error: RuleError) -> str:
    """The form field a refusal from the services is about, in the names of this page's form: the services name a
    criterion "criterion-<id>"; a missing required comment is about the comment, anything else about the score."""
    field = error.field or ""
    if field.startswith(("score-", "comment-")) or field == "comment":
        return field
    if field.startswith("criterion-") and field.removeprefix("criterion-").isdigit():
        criterion_id = int(field.removeprefix("criterion-"))
        return comment_field(criterion_id) if error.code == "comment_required" else score_field(criterion_id)
    return ""


def stored_values(sheet: ScoreSheet | None) -> dict[str, str]:
    """The sheet's values as the form's fields hold them."""
    if sheet is None:
        return {}
    values = {"comment": sheet.comment, "version": str(sheet.version)}
    for score in sheet.scores.order_by("criterion__position", "criterion_id"):
        values[score_field(score.criterion_id)] = "" if score.value is None else plain(score.value)
        values[comment_field(score.criterion_id)] = score.comment
    return values


def plain(value: Decimal) -> str:
    """A score as a number input holds it: 7.5, not 7.50, and 10, not 1E+1."""
    return format(value.normalize(), "f")


def parse_value(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def values_from(data: Any, criteria: list[Criterion]) -> dict[int, dict[str, Any]]:
    """``criterion id -> {"value", "comment"}`` from the form's fields that are present (a field left out keeps
    its stored value); RuleError on a value that is no number."""
    values: dict[int, dict[str, Any]] = {}
    for criterion in criteria:
        score_name, comment_name = score_field(criterion.pk), comment_field(criterion.pk)
        given: dict[str, Any] = {}
        if score_name in data:
            try:
                given["value"] = parse_value(data.get(score_name))
            except ValueError:
                raise RuleError(_("Enter a number."), code="bad_number", field=score_name) from None
        if comment_name in data:
            given["comment"] = str(data.get(comment_name) or "").strip()
        if given:
            values[criterion.pk] = given
    return values


def version_from(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


def sheet_json(sheet: ScoreSheet) -> dict[str, Any]:
    return {
        "version": sheet.version,
        "status": sheet.status,
        "comment": sheet.comment,
        "values": {
            str(score.criterion_id): {
                "value": None if score.value is None else plain(score.value),
                "comment": score.comment,
            }
            for score in sheet.scores.order_by("criterion__position", "criterion_id")
        },
    }
