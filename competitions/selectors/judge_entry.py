"""One entry as its judge sees it, for the judge's page and the API alike: the files they may fetch (the rule is
``selectors.judging.judge_artifact``), the rubric and their score sheet.

Reading never writes: a judge who has not saved yet has no sheet (``None``), shown as an empty draft at version 0;
``services.judging.sheet_save`` creates it on the first save.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Prefetch

from competitions.models import Criterion, Round, RoundEntry, Score, ScoreSheet
from competitions.selectors.judging import (
    MODEL,
    judge_artifact,
    judge_queue_around,
    judge_thumbnails,
    with_judge_reads,
)
from competitions.selectors.scene_cameras import SceneCameraView, judge_scene_cameras


def judge_sheet(*, judge: User, round_entry: RoundEntry) -> ScoreSheet | None:
    """The judge's score sheet of the entry with its scores in rubric order (two queries), or None before their first
    save. ``round_entry`` came through ``round_entry_for_judge``; every save checks the rules again."""
    scores = Score.objects.order_by("criterion__position", "criterion_id")
    sheets = ScoreSheet.objects.filter(round_entry=round_entry, judge=judge).order_by("pk")
    return sheets.prefetch_related(Prefetch("scores", queryset=scores)).first()


@dataclass(frozen=True)
class JudgeEntry:
    """An entry of a round as the judge assigned to it sees it, with the files they may fetch (``thumbnails``,
    ``has_model``), the rubric, their sheet (None before the first save) and the entries around it in their queue."""

    round_entry: RoundEntry
    criteria: list[Criterion]
    sheet: ScoreSheet | None
    thumbnails: list[str]
    has_model: bool
    previous_id: int | None
    next_id: int | None
    # The entrant's own cameras: extra views and the viewer's bookmarks.
    cameras: list[SceneCameraView] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        """Whether the judge may still change their scores: the round is open and the sheet not submitted."""
        submitted = self.sheet is not None and self.sheet.is_submitted
        return self.round_entry.round.status == Round.Status.OPEN and not submitted


def judge_entry(*, user: User, round_entry_id: int) -> JudgeEntry:
    """The round entry with this id as ``user`` judges it; ``RoundEntry.DoesNotExist`` when they may not (see
    ``selectors.judging``), exactly like an id that does not exist. A fixed number of queries.

    The rule is checked once, by ``judge_queue_around``, which also gives the neighbours; the entry is read only
    once that query found it, as ``round_entry_for_judge`` reads it (every save checks the rules again)."""
    queue = judge_queue_around(user=user, round_entry_id=round_entry_id)
    if round_entry_id not in queue:
        raise RoundEntry.DoesNotExist
    index = queue.index(round_entry_id)
    previous_id = queue[index - 1] if index > 0 else None
    next_id = queue[index + 1] if index + 1 < len(queue) else None
    round_entry = with_judge_reads(RoundEntry.objects.all()).get(pk=round_entry_id)
    return JudgeEntry(
        round_entry=round_entry,
        criteria=list(round_entry.round.criteria.all()),
        sheet=judge_sheet(judge=user, round_entry=round_entry),
        thumbnails=judge_thumbnails(round_entry),
        has_model=bool(judge_artifact(round_entry, MODEL)),
        previous_id=previous_id,
        next_id=next_id,
        cameras=judge_scene_cameras(round_entry),
    )
