"""The score sheet's form on the judge's entry page: its field names ("score-<criterion id>",
"comment-<criterion id>", "comment", "version"), the values read from a post, and the rows the template shows.
Plain functions, no requests; every rule on the values is the service's (``services.judging.sheet_save``)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Criterion, ScoreSheet


def score_field(criterion_id: int) -> str:
    return f"score-{criterion_id}"


def comment_field(criterion_id: int) -> str:
    return f"comment-{criterion_id}"


def form_field(error: RuleError) -> str:
    """The form field a refusal from the services is about, in the names of this page's form: the services name a
    criterion "criterion-<id>"; a missing required comment is about the comment, anything else about the score.
    (static/js/scoresheet.js maps the API's ``field`` the same way.)"""
    field = error.field or ""
    if field.startswith(("score-", "comment-")) or field == "comment":
        return field
    if field.startswith("criterion-") and field.removeprefix("criterion-").isdigit():
        criterion_id = int(field.removeprefix("criterion-"))
        return comment_field(criterion_id) if error.code == ErrorCode.COMMENT_REQUIRED else score_field(criterion_id)
    return ""


def stored_values(sheet: ScoreSheet | None) -> dict[str, str]:
    """The sheet's values as the form's fields hold them; none before the first save (an empty draft, version 0).
    Reads the scores as ``selectors.judge_entry.judge_sheet`` prefetched them, in rubric order."""
    if sheet is None:
        return {"version": "0"}
    values = {"comment": sheet.comment, "version": str(sheet.version)}
    for score in sheet.scores.all():
        values[score_field(score.criterion_id)] = "" if score.value is None else plain(score.value)
        values[comment_field(score.criterion_id)] = score.comment
    return values


def plain(value: Decimal) -> str:
    """A score as a number input holds it: 7.5, not 7.50, and 10, not 1E+1."""
    return format(value.normalize(), "f")


def values_from(data: Mapping[str, Any], criteria: list[Criterion]) -> dict[int, dict[str, Any]]:
    """``criterion id -> {"value", "comment"}`` from the form's fields that are present (a field left out keeps
    its stored value), as typed: the service checks each value against its criterion's scale."""
    values: dict[int, dict[str, Any]] = {}
    for criterion in criteria:
        score_name, comment_name = score_field(criterion.pk), comment_field(criterion.pk)
        given: dict[str, Any] = {}
        if score_name in data:
            given["value"] = str(data.get(score_name) or "").strip()
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


def sheet_rows(criteria: list[Criterion], values: Mapping[str, str], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per criterion for the template: its scale, its fields' names, values and errors."""
    rows = []
    for criterion in criteria:
        score_name, comment_name = score_field(criterion.pk), comment_field(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "scale": {"low": plain(criterion.scale_min), "high": plain(criterion.scale_max)},
                "step": plain(criterion.step),
                "score_name": score_name,
                "comment_name": comment_name,
                "value": values.get(score_name, ""),
                "comment": values.get(comment_name, ""),
                "score_error": errors.get(score_name, ""),
                "comment_error": errors.get(comment_name, ""),
            }
        )
    return rows
