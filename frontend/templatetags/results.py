"""Template helpers for published results: whether a competition has any, and a team's own results panel."""

from typing import Any

from django import template
from django.utils import timezone

from competitions.models import Competition, RoundResult, Team
from competitions.selectors import pins, results

register = template.Library()


@register.simple_tag
def has_published_results(competition: Competition) -> bool:
    """Whether a round of the competition has published its results (one query)."""
    return results.results_published(competition)


@register.inclusion_tag("portal/includes/team_results.html")
def team_results_panel(team: Team) -> dict[str, Any]:
    """The team's published ranks and awards with its judges' comments, anonymised as "Judge 1", "Judge 2"..."""
    # No round opens before the submission deadline (services.judging.round_open), so until then there is nothing
    # to look up: the team page stays as cheap as it was while teams are busiest.
    if timezone.now() < team.competition.submission_deadline:
        return {"team": team, "results": []}
    published = results.team_results(team)
    # The judges' pinned comments, anonymised like their comments (selectors.pins.team_pins).
    shown = pins.team_pins(team=team, round_entry_ids=[r.round_entry.pk for r in published]) if published else {}
    return {"team": team, "results": published, "pins": shown}


@register.filter
def award_label(value: str | None) -> str:
    """The translated name of an award as stored ("first" -> "First prize"); "" for none."""
    if not value:
        return ""
    try:
        return str(RoundResult.Award(value).label)
    except ValueError:
        return value
