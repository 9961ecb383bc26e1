"""The cast of the judge panel's page tests: team "Aurora Collective" (captain Xiaoming Zhou of the Aurora Design
Lab) enters "Lantern Harbour", uploaded as "zhou-aurora-final.glb"; a judge judges it; anyone else is nobody's judge.
"""

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from competitions.models import Assignment, Criterion, EntryRevision, Panelist, Round, RoundEntry
from competitions.services import judging
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

TEAM = "Aurora Collective"
MEMBER = "Xiaoming Zhou"
ORGANISATION = "Aurora Design Lab"
ORIGINAL_NAME = "zhou-aurora-final.glb"
SECRETS = (TEAM, MEMBER, ORGANISATION, ORIGINAL_NAME, "zhou-aurora-final", "xiaoming")
ALL_ARTIFACTS = ("hero", "front", "side", "top", "viewer", "blind")

# A judged round, its judge and the round entries assigned to them.
Panel = tuple[Round, User, list[RoundEntry]]


def write_artifacts(revision: EntryRevision, names: tuple[str, ...] = ALL_ARTIFACTS) -> None:
    """Processing outputs in storage (the disk or an S3 bucket), each file holding "<name> bytes"; the revision's
    original name and figures."""
    artifacts = {}
    for name in names:
        storage_name = f"revisions/{revision.pk}/{name}.{'glb' if name in ('viewer', 'blind') else 'webp'}"
        default_storage.delete(storage_name)
        artifacts[name] = default_storage.save(storage_name, ContentFile(f"{name} bytes".encode()))
    revision.artifacts = artifacts
    revision.original_name = ORIGINAL_NAME
    revision.stats = {"triangles": 5000, "materials": 2, "textures": 3, "size": [4.0, 2.5, 3.0]}
    revision.save(update_fields=["artifacts", "original_name", "stats"])


def open_judged_round(blind: str = Round.Blind.ALWAYS, entries: int = 1) -> Panel:
    """An open round with two criteria (the second needs a comment) and ``entries`` entries, the first of team
    Aurora; returns (round, judge, round entries), every entry assigned to the judge."""
    round = RoundFactory(blind=blind)
    track = TrackFactory(competition=round.competition, name="Culture and tourism")
    CriterionFactory(round=round, name="Originality", scale_min=0, scale_max=10, step=Decimal("0.5"))
    CriterionFactory(round=round, name="Craft", scale_min=0, scale_max=10, step=Decimal("0.5"), comment_required=True)
    captain = UserFactory(
        username=f"zhou.{round.pk}@aurora-lab.example.com",
        profile__display_name=MEMBER,
        profile__organisation=ORGANISATION,
    )
    team = TeamFactory(competition=round.competition, captain=captain, name=TEAM)
    entry = ready_entry(track, team=team, title="Lantern Harbour", description="A harbour at dusk.")
    others = [ready_entry(track, description="Another scene.") for _ in range(entries - 1)]
    for each in (entry, *others):
        assert each.current_revision is not None
        write_artifacts(each.current_revision)
    round = judging.round_open(round=round, actor=UserFactory(is_staff=True))
    judge = JudgeFactory()
    Panelist.objects.create(round=round, user=judge)
    round_entries = sorted(round.round_entries.all(), key=lambda re: (re.entry_id != entry.pk, re.pk))
    for round_entry in round_entries:
        Assignment.objects.create(round=round, judge=judge, round_entry=round_entry)
    return round, judge, round_entries


def urls(round_entry: RoundEntry) -> dict[str, str]:
    """The judge's page of the entry, its model and hero thumbnail, and the API's sheet the page's script saves to."""
    return {
        "entry": reverse("frontend:judge-entry", args=[round_entry.pk]),
        "artifact": reverse("frontend:judge-artifact", args=[round_entry.pk, "model"]),
        "hero": reverse("frontend:judge-artifact", args=[round_entry.pk, "hero"]),
        "sheet": reverse("api:judging-sheet", args=[round_entry.pk]),
    }


def criteria_of(round: Round) -> list[Criterion]:
    return list(round.criteria.order_by("position", "pk"))


def save_as_the_script(
    client: Client,
    round_entry: RoundEntry,
    version: int,
    scores: dict[Criterion, dict[str, str]],
    comment: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> "_MonkeyPatchedWSGIResponse":
    """What static/js/scoresheet.js sends as the judge types: the sheet, to the API, signed in by the session."""
    body: dict[str, object] = {
        "version": version,
        "scores": [{"criterion": criterion.pk, **given} for criterion, given in scores.items()],
    }
    if comment is not None:
        body["comment"] = comment
    return client.put(urls(round_entry)["sheet"], json.dumps(body), content_type="application/json", headers=headers)
