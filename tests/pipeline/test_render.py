"""The render stage: real thumbnails drawn headless with moderngl, checked by their pixels."""

import colorsys
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from competitions.pipeline import package, render, samples
from competitions.pipeline.gltf_io import glb_bytes, parse_glb
from competitions.pipeline.gltf_scene import load_scene
from competitions.pipeline.proxy import simplified
from tests.pipeline import hostile, scenes

REPO = Path(__file__).resolve().parents[2]
SHARED_SAMPLES = REPO.parent / "shared" / "gltf" / "samples"
VIEW_FILES = {f"{v}.{ext}" for v in ("hero", "front", "side", "top") for ext in ("webp", "png")} | {"hero_camera.json"}


def images(files: dict[str, Path]) -> dict[str, Path]:
    """The pictures among the files ``render_views`` wrote (not the hero camera)."""
    return {name: path for name, path in files.items() if not name.endswith(".json")}


def shared_samples() -> Path:
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/gltf is absent: the Khronos sample models are not part of this repository")
    return SHARED_SAMPLES


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def with_material(glb: bytes, **changes: object) -> bytes:
    """``glb`` with its first material's properties replaced (e.g. alphaMode, a new baseColorFactor)."""
    document, binary = parse_glb(glb)
    material = document["materials"][0]
    for key, value in changes.items():
        if key == "baseColorFactor":
            material["pbrMetallicRoughness"]["baseColorFactor"] = value
        else:
            material[key] = value
    return glb_bytes(document, binary)


