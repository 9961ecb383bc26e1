"""Inspect: counts exactly as the Khronos validator counts, texture sizes from headers, bounds, and the budgets."""

import io
import json
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from competitions.pipeline.inspect import BundleResolver, image_size, inspect
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import AssetRejected
from competitions.pipeline.samples import Box, box_glb, grid_scene_glb, grid_vertex_count, scene_glb
from competitions.pipeline.unpack import Bundle
from tests.pipeline import hostile
from tests.pipeline.scenes import PRIMITIVE_MODES_COUNTS, primitive_modes_glb

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "gltf"
VALIDATOR = REPO / "competitions" / "pipeline" / "node" / "node_modules" / "gltf-validator"


def _shared(folder: str) -> Path:
    path = SHARED / folder
    if not path.is_dir():
        pytest.skip(f"../shared/gltf is absent: no {folder}/ to test against (the project's own scenes still are)")
    return path


def _expected_samples() -> list[Any]:
    expected = SHARED / "samples" / "expected.json"
    if not expected.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/gltf is absent: no samples to measure"))]
    return sorted(json.loads(expected.read_text()))


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _with_document(glb: bytes, edit: Any) -> bytes:
    document, binary = hostile.glb_parts(glb)
    edit(document)
    return hostile.glb_bytes(document, binary)


def _codes(messages: list[Any]) -> list[str]:
    return [m.code for m in messages]


# --- counts against the Khronos validator -------------------------------------------------------------------------


@pytest.mark.parametrize("name", _expected_samples())
def test_sample_counts_equal_the_khronos_validator(name: str) -> None:
    expected = json.loads((SHARED / "samples" / "expected.json").read_text())[name]

    stats, _ = inspect(SHARED / "samples" / name, Limits())

    keys = ("triangles", "vertices", "draw_calls", "has_textures")
    assert {k: stats[k] for k in keys} == {k: expected[k] for k in keys}


def test_validator_suite_counts_equal_every_valid_report() -> None:
    suite = _shared("validator-suite")
    mismatches, compared = [], 0
    for report_path in sorted(suite.rglob("*.report.json")):
        report = json.loads(report_path.read_text())
        info = report.get("info")
        if report["issues"]["numErrors"] or not info:
            continue
        stats, _ = inspect(report_path.with_name(report_path.name.removesuffix(".report.json")), Limits())
        theirs = [info["totalTriangleCount"], info["totalVertexCount"], info["drawCallCount"], info["hasTextures"]]
        ours = [stats["triangles"], stats["vertices"], stats["draw_calls"], stats["has_textures"]]
        compared += 1
        if ours != theirs:
            mismatches.append((report_path.name, theirs, ours))

    assert compared > 100
    assert mismatches == []


def test_validator_suite_image_sizes_equal_the_validators_header_reads() -> None:
    suite = _shared("validator-suite")
    mismatches, compared = [], 0
    for report_path in sorted(suite.rglob("*.report.json")):
        report = json.loads(report_path.read_text())
        if report["issues"]["numErrors"] or not report.get("info"):
            continue
        stats, _ = inspect(report_path.with_name(report_path.name.removesuffix(".report.json")), Limits())
        for resource in report["info"].get("resources", []):
            image = resource.get("image")
            if image and resource["pointer"].startswith("/images/"):
                index = int(resource["pointer"].split("/")[2])
                compared += 1
                if stats["image_sizes"][index] != [image["width"], image["height"]]:
                    mismatches.append((report_path.name, index, image, stats["image_sizes"][index]))

    assert compared > 10
    assert mismatches == []


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: grid_scene_glb(5000, textured=True), id="textured-grid"),
        pytest.param(lambda: grid_scene_glb(70001, vertex_colours=True), id="vertex-coloured-grid-32-bit-indices"),
        pytest.param(primitive_modes_glb, id="primitive-modes"),
    ],
)
def test_generated_scene_counts_equal_the_khronos_validator(tmp_path: Path, build: Any) -> None:
    if not VALIDATOR.is_dir() or shutil.which("node") is None:
        pytest.skip("Node.js or the gltf-validator package is not installed (make setup installs them)")
    from competitions.pipeline.validate import validator_report

    path = _write(tmp_path / "scene.glb", build())
    info = validator_report(Bundle(root=tmp_path, scene=path, kind="glb"))["info"]

    stats, _ = inspect(path, Limits())

    assert [stats["triangles"], stats["vertices"], stats["draw_calls"]] == [
        info["totalTriangleCount"],
        info["totalVertexCount"],
        info["drawCallCount"],
    ]


