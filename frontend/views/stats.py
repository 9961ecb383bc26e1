"""The figures of a processed revision (triangles, materials, dimensions...) as rows of a label and a value, for the
entry page and the judge's page alike."""

from collections.abc import Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def stat_rows(stats: dict[str, Any], labels: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    """``(label, value)`` for each of ``labels``' figures that ``stats`` holds as a number, in that order, then the
    dimensions in metres when the revision has them."""
    rows = [
        (str(label), number_format(stats[key], force_grouping=True))
        for key, label in labels
        if isinstance(stats.get(key), int | float) and not isinstance(stats.get(key), bool)
    ]
    size = _size_in_metres(stats)
    if size:
        rows.append((_("Dimensions"), size))
    return rows


def _size_in_metres(stats: dict[str, Any]) -> str:
    size = stats.get("size")
    if not isinstance(size, list | tuple) or len(size) != 3:
        return ""
    try:
        sides = [number_format(float(side), decimal_pos=2) for side in size]
    except (TypeError, ValueError):
        return ""
    return _("%(x)s × %(y)s × %(z)s m") % {"x": sides[0], "y": sides[1], "z": sides[2]}
