"""The names of the views drawn from the entrant's own glTF cameras ("camera-1" ... "camera-6"), apart from the
drawing (``render.scene_cameras``) so that the web process can tell them without importing the renderer."""

# At most this many of the scene's cameras are drawn, the first in scene-graph order; each costs a hero-sized draw.
MAX_SCENE_CAMERAS = 6
VIEW_PREFIX = "camera-"
# Every name a camera's view may have, in order.
SCENE_CAMERA_VIEWS = tuple(f"{VIEW_PREFIX}{number}" for number in range(1, MAX_SCENE_CAMERAS + 1))


def view_name(number: int) -> str:
    """The artifact name of the entrant's ``number``-th camera (from 1)."""
    return f"{VIEW_PREFIX}{number}"


def is_view_name(name: str) -> bool:
    """Whether ``name`` is the artifact name of one of the entrant's cameras ("camera-1" ... "camera-6")."""
    return name in SCENE_CAMERA_VIEWS