def test_mesh_drawn_by_two_nodes_counts_once_as_the_validator_counts(tmp_path: Path) -> None:
    path = _write(tmp_path / "modes.glb", primitive_modes_glb())

    stats, _ = inspect(path, Limits())

    assert {k: stats[k] for k in PRIMITIVE_MODES_COUNTS} == PRIMITIVE_MODES_COUNTS


@pytest.mark.parametrize(
    ("mode", "indices", "triangles"),
    [
        pytest.param(4, None, 2, id="triangles-without-indices-count-vertices-over-three"),
        pytest.param(4, 5, 1, id="triangles-with-5-indices-round-down-to-one"),
        pytest.param(5, None, 4, id="strip-counts-vertices-minus-two"),
        pytest.param(6, None, 4, id="fan-counts-vertices-minus-two"),
        pytest.param(5, 5, 3, id="indexed-strip-counts-indices-minus-two"),
        pytest.param(1, None, 0, id="lines-count-none"),
        pytest.param(0, None, 0, id="points-count-none"),
    ],
)
def test_triangles_are_counted_by_primitive_mode(
    tmp_path: Path, mode: int, indices: int | None, triangles: int
) -> None:
    # The hexagon accessor (3) has 6 vertices; accessor 4 is an index list of 5, declared as ``indices`` long.
    def one_primitive(document: dict[str, Any]) -> None:
        primitive: dict[str, Any] = {"attributes": {"POSITION": 3}, "mode": mode}
        if indices is not None:
            primitive["indices"] = 4
            document["accessors"][4]["count"] = indices
        document["meshes"] = [{"primitives": [primitive]}]
        document["nodes"] = [{"mesh": 0}]
        document["scenes"] = [{"nodes": [0]}]

    path = _write(tmp_path / "one.glb", _with_document(primitive_modes_glb(), one_primitive))

    stats, _ = inspect(path, Limits())

    assert (stats["triangles"], stats["vertices"], stats["draw_calls"]) == (triangles, 6, 1)


# --- the project's own scenes ------------------------------------------------------------------------------------


def test_grid_scene_gives_the_counts_it_was_built_with(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(1001, textured=True, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert stats["triangles"] == 1001
    assert stats["vertices"] == grid_vertex_count(1001)
    assert (stats["draw_calls"], stats["meshes"], stats["materials"], stats["nodes"]) == (1, 1, 1, 1)


def test_textured_scene_reports_each_texture_size_from_its_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, texture_size=(300, 200)))

    stats, _ = inspect(path, Limits())

    assert (stats["textures"], stats["texture_sizes"], stats["has_textures"]) == (1, [[300, 200]], True)


