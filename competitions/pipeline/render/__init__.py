"""Thumbnails of a glTF scene with a real rasterizer: moderngl on EGL, which is Mesa's llvmpipe on a CPU-only
machine and the GPU's driver where there is one.

``render_views`` writes a 3/4 hero view (1280x720) and front, right and top views (512x512), and a 1280x720 view
from each camera the scene defines (``scene_cameras``: camera-1.webp, ..., their bookmarks in cameras.json);
``render_turntable`` a looping 36-frame animated WebP, drawn from a simplified proxy when the scene is large;
``render_all`` does both with one OpenGL context. Every image is lit the same way, by the studio environment the 3D
viewer uses (``environment``, docs/viewing-conditions.md), on the same light grey gradient, and framed from the
scene's vertices so the model fills the picture; hero_camera.json is the hero camera for the viewer. File names are
fixed (hero.webp, hero.png, front.webp, ..., turntable.webp) and each file is written
under a temporary name and renamed, so a rerun overwrites and a killed run leaves no half-written image.

The OpenGL backend is EGL unless ``METASCENE_GL_BACKEND`` names another one (``default`` lets moderngl choose, for
a desktop with GLX but no EGL).

The parts: ``camera`` frames the model, ``gpu`` uploads the scene and draws it with the programs of ``shaders``,
``images`` holds the background, the outline, the files and ``is_blank``.
"""

import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import moderngl

from competitions.pipeline.gltf_scene import Scene, load_scene
from competitions.pipeline.proxy import simplified

from .camera import Framing
from .gpu import Renderer, RenderUnavailable, create_context
from .images import background, foreground_fraction, is_blank, save, save_json, save_turntable
from .scene_cameras import draw_scene_cameras, scene_camera_views

__all__ = [
    "FORMATS",
    "PROXY_TRIANGLES",
    "RenderUnavailable",
    "background",
    "create_context",
    "foreground_fraction",
    "is_blank",
    "render_all",
    "render_turntable",
    "render_views",
    "warm_up",
]

HERO_SIZE = (1280, 720)
VIEW_SIZE = (512, 512)
TURNTABLE_FRAMES = 36
# The turntable draws a proxy of about this many triangles when the scene has more.
PROXY_TRIANGLES = 50_000
VIEWS = ("hero", "front", "side", "top")
# The hero camera as the 3D viewer takes it (``camera.Orbit``), written beside the hero image.
HERO_CAMERA = "hero_camera.json"
FORMATS = ("webp", "png")


def _views(
    ctx: moderngl.Context,
    scene: Scene,
    framing: Framing,
    out_dir: Path,
    formats: tuple[str, ...],
    pool: ThreadPoolExecutor,
) -> dict[str, Future[Path]]:
    """Draws the four views and the scene's own cameras (``scene_cameras``); their files are encoded on ``pool``
    while the next view is drawn."""
    renderer = Renderer(ctx, scene)
    futures = {}
    try:
        for name in VIEWS:
            if name == "hero":
                image = renderer.draw(framing.hero(HERO_SIZE[0] / HERO_SIZE[1]), HERO_SIZE)
                orbit = framing.hero_orbit(HERO_SIZE[0] / HERO_SIZE[1]).to_json()
                futures[HERO_CAMERA] = pool.submit(save_json, orbit, out_dir / HERO_CAMERA)
            else:
                image = renderer.draw(framing.orthographic(name, VIEW_SIZE[0] / VIEW_SIZE[1]), VIEW_SIZE)
            for extension in formats:
                futures[f"{name}.{extension}"] = pool.submit(save, image, out_dir / f"{name}.{extension}")
        futures.update(draw_scene_cameras(renderer, scene_camera_views(scene, framing), out_dir, formats, pool))
    finally:
        renderer.release()  # the full scene's memory goes back before the turntable's proxy is made
    return futures


def _turntable(ctx: moderngl.Context, scene: Scene, framing: Framing, out_dir: Path, frames: int, size: int) -> Path:
    proxy = simplified(scene, PROXY_TRIANGLES) if scene.triangles > PROXY_TRIANGLES else scene
    renderer = Renderer(ctx, proxy)
    try:
        images = [renderer.draw(camera, (size, size)) for camera in framing.turntable(frames, 1.0)]
    finally:
        renderer.release()
    return save_turntable(images, out_dir / "turntable.webp")


def _render(
    scene: Path, out_dir: Path, formats: tuple[str, ...], turntable: tuple[int, int] | None, root: Path | None
) -> dict[str, Path]:
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"Unknown image formats {sorted(unknown)}; choose from {FORMATS}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded = load_scene(Path(scene), root=root)
    framing = Framing(loaded)
    ctx = create_context()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = _views(ctx, loaded, framing, out_dir, formats, pool) if formats else {}
            paths = {}
            if turntable is not None:
                paths["turntable.webp"] = _turntable(ctx, loaded, framing, out_dir, *turntable)
            return {name: future.result() for name, future in futures.items()} | paths
    finally:
        ctx.release()


def render_views(
    scene: Path, out_dir: Path, *, formats: tuple[str, ...] = FORMATS, root: Path | None = None
) -> dict[str, Path]:
    """Writes hero (1280x720), front, side and top (512x512) views of ``scene`` into ``out_dir`` in each format;
    returns {file name: path}, e.g. {"hero.webp": ..., "hero.png": ..., "front.webp": ..., "hero_camera.json": ...}
    (the hero camera for the 3D viewer, ``camera.Orbit``). A .gltf's files are read only from inside ``root`` (the
    bundle's folder; default: the scene's own folder)."""
    return _render(scene, out_dir, tuple(formats), None, root)


def render_turntable(
    scene: Path, out_dir: Path, frames: int = TURNTABLE_FRAMES, size: int = 512, *, root: Path | None = None
) -> Path:
    """Writes turntable.webp: ``frames`` views of ``scene`` turning once around its vertical axis, looping;
    returns its path."""
    return _render(scene, out_dir, (), (frames, size), root)["turntable.webp"]


def render_all(
    scene: Path, out_dir: Path, *, formats: tuple[str, ...] = FORMATS, root: Path | None = None
) -> dict[str, Path]:
    """``render_views`` and ``render_turntable`` with one scene load and one OpenGL context; the result also holds
    "turntable.webp"."""
    return _render(scene, out_dir, tuple(formats), (TURNTABLE_FRAMES, VIEW_SIZE[0]), root)


def warm_up() -> None:
    """Draws and saves the sample box once, in a throwaway folder. A sandbox child calls it while it waits for its
    job (``run.RENDERING_MODULES``), so the job does not pay for Mesa's start, its first shader compilations and
    the image encoders' first use: about 0.4 s, more than a small scene's whole rendering."""
    from competitions.pipeline.samples import box_glb

    with tempfile.TemporaryDirectory(prefix="metascene-warm-up-") as folder:
        scene = Path(folder) / "box.glb"
        scene.write_bytes(box_glb())
        render_views(scene, Path(folder) / "views")
