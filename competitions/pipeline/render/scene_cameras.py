"""The entrant's own cameras: each camera the glTF scene defines (the first ``MAX_SCENE_CAMERAS`` in scene-graph
order) drawn as one more 1280x720 view, "camera-1.webp", "camera-2.webp", ..., with the renderer and lighting of
the standard views, and described in "cameras.json" as a bookmark the judge's viewer (model-viewer) can jump to.

A glTF camera sits at its node's world position and looks down the node's local -Z with +Y up; the node's scale
changes neither. The pictures are 16:9 whatever the camera's ``aspectRatio`` says: a perspective camera keeps its
vertical field of view (``yfov``) and its width follows from 16:9, so a camera made for a narrower picture shows
more at the sides and a wider one less; an orthographic camera keeps ``ymag`` the same way. ``znear`` and ``zfar``
are honoured; a perspective camera without ``zfar`` (infinite) sees as far as the scene reaches. A camera whose
numbers cannot make a picture (a ``yfov`` of 0, a ``ymag`` of 0, ``zfar`` before ``znear``) is left out, as the
validator's report already says.

model-viewer orbits a target with +Y always up, so a bookmark is the camera's eye seen from a target: the point
along its forward ray nearest the centre of the scene's bounds (at least a tenth of the scene's size ahead of
the eye), with the eye's direction and distance from there as ``camera-orbit`` (theta from +Z towards +X, phi
down from +Y) and the vertical field of view as ``field-of-view``. An orthographic camera becomes the perspective
one that sees its ``ymag`` at the target's distance. A camera's roll is lost.
"""

import json
import math
import os
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from competitions.pipeline.gltf_scene import Scene, SceneCamera
from competitions.pipeline.scene_camera_names import MAX_SCENE_CAMERAS, view_name

from .camera import Camera, Framing, _orthographic, _perspective
from .gpu import Renderer
from .images import save

SCENE_CAMERA_SIZE = (1280, 720)
# A camera's name is shown to judges cut to this many characters.
MAX_LABEL_LENGTH = 40
CAMERAS_FILE = "cameras.json"


@dataclass(frozen=True)
class SceneCameraView:
    """One of the entrant's cameras, ready to draw (``camera``) and to offer as a bookmark (``bookmark``)."""

    name: str  # "camera-1"
    label: str  # the camera's (or its node's) name, cleaned for display; "" when it has none
    kind: str  # "perspective" or "orthographic"
    camera: Camera
    bookmark: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.kind, **self.bookmark}


def clean_label(name: str) -> str:
    """``name`` as a one-line label: control and formatting characters gone, spaces collapsed, at most
    ``MAX_LABEL_LENGTH`` characters (an ellipsis marks a cut)."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in name)
    label = " ".join(kept.split())
    if len(label) > MAX_LABEL_LENGTH:
        label = label[: MAX_LABEL_LENGTH - 1].rstrip() + "…"
    return label


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _axes(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Eye, right, up and back (towards the viewer, +Z) of a camera node's world matrix, orthonormal; None when its
    matrix has no direction (a zero scale)."""
    eye = matrix[:3, 3].astype(np.float64)
    back, up = matrix[:3, 2].astype(np.float64), matrix[:3, 1].astype(np.float64)
    length = np.linalg.norm(back)
    if not length > 1e-12:
        return None
    back = back / length
    up = up - (up @ back) * back
    length = np.linalg.norm(up)
    if not length > 1e-12:
        return None
    up = up / length
    return eye, np.cross(up, back), up, back


def _view_matrix(eye: np.ndarray, right: np.ndarray, up: np.ndarray, back: np.ndarray) -> np.ndarray:
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = right, up, back
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def _projection(source: dict, eye: np.ndarray, back: np.ndarray, framing: Framing, aspect: float) -> np.ndarray | None:
    """The camera's projection for a picture of ``aspect``; None when its numbers make none."""
    kind = source.get("type")
    fields = source.get(kind) if isinstance(kind, str) else None
    if not isinstance(fields, dict):
        return None
    near, far = _number(fields.get("znear")), _number(fields.get("zfar"))
    if kind == "perspective":
        yfov = _number(fields.get("yfov"))
        if yfov is None or not 0 < yfov < math.pi or near is None or near <= 0:
            return None
        if "zfar" not in fields:  # infinite: as far as the scene reaches
            far = max(float(((framing.points - eye) @ -back).max()) * 1.05 + 0.05 * framing.radius, near * 2)
        if far is None or far <= near:
            return None
        return _perspective(yfov, aspect, near, far)
    if kind == "orthographic":
        ymag = _number(fields.get("ymag"))
        if ymag is None or ymag == 0 or near is None or near < 0 or far is None or far <= near:
            return None
        return _orthographic(abs(ymag) * aspect, abs(ymag), near, far)
    return None


