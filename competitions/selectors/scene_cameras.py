"""The entrant's own glTF cameras as a judge sees them: the extra views the pipeline drew from them and the
bookmarks the 3D viewer offers (``pipeline.render.scene_cameras`` records both; a ready revision keeps the
bookmarks in ``stats["cameras"]``)."""

from dataclasses import dataclass

from competitions.models import RoundEntry
from competitions.pipeline.scene_camera_names import SCENE_CAMERA_VIEWS
from competitions.selectors.judging import judge_artifact

_BOOKMARK = ("camera_orbit", "camera_target", "field_of_view", "max_radius")


@dataclass(frozen=True)
class SceneCameraView:
    """One of the entrant's cameras: its view (the thumbnail ``name``, "camera-1"), its ``number`` and ``label``
    ("" in a blind round, where a name could identify the team, and for an unnamed camera: the page says "Camera
    <number>"), and where the 3D viewer's bookmark puts model-viewer's camera."""

    name: str
    number: int
    label: str
    camera_orbit: str
    camera_target: str
    field_of_view: str
    max_radius: str


def judge_scene_cameras(round_entry: RoundEntry) -> list[SceneCameraView]:
    """The entrant's cameras the judge of ``round_entry`` can see, in the scene's order: those the rendering
    recorded whose view the judge may fetch (``judge_artifact``). Reads no rows beyond ``round_entry``'s revision and
    round."""
    stats = round_entry.revision.stats
    recorded = stats.get("cameras") if isinstance(stats, dict) else None
    if not isinstance(recorded, list):
        return []
    blind = round_entry.round.is_blind
    cameras = []
    for number, (name, camera) in enumerate(zip(SCENE_CAMERA_VIEWS, recorded, strict=False), start=1):
        if not isinstance(camera, dict) or camera.get("name") != name or not judge_artifact(round_entry, name):
            continue
        bookmark = {key: camera.get(key) for key in _BOOKMARK}
        if not all(isinstance(value, str) and value for value in bookmark.values()):
            continue
        label = camera.get("label")
        cameras.append(
            SceneCameraView(
                name=name,
                number=number,
                label="" if blind or not isinstance(label, str) else label,
                camera_orbit=str(bookmark["camera_orbit"]),
                camera_target=str(bookmark["camera_target"]),
                field_of_view=str(bookmark["field_of_view"]),
                max_radius=str(bookmark["max_radius"]),
            )
        )
    return cameras
