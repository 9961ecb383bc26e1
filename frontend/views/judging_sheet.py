"""The score sheet's form on the judge's entry page: its field names ("score-<criterion id>",
"comment-<criterion id>", "comment", "version"), the values read from a post, and the rows the template shows.
Plain functions, no requests; every rule on the values is the service's (``services.judging.sheet_save``)."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Criterion, ScoreSheet
from competitions.selectors.sheet_total import SheetTotal, sheet_total, weight_shares


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
    """One row per criterion for the template: its scale, its weight and share of the rubric's weight ("30" for
    30 %), its fields' names, values and errors."""
    shares = weight_shares(criteria)
    rows = []
    for criterion in criteria:
        score_name, comment_name = score_field(criterion.pk), comment_field(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "scale": {"low": plain(criterion.scale_min), "high": plain(criterion.scale_max)},
                "step": plain(criterion.step),
                "weight": plain(criterion.weight),
                "share": percent(shares[criterion.pk]),
                "score_name": score_name,
                "comment_name": comment_name,
                "value": values.get(score_name, ""),
                "comment": values.get(comment_name, ""),
                "score_error": errors.get(score_name, ""),
                "comment_error": errors.get(comment_name, ""),
            }
        )
    return rows


def percent(share: float) -> str:
    """A share of 0..1 as a percentage to one decimal at most: "30", "12.5", "33.3"."""
    return plain(Decimal(str(round(share * 100, 1))))


def _score_of(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def sheet_total_of(criteria: list[Criterion], values: Mapping[str, str]) -> SheetTotal:
    """The weighted total of the form's values (as ``stored_values`` or a refused post hold them); a value that is
    not a number on its criterion's scale is not counted."""
    return sheet_total(criteria, {c.pk: _score_of(values.get(score_field(c.pk), "")) for c in criteria})


def total_view(total: SheetTotal) -> dict[str, Any]:
    """The running total for the template: its line as the page shows it (``text``), the three forms the page's
    script fills in as the judge types ({total} and {scored} stand for the figures: ``none`` scored, ``some``,
    ``all``), the rubric's range (``low``, ``high``) and whether criteria on other scales are ``rescaled``."""
    high, count = plain(total.high), total.count
    forms = {
        "none": ngettext(
            "Weighted total: no criterion scored yet (0 of %(count)s).",
            "Weighted total: no criterion scored yet (0 of %(count)s).",
            count,
        )
        % {"count": count},
        "some": ngettext(
            "Weighted total so far: %(total)s of %(high)s · %(scored)s of %(count)s criterion scored",
            "Weighted total so far: %(total)s of %(high)s · %(scored)s of %(count)s criteria scored",
            count,
        )
        % {"total": "{total}", "high": high, "scored": "{scored}", "count": count},
        "all": _("Weighted total: %(total)s of %(high)s · every criterion scored") % {"total": "{total}", "high": high},
    }
    form = forms["none"] if total.value is None else forms["all"] if total.complete else forms["some"]
    text = form.replace("{total}", total.shown).replace("{scored}", str(total.scored))
    return {"text": text, **forms, "low": plain(total.low), "high": high, "rescaled": total.rescaled}
