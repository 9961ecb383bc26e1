"""Template helpers of pinned comments: the judge's own pins on their entry page, and a team result's pins."""

from collections.abc import Mapping
from typing import Any

from django import template

from competitions.models import RoundEntry, ScoreSheet
from competitions.selectors import pins

register = template.Library()


@register.simple_tag(takes_context=True)
def judge_pins(context: Mapping[str, Any], round_entry: RoundEntry, sheet: ScoreSheet | None) -> list[pins.ShownPin]:
    """The signed-in judge's pins on ``round_entry`` (which the page's view reached through the judge's rules); no
    query while they have no ``sheet``, which every pin belongs to."""
    if sheet is None:
        return []
    return pins.judge_pins(judge_id=context["request"].user.pk, round_entry=round_entry)


@register.filter
def pins_of(by_round_entry: Mapping[int, pins.TeamPins] | None, result: Any) -> pins.TeamPins | None:
    """The ``TeamPins`` of a team result (anything with ``round_entry_id``), or None."""
    if not by_round_entry:
        return None
    return by_round_entry.get(result.round_entry.pk)
