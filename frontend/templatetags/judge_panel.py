"""Template helpers of the judge panel."""

from typing import Any

from django import template

from competitions.selectors import judging

register = template.Library()


@register.simple_tag(takes_context=True)
def has_panel_seat(context: dict[str, Any]) -> bool:
    """Whether the person sits on the panel of a round open (or closed) for judging: one query per request, and
    none for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_has_panel_seat"):
        request._has_panel_seat = judging.rounds_judged_by(user).exists()
    return request._has_panel_seat