def centre(path: Path, fraction: float = 0.2) -> np.ndarray:
    """The pixels of the middle ``fraction`` of the image, as an (n, 3) float array."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    height, width = pixels.shape[:2]
    dy, dx = int(height * fraction / 2), int(width * fraction / 2)
    return pixels[height // 2 - dy : height // 2 + dy, width // 2 - dx : width // 2 + dx].reshape(-1, 3)


def hue_degrees(rgb: np.ndarray) -> float:
    r, g, b = (rgb / 255.0).tolist()
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


@pytest.fixture(scope="module")
def box_views(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("box")
    scene = write(folder, "box.glb", samples.box_glb(colour=(0.85, 0.1, 0.1)))
    return render.render_views(scene, folder / "views")


@pytest.fixture(scope="module")
def vertex_coloured_views(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("vertex-coloured")
    scene = write(folder, "cube.glb", scenes.vertex_coloured_box_glb())
    return render.render_views(scene, folder / "views", formats=("png",))


# --- Views --------------------------------------------------------------------------------------------------


def test_views_are_written_under_fixed_names_in_both_formats(box_views: dict[str, Path]) -> None:
    # Given a box scene rendered once (fixture)
    # Then every view exists in WebP and PNG under its fixed name
    assert set(box_views) == VIEW_FILES
    assert all(path.name == name and path.is_file() for name, path in box_views.items())


def test_hero_is_1280_by_720_and_other_views_512_square(box_views: dict[str, Path]) -> None:
    sizes = {name: Image.open(path).size for name, path in images(box_views).items()}
    assert sizes["hero.webp"] == sizes["hero.png"] == (1280, 720)
    assert {sizes[f"{view}.png"] for view in ("front", "side", "top")} == {(512, 512)}


def test_every_view_of_a_box_shows_it(box_views: dict[str, Path]) -> None:
    assert not any(render.is_blank(path) for path in images(box_views).values())


def test_base_colour_factor_fills_the_middle_of_the_front_view(box_views: dict[str, Path]) -> None:
    # Given a red box (0.85, 0.1, 0.1)
    # When the front view's middle is sampled
    middle = np.median(centre(box_views["front.png"]), axis=0)
    # Then it is red: strong red channel, hue near 0
    assert middle[0] > 120 and middle[0] > 2 * middle[1] and middle[0] > 2 * middle[2]
    assert min(hue_degrees(middle), 360 - hue_degrees(middle)) < 15


def test_model_is_framed_to_fill_most_of_the_view(box_views: dict[str, Path]) -> None:
    # A 1 m box seen head-on fills most of the 512x512 front view but leaves a margin of background.
    with Image.open(box_views["front.png"]) as image:
        covered = render.foreground_fraction(image)
        corner = np.asarray(image.convert("RGB"))[:8, :8].reshape(-1, 3).mean(axis=0)
    assert 0.5 < covered < 0.95
    assert np.abs(corner - render.background(8, 512)[0, 0]).max() < 6


@pytest.mark.parametrize(
    ("view", "face"),
    [("front", 4), ("side", 0), ("top", 2)],
    ids=["front-is-plus-z", "side-is-plus-x", "top-is-plus-y"],
)
def test_vertex_colours_show_the_face_each_view_looks_at(
    vertex_coloured_views: dict[str, Path], view: str, face: int
) -> None:
    # Given a cube coloured by COLOR_0 only, one colour per face
    expected = np.array(scenes.VERTEX_COLOURED_BOX_FACES[face], dtype=np.float64)
    # When the view's middle is sampled
    middle = np.median(centre(vertex_coloured_views[f"{view}.png"]), axis=0)
    # Then its hue is the face's colour (lighting changes brightness, not hue)
    assert abs(hue_degrees(middle) - hue_degrees(expected)) < 12


def test_texture_shows_on_a_textured_box(tmp_path: Path) -> None:
    # Given a cube whose only colour is a yellow and blue checkerboard texture
    scene = write(tmp_path, "textured.glb", scenes.textured_box_glb())
    # When it is rendered
    views = render.render_views(scene, tmp_path / "views", formats=("png",))
    # Then the front view's middle holds both checker colours
    pixels = centre(views["front.png"], 0.6)
    yellowish = (pixels[:, 0] > pixels[:, 2] + 60) & (pixels[:, 1] > pixels[:, 2] + 40)
    bluish = pixels[:, 2] > pixels[:, 0] + 40
    assert yellowish.mean() > 0.2 and bluish.mean() > 0.2


def test_scene_in_a_gltf_bundle_renders_with_its_external_texture(tmp_path: Path) -> None:
    # Given a .gltf whose buffer and texture are separate files beside it
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    view = document["bufferViews"][image.pop("bufferView")]
    start = view.get("byteOffset", 0)
    write(tmp_path, "checker.png", binary[start : start + view["byteLength"]])
    image["uri"] = "checker.png"
    del image["mimeType"]
    write(tmp_path, "scene.bin", binary)
    document["buffers"][0]["uri"] = "scene.bin"
    scene = write(tmp_path, "scene.gltf", json.dumps(document).encode())
    # When it is rendered
    views = render.render_views(scene, tmp_path / "views", formats=("png",))
    # Then the texture is on it
    pixels = centre(views["front.png"], 0.6)
    assert (pixels[:, 2] > pixels[:, 0] + 40).mean() > 0.2


OUTSIDE_URIS = {
    "dotdot": lambda outside: "../outside.png",
    "file-scheme": lambda outside: outside.as_uri(),
    "absolute": lambda outside: str(outside),
}


@pytest.mark.parametrize("kind", OUTSIDE_URIS)
def test_texture_outside_the_bundle_is_never_read(tmp_path: Path, kind: str) -> None:
    # Given a red texture outside the bundle folder, and a bundle whose cube points at it
    Image.new("RGB", (8, 8), (255, 0, 0)).save(tmp_path / "outside.png")
    bundle = tmp_path / "bundle"
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    del image["bufferView"], image["mimeType"]
    image["uri"] = OUTSIDE_URIS[kind](tmp_path / "outside.png")
    write(bundle, "scene.bin", binary)
    document["buffers"][0]["uri"] = "scene.bin"
    scene = write(bundle, "scene.gltf", json.dumps(document).encode())
    # When it is rendered
    views = render.render_views(scene, bundle / "views", formats=("png",))
    # Then the cube is drawn without that texture: no red
    middle = np.median(centre(views["front.png"]), axis=0)
    assert not render.is_blank(views["front.png"])
    assert middle[0] < middle[1] + 30


def test_texture_elsewhere_in_the_bundle_is_drawn_when_the_bundle_root_is_given(tmp_path: Path) -> None:
    # Given a bundle whose .gltf sits in scene/ and reads its texture from ../textures/
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    view = document["bufferViews"][image.pop("bufferView")]
    del image["mimeType"]
    start = view.get("byteOffset", 0)
    write(tmp_path / "textures", "checker.png", binary[start : start + view["byteLength"]])
    image["uri"] = "../textures/checker.png"
    write(tmp_path / "scene", "scene.bin", binary)
    document["buffers"][0]["uri"] = "scene.bin"
    scene = write(tmp_path / "scene", "scene.gltf", json.dumps(document).encode())
    # When it is rendered with the bundle's root
    views = render.render_views(scene, tmp_path / "views", formats=("png",), root=tmp_path)
    # Then the texture is on it
    pixels = centre(views["front.png"], 0.6)
    assert (pixels[:, 2] > pixels[:, 0] + 40).mean() > 0.2


def test_meshopt_compressed_scene_renders_with_its_texture(tmp_path: Path) -> None:
    # Given the viewer copy of a textured grid, its geometry meshopt-compressed by gltfpack
    if shutil.which("node") is None or not package.GLTFPACK.is_file():
        pytest.skip("Node.js or gltfpack is missing (run make pipeline-node)")
    scene = write(tmp_path, "grid.glb", samples.grid_scene_glb(20_000, textured=True))
    compressed = package.package_viewer(scene, tmp_path / "viewer.glb")
    assert "EXT_meshopt_compression" in parse_glb(compressed.read_bytes())[0]["extensionsRequired"]
    # When it is rendered
    views = render.render_views(compressed, tmp_path / "views", formats=("png",))
    # Then the checkerboard shows from above
    pixels = centre(views["top.png"], 0.6)
    assert (pixels[:, 2] > pixels[:, 0] + 40).mean() > 0.2
    assert ((pixels[:, 0] > pixels[:, 2] + 60) & (pixels[:, 1] > pixels[:, 2] + 40)).mean() > 0.2


def test_mask_material_below_its_cutoff_draws_nothing(tmp_path: Path) -> None:
    # Given a box whose alpha 0.3 is under its MASK cutoff 0.5
    glb = with_material(samples.box_glb(), alphaMode="MASK", alphaCutoff=0.5, baseColorFactor=[0.2, 0.5, 0.9, 0.3])
    views = render.render_views(write(tmp_path, "masked.glb", glb), tmp_path / "views", formats=("png",))
    # Then every view is empty
    assert all(render.is_blank(path) for path in images(views).values())


def test_mask_material_above_its_cutoff_is_drawn_opaque(tmp_path: Path) -> None:
    glb = with_material(samples.box_glb(), alphaMode="MASK", alphaCutoff=0.2, baseColorFactor=[0.2, 0.5, 0.9, 0.3])
    views = render.render_views(write(tmp_path, "masked.glb", glb), tmp_path / "views", formats=("png",))
    middle = np.median(centre(views["front.png"]), axis=0)
    assert middle[2] > middle[0] + 60  # solid blue, not blended with the grey background


def test_blend_material_mixes_with_the_background(tmp_path: Path) -> None:
    # Given a red box at 40% opacity
    glb = with_material(samples.box_glb(), alphaMode="BLEND", baseColorFactor=[0.9, 0.05, 0.05, 0.4])
    views = render.render_views(write(tmp_path, "glass.glb", glb), tmp_path / "views", formats=("png",))
    middle = np.median(centre(views["front.png"]), axis=0)
    # Then the middle is reddish but lets the light background through
    assert middle[0] > middle[1] + 30
    assert middle[1] > 60


def test_scene_without_meshes_renders_blank_views(tmp_path: Path) -> None:
    document = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"name": "empty"}]}
    views = render.render_views(write(tmp_path, "empty.glb", glb_bytes(document, None)), tmp_path / "views")
    assert set(views) == VIEW_FILES
    assert all(render.is_blank(path) for path in images(views).values())


def test_rendering_again_overwrites_the_same_files(tmp_path: Path) -> None:
    scene = write(tmp_path, "box.glb", samples.box_glb())
    first = render.render_views(scene, tmp_path / "views", formats=("png",))
    second = render.render_views(scene, tmp_path / "views", formats=("png",))
    assert first == second
    assert sorted(p.name for p in (tmp_path / "views").iterdir()) == sorted(first)


def test_backend_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given an operator who named an OpenGL backend this machine does not have
    monkeypatch.setenv("METASCENE_GL_BACKEND", "no-such-backend")
    scene = write(tmp_path, "box.glb", samples.box_glb())
    # When views are rendered, then the failure is a setup error naming that backend and the fix
    with pytest.raises(render.RenderUnavailable, match="no-such-backend.*libegl1"):
        render.render_views(scene, tmp_path / "views")


def test_unknown_image_format_is_refused(tmp_path: Path) -> None:
    scene = write(tmp_path, "box.glb", samples.box_glb())
    with pytest.raises(ValueError, match="jpeg"):
        render.render_views(scene, tmp_path / "views", formats=("webp", "jpeg"))


# --- Turntable ----------------------------------------------------------------------------------------------


def test_turntable_is_a_looping_36_frame_animated_webp(tmp_path: Path) -> None:
    scene = write(tmp_path, "cube.glb", scenes.vertex_coloured_box_glb())
    path = render.render_turntable(scene, tmp_path / "views")
    with Image.open(path) as image:
        assert path.name == "turntable.webp"
        assert (image.format, image.n_frames, image.size) == ("WEBP", 36, (512, 512))
        assert image.info.get("loop") == 0


def test_turntable_frames_show_the_model_turning(tmp_path: Path) -> None:
    # Given a cube with a different colour on each side
    path = render.render_turntable(write(tmp_path, "cube.glb", scenes.vertex_coloured_box_glb()), tmp_path)
    # When the first frame and the frame half a turn later are compared
    with Image.open(path) as image:
        image.seek(0)
        first = np.asarray(image.convert("RGB"), dtype=np.float64)
        image.seek(18)
        opposite = np.asarray(image.convert("RGB"), dtype=np.float64)
    # Then both show the model, and different faces of it
    assert render.foreground_fraction(Image.fromarray(first.astype(np.uint8))) > 0.05
    assert np.abs(first - opposite).mean() > 10


def test_large_scene_turntable_is_drawn_from_a_proxy_within_the_budget(tmp_path: Path) -> None:
    # Given a vertex-coloured scene of 200,000 triangles
    scene = write(tmp_path, "big.glb", samples.grid_scene_glb(200_000, vertex_colours=True))
    loaded = load_scene(scene)
    # When it is simplified for the turntable
    proxy = simplified(loaded, render.PROXY_TRIANGLES)
    # Then the proxy keeps about the budget and the scene's colours
    assert render.PROXY_TRIANGLES * 0.5 <= proxy.triangles <= render.PROXY_TRIANGLES * 1.05
    original, kept = loaded.primitives[0].colours, proxy.primitives[0].colours
    assert original is not None and kept is not None
    assert np.abs(kept.mean(axis=0) - original.mean(axis=0)).max() < 0.05


def test_large_scene_turntable_shows_its_colours(tmp_path: Path) -> None:
    scene = write(tmp_path, "big.glb", samples.grid_scene_glb(200_000, vertex_colours=True))
    path = render.render_turntable(scene, tmp_path, frames=4)
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    model = np.abs(pixels - render.background(512, 512)).max(axis=2) > 14
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    # The model covers part of the frame, and there it shows the rainbow vertex colours, not a grey shape.
    assert model.mean() > 0.03
    assert (saturation[model] > 80).mean() > 0.3


def test_render_all_writes_views_and_turntable_with_one_context(tmp_path: Path) -> None:
    scene = write(tmp_path, "cube.glb", scenes.textured_box_glb())
    paths = render.render_all(scene, tmp_path / "all")
    assert set(paths) == VIEW_FILES | {"turntable.webp"}
    assert not any(render.is_blank(path) for path in images(paths).values())


# --- is_blank -----------------------------------------------------------------------------------------------


def test_is_blank_sees_a_plain_background_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "background.png"
    Image.fromarray(render.background(320, 200).astype(np.uint8)).save(path)
    assert render.is_blank(path)


def test_is_blank_sees_a_uniform_image_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "black.png"
    Image.new("RGB", (64, 64), (0, 0, 0)).save(path)
    assert render.is_blank(path)


def test_is_blank_sees_a_small_object_on_the_background(tmp_path: Path) -> None:
    pixels = render.background(200, 200).astype(np.uint8).copy()
    pixels[90:110, 90:110] = (200, 30, 30)
    path = tmp_path / "dot.png"
    Image.fromarray(pixels).save(path)
    assert not render.is_blank(path)


# --- Khronos sample models (../shared/gltf) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_views(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    folder = shared_samples()
    out = tmp_path_factory.mktemp("samples")
    return {path.stem: render.render_views(path, out / path.stem) for path in sorted(folder.glob("*.glb"))}


def test_every_sample_model_renders_four_views_that_show_it(sample_views: dict[str, dict[str, Path]]) -> None:
    assert sample_views, "no sample models found"
    pictures = images({f"{name}/{f}": p for name, views in sample_views.items() for f, p in views.items()})
    assert [name for name, path in pictures.items() if render.is_blank(path)] == []


def test_duck_texture_makes_it_yellow(sample_views: dict[str, dict[str, Path]]) -> None:
    # The Duck's colour is all texture (its material's factor is white): a yellow duck means the texture is drawn.
    middle = np.median(centre(sample_views["Duck"]["front.png"], 0.3), axis=0)
    assert 40 < hue_degrees(middle) < 65
    assert middle.max() - middle.min() > 100


def test_milk_truck_logo_texture_is_visible(sample_views: dict[str, dict[str, Path]]) -> None:
    # The truck's flank, which faces +Z (the front view; its cab faces +X), carries the Cesium logo in blue and
    # green from its texture atlas.
    with Image.open(sample_views["CesiumMilkTruck"]["front.png"]) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int32).reshape(-1, 3)
    blue = (pixels[:, 2] > pixels[:, 0] + 60) & (pixels[:, 2] > pixels[:, 1] + 10)
    green = (pixels[:, 1] > pixels[:, 0] + 20) & (pixels[:, 1] > pixels[:, 2] + 40)
    assert blue.mean() > 0.01 and green.mean() > 0.01


def test_alpha_blend_mode_test_shows_its_marble_texture(sample_views: dict[str, dict[str, Path]]) -> None:
    # The front view is mostly the marble wall: textured, so many distinct shades rather than one flat colour.
    pixels = centre(sample_views["AlphaBlendModeTest"]["front.png"], 0.5)
    assert len(np.unique(pixels.astype(np.uint8), axis=0)) > 500