def test_vertex_coloured_scene_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(200, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert (stats["has_vertex_colours"], stats["has_textures"]) == (True, False)


def test_plain_box_has_neither_textures_nor_vertex_colours(tmp_path: Path) -> None:
    path = _write(tmp_path / "box.glb", box_glb())

    stats, _ = inspect(path, Limits())

    assert (stats["has_vertex_colours"], stats["has_textures"], stats["texture_sizes"]) == (False, False, [])


def test_size_is_the_scene_extent_in_metres(tmp_path: Path) -> None:
    path = _write(tmp_path / "block.glb", scene_glb([Box(centre=(0, 1, 0), size=(4, 2, 3))]))

    stats, _ = inspect(path, Limits())

    assert stats["bounds"] == {"min": [-2.0, 0.0, -1.5], "max": [2.0, 2.0, 1.5]}
    assert stats["size"] == [4.0, 2.0, 3.0]


def test_bounds_cover_every_node_that_draws_a_shared_mesh(tmp_path: Path) -> None:
    path = _write(tmp_path / "modes.glb", primitive_modes_glb())

    stats, _ = inspect(path, Limits())

    assert stats["bounds"]["min"][0] == -2.5
    assert stats["bounds"]["max"][0] == 2.5


def test_bounds_of_a_rotated_node_hug_its_vertices_not_its_rotated_box(tmp_path: Path) -> None:
    # The hexagon (corners at 0, 60, ... degrees, radius 1) turned 30 degrees about y: its corners then lie at
    # 30, 90, ... degrees, so x spans +-cos(30) = +-0.866; its turned bounding box would span +-1.299.
    def turn_shapes(document: dict[str, Any]) -> None:
        document["nodes"][2]["rotation"] = [0.0, 0.258819, 0.0, 0.965926]

    path = _write(tmp_path / "turned.glb", _with_document(primitive_modes_glb(), turn_shapes))

    stats, _ = inspect(path, Limits())

    assert stats["bounds_exact"] is True
    assert stats["bounds"]["max"][2] == pytest.approx(1.0, abs=1e-5)
    assert stats["bounds"]["min"][2] == pytest.approx(-1.0, abs=1e-5)


def test_bounds_come_from_accessor_min_max_when_the_vertices_cannot_be_loaded(tmp_path: Path) -> None:
    scene = hostile.gltf_folder(tmp_path / "bundle")
    (tmp_path / "bundle" / "scene.bin").unlink()

    stats, _ = inspect(scene, Limits())

    assert stats["bounds_exact"] is False
    assert stats["bounds"] == {"min": [-0.5, 0.0, -0.5], "max": [0.5, 1.0, 0.5]}
    assert stats["triangles"] == 12


def test_gltf_with_sibling_files_is_measured_with_them(tmp_path: Path) -> None:
    png = hostile.png_bytes(300, 200)
    scene = hostile.gltf_folder(tmp_path / "bundle", image=png)

    stats, _ = inspect(scene, Limits(), root=tmp_path / "bundle")

    assert stats["texture_sizes"] == [[300, 200]]
    assert stats["bounds_exact"] is True
    assert stats["file_size"] == sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir())


def test_image_outside_the_bundle_is_never_read(tmp_path: Path) -> None:
    _write(tmp_path / "outside.png", hostile.png_bytes(300, 200))
    scene = hostile.gltf_with_image_uri(tmp_path / "bundle", "../outside.png")

    stats, _ = inspect(scene, Limits(), root=tmp_path / "bundle")

    assert stats["image_sizes"] == [None]
    assert stats["file_size"] == sum(p.stat().st_size for p in (tmp_path / "bundle").iterdir())


@pytest.mark.parametrize("name", ["../outside.png", "%2E%2E/outside.png", "link.png", "file:///{outside}", "{outside}"])
def test_bundle_resolver_serves_nothing_from_outside_the_bundle(tmp_path: Path, name: str) -> None:
    outside = _write(tmp_path / "outside.png", hostile.png_bytes())
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "link.png").symlink_to(outside)
    resolver = BundleResolver(bundle, bundle)

    with pytest.raises(FileNotFoundError):
        resolver.get(name.format(outside=outside))


def test_bundle_resolver_finds_a_file_named_by_its_authors_absolute_path_in_the_bundle(tmp_path: Path) -> None:
    texture = _write(tmp_path / "bundle" / "wood.png", hostile.png_bytes())

    data = BundleResolver(tmp_path / "bundle", tmp_path / "bundle").get("C:\\Users\\ann\\textures\\wood.png")

    assert data == texture.read_bytes()


STATS_KEYS = {
    "triangles", "vertices", "draw_calls", "meshes", "materials", "textures", "texture_sizes", "images",
    "image_sizes", "nodes", "animations", "skins", "extensions_used", "extensions_required", "has_textures",
    "has_vertex_colours", "bounds", "bounds_exact", "size", "file_size",
}  # fmt: skip


def test_stats_are_plain_json_with_every_documented_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, vertex_colours=True))

    stats, _ = inspect(path, Limits())

    assert set(stats) == STATS_KEYS
    assert json.loads(json.dumps(stats, allow_nan=False)) == stats


def test_scene_without_geometry_has_no_bounds(tmp_path: Path) -> None:
    def empty(document: dict[str, Any]) -> None:
        document["nodes"] = [{"name": "empty"}]
        document.pop("meshes")

    path = _write(tmp_path / "empty.glb", _with_document(box_glb(), empty))

    stats, _ = inspect(path, Limits())

    assert (stats["triangles"], stats["bounds"], stats["size"]) == (0, None, None)


