"""An entry a judge opens in the 3D viewer, made from a real scene: its thumbnails and hero camera drawn by the
project's renderer, and the scene itself stored as the viewer copy (for the viewer tests)."""

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.contrib.auth.models import User
from PIL import Image

from competitions.models import Criterion, Round, RoundEntry
from competitions.pipeline import render
from competitions.services import assignment, judging
from competitions.services.processing.files import artifacts_store
from tests.factories import CriterionFactory, JudgeFactory, RoundFactory, TrackFactory, UserFactory, ready_entry

# Beyond this difference from the background gradient (in sRGB steps, any channel) a pixel shows the model:
# ``render.foreground_fraction``'s tolerance.
FOREGROUND_TOLERANCE = 14


@dataclass(frozen=True)
class ViewerEntry:
    round_entry: RoundEntry
    criterion: Criterion
    judge: User
    hero: Image.Image  # the hero thumbnail as the renderer drew it (PNG, lossless)

    @property
    def path(self) -> str:
        return f"/judging/entries/{self.round_entry.pk}/"


def viewer_entry(scene: bytes, *, triangles: int, hero_camera: bool = True) -> ViewerEntry:
    """An open round of one entry assigned to one judge, whose revision has the views of ``scene`` rendered by the
    pipeline's renderer, ``scene`` itself as its viewer and blind copies and ``triangles`` in its figures; without
    ``hero_camera``, as a revision rendered before the hero camera was recorded."""
    round_ = RoundFactory(blind=Round.Blind.NEVER)
    track = TrackFactory(competition=round_.competition)
    criterion = CriterionFactory(round=round_, position=0, scale_min=0, scale_max=10, step=Decimal("0.5"))
    ready_entry(track)
    organiser = UserFactory(is_staff=True)
    judge = JudgeFactory()
    judging.judge_invite(round=round_, email=judge.email, actor=organiser)
    judging.round_open(round=round_, actor=organiser)
    assignment.round_assign(round=round_, actor=organiser)
    round_entry = round_.round_entries.get()
    revision = round_entry.revision
    with tempfile.TemporaryDirectory(prefix="viewer-entry-") as folder:
        scene_path = Path(folder) / "scene.glb"
        scene_path.write_bytes(scene)
        views = render.render_views(scene_path, Path(folder) / "views")
        viewer_path = Path(folder) / "viewer.glb"
        viewer_path.write_bytes(scene)
        files = {"hero": views["hero.webp"], "viewer": viewer_path}
        if hero_camera:
            files["hero_camera_json"] = views["hero_camera.json"]
        with Image.open(views["hero.png"]) as image:
            hero = image.convert("RGB")
        stored = artifacts_store(revision, files)
    stored["blind"] = stored["viewer"]
    revision.artifacts = stored
    revision.stats = {**revision.stats, "triangles": triangles}
    revision.save(update_fields=["artifacts", "stats"])
    return ViewerEntry(round_entry=round_entry, criterion=criterion, judge=judge, hero=hero)


def foreground(pixels: np.ndarray) -> np.ndarray:
    """Where an RGB image (height, width, 3) shows the model: it differs from the thumbnails' background."""
    height, width = pixels.shape[:2]
    difference = np.abs(pixels.astype(np.float64) - render.background(width, height)).max(axis=2)
    return difference > FOREGROUND_TOLERANCE
