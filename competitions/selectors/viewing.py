"""The 3D viewer's opening camera for a revision: the hero thumbnail's camera, which the renderer records beside the
hero image (``hero_camera.json``, artifact ``hero_camera_json``; see ``pipeline.render.camera.Orbit``), as the
attributes of model-viewer (judge/includes/model_viewer.html). A revision rendered before the renderer recorded it,
or whose file is unreadable, has none: the viewer then frames the model itself.
"""

import json
import logging
import math
from dataclasses import dataclass

from django.core.files.storage import default_storage

from competitions.models import EntryRevision

logger = logging.getLogger(__name__)

HERO_CAMERA = "hero_camera_json"
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
