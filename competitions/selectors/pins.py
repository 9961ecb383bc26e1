"""Reads of pinned comments, for the three people who see them: the judge who wrote them, the round's organisers
(every judge's, with their names) and, once the round is published, the entry's team (anonymised).

Callers have already decided that the person may see the entry (``round_entry_for_judge``, an organiser's round,
the team's own published result); these reads only choose which pins and how their authors are named.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from competitions.models import Conflict, Pin, Round, RoundEntry, ScoreSheet, Team


@dataclass(frozen=True)
class ShownPin:
    """A pin as a page shows it: its number on the entry (1, 2, ...), who wrote it as this reader may know them
    ("" for the judge's own), and the point and normal as model-viewer's hotspot attributes read them."""

    number: int
    author: str
    pin: Pin

    @property
    def position_text(self) -> str:
        return _coordinates(self.pin.position)

    @property
    def normal_text(self) -> str:
        return _coordinates(self.pin.normal)


def _coordinates(values: Iterable[float]) -> str:
    # Fixed notation: model-viewer reads "1e-7" as 1 and a unit letter, not as a number.
    return " ".join(f"{value:.6f}" for value in values)


def _numbered(pins: Iterable[Pin], authors: dict[int, str]) -> list[ShownPin]:
    return [ShownPin(number=n, author=authors.get(p.sheet_id, ""), pin=p) for n, p in enumerate(pins, start=1)]


def judge_pins(*, judge_id: int, round_entry: RoundEntry) -> list[ShownPin]:
    """The judge's own pins on the entry, oldest first (one query); none before their sheet exists."""
    pins = Pin.objects.filter(sheet__round_entry=round_entry, sheet__judge_id=judge_id).order_by("created_at", "pk")
    return _numbered(pins, {})


def organiser_pins(round_entry: RoundEntry) -> list[ShownPin]:
    """Every judge's pins on the entry, drafts included, grouped by judge (in the order their sheets were created)
    and named by the judge's display name or address. Two queries."""
    sheets = list(
        ScoreSheet.objects.filter(round_entry=round_entry)
        .order_by("pk")
        .values_list("pk", "judge__email", "judge__profile__display_name")
    )
    authors = {pk: name or email for pk, email, name in sheets}
    pins = Pin.objects.filter(sheet__round_entry=round_entry).order_by("sheet_id", "created_at", "pk")
    return _numbered(pins, authors)


@dataclass(frozen=True)
class TeamPins:
    """The pins a team reads on one of its published results, and whether the judged file has a viewer copy that a
    3D view of them can load (``revision_id`` names the revision for its address)."""

    pins: list[ShownPin]
    entry_id: int
    revision_id: int
    has_viewer: bool
    has_poster: bool


def team_pins(*, team: Team, round_entry_ids: Iterable[int]) -> dict[int, TeamPins]:
    """The pins of the team's round entries, by round entry id, for rounds whose results are published and sheets
    that count there (submitted, the judge not conflicted with the team), exactly as ``results.team_results`` reads
    the judges' comments; the authors are "Judge 1", "Judge 2"... numbered as there, so that a pin and the same
    judge's comments carry the same name. Never a name or an id of a judge. Three queries."""
    round_entries = {
        re.pk: re
        for re in RoundEntry.objects.filter(
            pk__in=list(round_entry_ids), entry__team=team, round__status=Round.Status.PUBLISHED
        ).select_related("revision")
    }
    conflicted = Conflict.objects.filter(team=team).values("judge_id")
    sheets = (
        ScoreSheet.objects.filter(round_entry__in=list(round_entries), status=ScoreSheet.Status.SUBMITTED)
        .exclude(judge_id__in=conflicted)
        .order_by("round_entry", "pk")
        .values_list("pk", "round_entry_id")
    )
    authors: dict[int, str] = {}
    numbers: dict[int, int] = defaultdict(int)
    for sheet_id, round_entry_id in sheets:
        numbers[round_entry_id] += 1
        authors[sheet_id] = _("Judge %(number)d") % {"number": numbers[round_entry_id]}
    by_entry: dict[int, list[Pin]] = defaultdict(list)
    for pin in Pin.objects.filter(sheet_id__in=list(authors)).select_related("sheet").order_by("sheet_id", "pk"):
        by_entry[pin.sheet.round_entry_id].append(pin)
    shown = {}
    for pk, round_entry in round_entries.items():
        artifacts = round_entry.revision.artifacts if isinstance(round_entry.revision.artifacts, dict) else {}
        shown[pk] = TeamPins(
            pins=_numbered(by_entry[pk], authors),
            entry_id=round_entry.entry_id,
            revision_id=round_entry.revision_id,
            has_viewer=isinstance(artifacts.get("viewer"), str) and bool(artifacts["viewer"]),
            has_poster=isinstance(artifacts.get("hero"), str) and bool(artifacts["hero"]),
        )
    return shown


def viewer_copy(round_entry: RoundEntry) -> str:
    """The storage name of the judged revision's browser-ready copy (the uploaded file itself when it is a GLB and
    no copy was made), for the organiser's 3D view of the pins; "" when there is none. The blind copy a blind
    round's judges pinned on has the same geometry, so the points agree."""
    revision = round_entry.revision
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    found = artifacts.get("viewer")
    if not found and revision.file.name.lower().endswith(".glb"):
        found = revision.file.name
    return found if isinstance(found, str) else ""
