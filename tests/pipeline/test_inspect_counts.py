"""Inspect counts triangles, vertices and draw calls exactly as the Khronos validator counts them: on the shared
samples, on every valid file of the validator's own suite, and on scenes generated here."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from competitions.pipeline.inspect import inspect
from competitions.pipeline.limits import Limits
from competitions.pipeline.samples import grid_scene_glb
from competitions.pipeline.unpack import Bundle
from tests.pipeline.inspection import with_document, write
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

    path = write(tmp_path / "scene.glb", build())
    info = validator_report(Bundle(root=tmp_path, scene=path, kind="glb"))["info"]

    stats, _ = inspect(path, Limits())

    assert [stats["triangles"], stats["vertices"], stats["draw_calls"]] == [
        info["totalTriangleCount"],
        info["totalVertexCount"],
        info["drawCallCount"],
    ]


def test_mesh_drawn_by_two_nodes_counts_once_as_the_validator_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "modes.glb", primitive_modes_glb())

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

    path = write(tmp_path / "one.glb", with_document(primitive_modes_glb(), one_primitive))

    stats, _ = inspect(path, Limits())

    assert (stats["triangles"], stats["vertices"], stats["draw_calls"]) == (triangles, 6, 1)