def test_text_that_is_not_gltf_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "scene.gltf", b"<html>not a scene</html>")

    with pytest.raises(AssetRejected) as caught:
        inspect(path, Limits())

    assert _codes(caught.value.messages) == ["FORMAT_UNREADABLE"]


# --- budgets -------------------------------------------------------------------------------------------------------


def test_scene_within_every_budget_has_no_messages(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(1000, textured=True, texture_size=(256, 256)))
    limits = Limits(max_triangles=1000, max_materials=1, max_draw_calls=1, max_texture_size=256)

    _, messages = inspect(path, limits)

    assert messages == []


def test_too_many_triangles_says_the_figures_and_to_decimate(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(1001))

    _, messages = inspect(path, Limits(max_triangles=1000))

    assert _codes(messages) == ["LIMIT_TRIANGLES"]
    assert messages[0].severity == "error"
    assert "1,001" in messages[0].message and "1,000" in messages[0].message
    assert "Decimate" in messages[0].message


def test_too_many_materials_says_the_figures_and_to_merge_materials(tmp_path: Path) -> None:
    path = _write(tmp_path / "boxes.glb", scene_glb([Box(name="a"), Box(name="b"), Box(name="c")]))

    _, messages = inspect(path, Limits(max_materials=2))

    assert _codes(messages) == ["LIMIT_MATERIALS"]
    assert "3 materials" in messages[0].message and "at most 2" in messages[0].message
    assert "Merge materials" in messages[0].message


def test_too_many_draw_calls_says_the_figures_and_to_join_meshes(tmp_path: Path) -> None:
    path = _write(tmp_path / "boxes.glb", scene_glb([Box(name="a"), Box(name="b"), Box(name="c")]))

    _, messages = inspect(path, Limits(max_draw_calls=2))

    assert _codes(messages) == ["LIMIT_DRAW_CALLS"]
    assert "3 draw calls" in messages[0].message and "at most 2" in messages[0].message
    assert "Join meshes" in messages[0].message


def test_texture_over_the_size_limit_names_the_image_and_says_to_resize(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.glb", grid_scene_glb(200, textured=True, texture_size=(300, 200)))

    _, messages = inspect(path, Limits(max_texture_size=256))

    assert _codes(messages) == ["LIMIT_TEXTURE_SIZE"]
    assert messages[0].pointer == "/images/0"
    assert "300x200" in messages[0].message and "256" in messages[0].message and "Resize" in messages[0].message


# --- image headers -------------------------------------------------------------------------------------------------


def _pillow(format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if format == "WEBP" else "RGB", (300, 200), (200, 100, 50)).save(out, format, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: hostile.png_bytes(300, 200), id="png"),
        pytest.param(lambda: _pillow("JPEG"), id="jpeg"),
        pytest.param(lambda: _pillow("JPEG", progressive=True, exif=b"Exif\0\0" + b"\0" * 60000), id="jpeg-exif"),
        pytest.param(lambda: _pillow("WEBP", lossless=True), id="webp-lossless"),
        pytest.param(lambda: _pillow("WEBP", quality=80), id="webp-lossy"),
        pytest.param(lambda: b"\xabKTX 20\xbb\r\n\x1a\n" + struct.pack("<IIII", 0, 1, 300, 200) + bytes(64), id="ktx2"),
        pytest.param(lambda: _pillow("BMP"), id="bmp-by-pillow"),
    ],
)
def test_image_size_reads_the_header(data: Any) -> None:
    assert image_size(io.BytesIO(data())) == (300, 200)


def test_image_size_reads_only_within_its_window() -> None:
    png = hostile.png_bytes(300, 200)
    f = io.BytesIO(b"x" * 100 + png + b"y" * 100)

    assert image_size(f, 100, len(png)) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<html><body>not an image</body></html>", id="html"),
        pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIH", id="truncated-png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="truncated-jpeg"),
        pytest.param(b"", id="empty"),
    ],
)
def test_image_size_of_a_non_image_is_unknown(data: bytes) -> None:
    assert image_size(io.BytesIO(data)) is None
