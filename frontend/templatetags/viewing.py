"""Template helpers of the 3D viewer's viewing conditions: how it opens a revision (docs/viewing-conditions.md)."""

from django import template

from competitions.models import EntryRevision
from competitions.selectors.viewing import ViewerOpening, viewer_opening

register = template.Library()


@register.simple_tag
def viewer_opening_of(revision: EntryRevision) -> ViewerOpening:
    """The camera and the loading of ``revision``'s model (which the page's view reached through its rules), for
    judge/includes/model_viewer.html's ``camera`` and ``on_demand``."""
    return viewer_opening(revision)