def _decimal(value: float, places: int) -> str:
    """``value`` with at most ``places`` decimals and no exponent, as model-viewer reads numbers ("-0" is "0")."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _length(value: float) -> str:
    return _decimal(value, 6) + "m"


def _angle(value: float) -> str:
    return _decimal(value, 3) + "deg"


def bookmark(eye: np.ndarray, back: np.ndarray, source: dict, framing: Framing) -> dict[str, str]:
    """model-viewer's ``camera-orbit``, ``camera-target`` and ``field-of-view`` for a camera at ``eye`` looking
    along -``back``, and ``max-radius``: how far its orbit must be allowed to reach for the bookmark and around it."""
    forward = -back
    distance = max(float((framing.centre - eye) @ forward), 0.1 * framing.radius)
    target = eye + distance * forward
    offset = (eye - target) / distance
    theta = math.degrees(math.atan2(offset[0], offset[2]))
    phi = math.degrees(math.acos(min(1.0, max(-1.0, float(offset[1])))))
    fields = source[source["type"]]
    if source["type"] == "perspective":
        fov = math.degrees(float(fields["yfov"]))
    else:
        fov = math.degrees(2 * math.atan(abs(float(fields["ymag"])) / distance))
    return {
        "camera_orbit": f"{_angle(theta)} {_angle(phi)} {_length(distance)}",
        "camera_target": " ".join(_length(float(c)) for c in target),
        "field_of_view": _angle(fov),
        "max_radius": _length(1.5 * max(distance, 4 * framing.radius)),
    }


def scene_camera_view(camera: SceneCamera, number: int, framing: Framing) -> SceneCameraView | None:
    """The entrant's ``number``-th camera as a 16:9 view and a bookmark; None when it cannot make a picture."""
    axes = _axes(np.asarray(camera.matrix, dtype=np.float64))
    if axes is None:
        return None
    eye, right, up, back = axes
    aspect = SCENE_CAMERA_SIZE[0] / SCENE_CAMERA_SIZE[1]
    projection = _projection(camera.source, eye, back, framing, aspect)
    if projection is None:
        return None
    return SceneCameraView(
        name=view_name(number),
        label=clean_label(camera.name),
        kind=camera.source["type"],
        camera=Camera(_view_matrix(eye, right, up, back), projection),
        bookmark=bookmark(eye, back, camera.source, framing),
    )


def scene_camera_views(scene: Scene, framing: Framing) -> list[SceneCameraView]:
    """The scene's cameras that can make a picture, the first ``MAX_SCENE_CAMERAS`` in scene-graph order, numbered
    from 1 in that order."""
    views: list[SceneCameraView] = []
    for camera in scene.cameras:
        if len(views) == MAX_SCENE_CAMERAS:
            break
        view = scene_camera_view(camera, len(views) + 1, framing)
        if view is not None:
            views.append(view)
    return views


def draw_scene_cameras(
    renderer: Renderer, views: list[SceneCameraView], out_dir: Path, formats: tuple[str, ...], pool: ThreadPoolExecutor
) -> dict[str, Future[Path]]:
    """Draws each view (its files are encoded on ``pool``) and writes ``CAMERAS_FILE``, the views' labels and
    bookmarks, when there is any view. WebP only when it is among ``formats``: judges see the WebP, and each PNG
    of this size would cost more to encode than its drawing."""
    if not views:
        return {}
    formats = ("webp",) if "webp" in formats else formats
    futures: dict[str, Future[Path]] = {}
    for view in views:
        image = renderer.draw(view.camera, SCENE_CAMERA_SIZE)
        for extension in formats:
            futures[f"{view.name}.{extension}"] = pool.submit(save, image, out_dir / f"{view.name}.{extension}")
    path = out_dir / CAMERAS_FILE
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(json.dumps([view.to_json() for view in views], ensure_ascii=False, indent=1))
    os.replace(temporary, path)
    done: Future[Path] = Future()
    done.set_result(path)
    futures[CAMERAS_FILE] = done
    return futures


def read_cameras(path: Path | None) -> list[dict[str, str]]:
    """The views' labels and bookmarks written by ``draw_scene_cameras``; [] without the file."""
    if path is None:
        return []
    data = json.loads(Path(path).read_text())
    return data if isinstance(data, list) else []
