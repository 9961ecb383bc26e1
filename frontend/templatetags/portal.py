"""Template helpers of the web portal: names, times with their zone, sizes and statuses."""

from datetime import datetime

from django import template
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import pgettext

from competitions.models import EntryRevision, Profile

register = template.Library()


def _profile(user: object) -> Profile | None:
    """The person's profile; None for anyone without one (an admin made in the shell, the anonymous visitor)."""
    if not isinstance(user, User):
        return None
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


@register.filter
def display_name(user: object) -> str:
    """The person's display name, or their email when they have no profile (e.g. an admin made in the shell)."""
    if user is None:
        return ""
    profile = _profile(user)
    return (profile.display_name if profile else "") or getattr(user, "email", "") or str(user)


@register.filter
def organisation(user: object) -> str:
    profile = _profile(user)
    return profile.organisation if profile else ""


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the active time zone, with the zone named twice: "1 Dec 2026, 23:59 CST (Asia/Shanghai)".

    Use inside ``{% timezone competition.time_zone %}`` so that it reads in the competition's zone.
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    # Translators: a date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date);
    # keep the T, which prints the zone's abbreviation.
    pattern = pgettext("date and time with zone", "j M Y, H:i T")
    return f"{format_date(local, pattern)} ({timezone.get_current_timezone_name()})"


@register.filter
def megabytes(value: int | None) -> str:
    """Bytes as whole megabytes, for limits such as the maximum upload size."""
    if not value:
        return "0"
    return f"{value / 2**20:.0f}"


@register.filter
def revision_status_label(value: str | None) -> str:
    """The translated label of a revision status value, as the database stores it."""
    if not value:
        return ""
    try:
        return str(EntryRevision.Status(value).label)
    except ValueError:
        return value


@register.filter
def is_final_status(value: str | None) -> bool:
    return value in EntryRevision.FINAL_STATUSES
