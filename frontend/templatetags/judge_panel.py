"""Template helpers of the judge panel."""

from typing import Any

from django import template

from competitions.selectors import judging

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_roles(context: dict[str, Any]) -> judging.MenuRoles | None:
    """What the menu offers the signed-in person (the judge panel while they sit on a panel open or closed for
    judging; "My teams" unless they judge or organise and are in no team): one query per request, and none for
    anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_menu_roles"):
        request._menu_roles = judging.menu_roles(user)
    return request._menu_roles
