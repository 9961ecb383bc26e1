"""How the 3D viewer opens a revision (``viewer_opening``): on the hero thumbnail's camera, which the renderer
records beside the hero image (``hero_camera.json``, artifact ``hero_camera_json``; see
``pipeline.render.camera.Orbit``), as the attributes of model-viewer (judge/includes/model_viewer.html); and whether
its model loads by itself once the viewer is on screen, or only when the judge asks (a heavy scene: its download,
decoding and first frame would hold up the page for seconds on a computer without a GPU).

A revision rendered before the renderer recorded the hero camera, or whose file is unreadable, has none: the viewer
then frames the model itself.
"""

import json
import logging
import math
from dataclasses import dataclass

from django.core.files.storage import default_storage

from competitions.models import EntryRevision

logger = logging.getLogger(__name__)

HERO_CAMERA = "hero_camera_json"
# Above this many triangles the model loads only when asked for. Measured without a GPU (SwiftShader, 2 shared
# cores): 1.3 million triangles take 3 to 13 s from the button to the first frame, so this many up to about 2.5 s.
ON_DEMAND_TRIANGLES = 250_000
_MAX_BYTES = 4096  # a few numbers; anything larger is not ours


@dataclass(frozen=True)
class ViewerCamera:
    """model-viewer's camera-target, camera-orbit, field-of-view, min-camera-orbit and max-camera-orbit."""

    target: str
    orbit: str
    field_of_view: str
    min_orbit: str
    max_orbit: str


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def _length(value: float) -> str:
    return f"{value:.6g}m"


def viewer_camera_from(data: object) -> ViewerCamera:
    """The attributes for a recorded orbit (``Orbit.to_json()``); ValueError when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("the hero camera is not an object")
    target = data.get("target")
    if not isinstance(target, list) or len(target) != 3:
        raise ValueError("the hero camera has no target")
    x, y, z = (_number(v) for v in target)
    azimuth, elevation = _number(data.get("azimuth")), _number(data.get("elevation"))
    distance, fov = _number(data.get("distance")), _number(data.get("fov_y"))
    nearest, farthest = _number(data.get("min_distance")), _number(data.get("max_distance"))
    if not (0 < nearest <= distance <= farthest) or not 0 < fov < 180:
        raise ValueError("the hero camera's distances or field of view are out of range")
    polar = 90.0 - elevation  # model-viewer's phi is measured from straight up
    return ViewerCamera(
        target=f"{_length(x)} {_length(y)} {_length(z)}",
        orbit=f"{azimuth:.6g}deg {polar:.6g}deg {_length(distance)}",
        field_of_view=f"{fov:.6g}deg",
        min_orbit=f"auto auto {_length(nearest)}",
        max_orbit=f"auto auto {_length(farthest)}",
    )


@dataclass(frozen=True)
class ViewerOpening:
    """The ``camera`` the viewer opens on (None: model-viewer frames the model) and whether the model waits for
    the judge's "Show in 3D" (``on_demand``)."""

    camera: ViewerCamera | None
    on_demand: bool


def viewer_opening(revision: EntryRevision) -> ViewerOpening:
    """How the viewer opens ``revision``'s model: its hero camera, and on demand when the scene is heavy (its
    triangle count unknown counts as heavy: nothing says the page can afford it)."""
    stats = revision.stats if isinstance(revision.stats, dict) else {}
    triangles = stats.get("triangles")
    light = isinstance(triangles, int) and not isinstance(triangles, bool) and triangles <= ON_DEMAND_TRIANGLES
    return ViewerOpening(camera=viewer_camera(revision), on_demand=not light)


def viewer_camera(revision: EntryRevision) -> ViewerCamera | None:
    """The viewer's opening camera for ``revision``: its hero camera, or None when none was recorded (or it cannot
    be read, which is logged)."""
    artifacts = revision.artifacts if isinstance(revision.artifacts, dict) else {}
    name = artifacts.get(HERO_CAMERA)
    if not isinstance(name, str) or not name:
        return None
    try:
        with default_storage.open(name, "rb") as f:
            content = f.read(_MAX_BYTES + 1)
        if len(content) > _MAX_BYTES:
            raise ValueError("the file is too large to be a hero camera")
        data = json.loads(content)
        return viewer_camera_from(data)
    except (OSError, ValueError) as error:  # json.JSONDecodeError is a ValueError
        logger.warning("Revision %s: hero camera %s not used: %s", revision.pk, name, error)
        return None
