"""The package stage: the viewer copy judges load (compressed, textures capped) and the blind copy (anonymous)."""

import io
import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image, PngImagePlugin

from competitions.pipeline import package, samples
from competitions.pipeline.blind import package_blind, strip_image_metadata
from competitions.pipeline.gltf_io import glb_bytes, parse_glb
from tests.pipeline import hostile, scenes

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = REPO / "competitions" / "pipeline" / "node" / "validate.mjs"
TEAM = ["Team Rocket", "alice"]


def khronos_report(path: Path) -> dict:
    if shutil.which("node") is None or not VALIDATOR.is_file():
        pytest.skip("Node.js or competitions/pipeline/node/validate.mjs is missing: cannot run the Khronos validator")
    result = subprocess.run(
        ["node", str(VALIDATOR), str(path), str(path.parent)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def needs_gltfpack() -> None:
    if shutil.which("node") is None or not package.GLTFPACK.is_file():
        pytest.skip("Node.js or gltfpack is missing (run make pipeline-node): the viewer copy cannot be compressed")


def image_bytes(glb: Path, index: int) -> bytes:
    document, binary = hostile.glb_parts(glb.read_bytes())
    view = document["bufferViews"][document["images"][index]["bufferView"]]
    start = view.get("byteOffset", 0)
    return binary[start : start + view["byteLength"]]


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def signed_exif() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Alice Artist"  # Artist
    exif[0x8298] = "Copyright Team Rocket"  # Copyright
    return exif.tobytes()


def xmp_segment(text: str) -> bytes:
    payload = b"http://ns.adobe.com/xap/1.0/\0" + text.encode()
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def signed_png() -> bytes:
    """A 32x32 PNG carrying the team's name in tEXt, iTXt and EXIF."""
    image = Image.fromarray((np.indices((32, 32)).sum(axis=0) * 4 % 256).astype(np.uint8)).convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Team Rocket")
    info.add_itxt("Description", "painted by alice", lang="en")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=signed_exif())
    return out.getvalue()


def signed_jpeg(*, progressive: bool = False) -> bytes:
    """A 48x32 JPEG carrying the team's name in EXIF, XMP and a comment."""
    across, down = np.meshgrid(np.linspace(0, 255, 48), np.linspace(0, 255, 32))
    gradient = np.stack([across, down, np.full((32, 48), 90.0)], axis=-1)
    out = io.BytesIO()
    Image.fromarray(gradient.astype(np.uint8)).save(
        out, "JPEG", exif=signed_exif(), comment=b"made by Team Rocket", progressive=progressive, quality=90
    )
    data = out.getvalue()
    return data[:2] + xmp_segment("<x:xmpmeta><dc:creator>alice</dc:creator></x:xmpmeta>") + data[2:]


def signed_scene() -> bytes:
    """A textured cube whose file names the team everywhere it can: asset, names, extras, XMP, texture metadata,
    and bytes in the buffer that no view points at."""
    document, binary = hostile.glb_parts(scenes.textured_box_glb(signed_png()))
    jpeg = signed_jpeg()
    binary += b"\0" * (-len(binary) % 4)
    document["bufferViews"].append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(jpeg)})
    binary += jpeg + b"\0" * (-len(jpeg) % 4) + b"unreferenced: Team Rocket was here"
    document["buffers"][0]["byteLength"] = len(binary)
    document["images"].append({"name": "alice-glow", "bufferView": len(document["bufferViews"]) - 1})
    document["images"][-1]["mimeType"] = "image/jpeg"
    document["textures"].append({"name": "TEAM ROCKET glow", "source": 1, "sampler": 0})
    material = document["materials"][0]
    material.update({"name": "Alice paint", "emissiveTexture": {"index": 1}, "emissiveFactor": [0.2, 0.2, 0.2]})
    material["extras"] = {"painter": "alice"}
    document["images"][0]["name"] = "team rocket logo"
    document["nodes"][0].update({"name": "Team Rocket hero", "extras": {"team": "Team Rocket"}})
    document["scenes"][0]["extras"] = {"notes": "by alice"}
    document["asset"].update(
        {"copyright": "(c) Team Rocket", "generator": "alice's exporter", "extras": {"studio": "Team Rocket"}}
    )
    document["asset"]["extensions"] = {"KHR_xmp_json_ld": {"packet": 0}}
    document["extensions"] = {"KHR_xmp_json_ld": {"packets": [{"dc:creator": {"@list": ["alice"]}}]}}
    document["extensionsUsed"] = ["KHR_xmp_json_ld"]
    return glb_bytes(document, binary)


@pytest.fixture(scope="module")
def blind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("blind")
    source = folder / "signed.glb"
    source.write_bytes(signed_scene())
    return package_blind(source, folder / "blind.glb", identifying=TEAM)


def blind_document(path: Path) -> dict:
    return parse_glb(path.read_bytes())[0]


# --- Blind copy ---------------------------------------------------------------------------------------------


def test_blind_copy_has_no_copyright_or_generator(blind: Path) -> None:
    assert blind_document(blind)["asset"] == {"version": "2.0"}


def test_blind_copy_has_no_extras_anywhere(blind: Path) -> None:
    assert '"extras"' not in json.dumps(blind_document(blind))


def test_blind_copy_drops_xmp_metadata(blind: Path) -> None:
    document = blind_document(blind)
    assert "KHR_xmp_json_ld" not in json.dumps(document)
    assert "extensionsUsed" not in document


def test_blind_copy_names_neither_team_nor_members_anywhere_in_the_file(blind: Path) -> None:
    # Not in the JSON, not in texture metadata, not in bytes left over in the buffer.
    data = blind.read_bytes().lower()
    assert [term for term in TEAM if term.lower().encode() in data] == []


def test_blind_copy_gives_identifying_objects_neutral_names(blind: Path) -> None:
    document = blind_document(blind)
    assert document["nodes"][0]["name"] == "node-0"
    assert document["materials"][0]["name"] == "material-0"
    assert [image["name"] for image in document["images"]] == ["image-0", "image-1"]
    assert document["textures"][1]["name"] == "texture-1"


def test_blind_copy_gives_every_named_object_a_neutral_name(blind: Path) -> None:
    document = blind_document(blind)
    names = [item["name"] for key in ("meshes", "nodes", "materials") for item in document[key] if "name" in item]
    assert document["meshes"][0]["name"] == "mesh-0"
    assert all(name.split("-")[0] in {"mesh", "node", "material"} for name in names)


def test_blind_copy_neutralises_names_that_match_no_team_word(tmp_path: Path) -> None:
    # Given a scene whose names give the author away without matching the team's or members' names
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    document["nodes"][0]["name"] = "Zhang's studio lobby"
    document["scenes"][0]["name"] = "Zhang's studio lobby"
    document["animations"] = [{"name": "Zhang walkthrough", "channels": [], "samplers": []}]
    source = tmp_path / "lobby.glb"
    source.write_bytes(glb_bytes(document, binary))
    # When the blind copy is made for a team whose words are elsewhere
    out = package_blind(source, tmp_path / "blind.glb", identifying=TEAM)
    # Then every name is neutral
    result = blind_document(out)
    assert b"zhang" not in out.read_bytes().lower()
    assert (result["nodes"][0]["name"], result["scenes"][0]["name"]) == ("node-0", "scene-0")
    assert result["animations"][0]["name"] == "animation-0"


def test_blind_copy_keeps_no_image_uri_even_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    del image["bufferView"]
    image.update(uri="https://zhang-studio.example/logo.png", mimeType="image/png")
    source = tmp_path / "linked.glb"
    source.write_bytes(glb_bytes(document, binary))

    out = package_blind(source, tmp_path / "blind.glb")

    result = blind_document(out)
    assert "uri" not in json.dumps(result)
    assert result["images"][0]["mimeType"] == "image/png"
    assert pixels(image_bytes(out, 0)).shape[:2] == (1, 1)


def test_blind_copy_textures_keep_their_exact_pixels(blind: Path) -> None:
    assert np.array_equal(pixels(image_bytes(blind, 0)), pixels(signed_png()))
    assert np.array_equal(pixels(image_bytes(blind, 1)), pixels(signed_jpeg()))


def test_blind_copy_textures_carry_no_exif_xmp_or_text(blind: Path) -> None:
    for index in (0, 1):
        with Image.open(io.BytesIO(image_bytes(blind, index))) as image:
            assert len(image.getexif()) == 0
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Author", "Description"} & set(image.info)


def test_blind_copy_is_valid_gltf(blind: Path) -> None:
    assert khronos_report(blind)["issues"]["numErrors"] == 0


def test_blind_copy_drops_bytes_hidden_between_buffer_views(tmp_path: Path) -> None:
    document, binary = parse_glb(samples.box_glb())
    assert binary is not None
    hidden = b"signed by Team Rocket"
    document["buffers"][0]["byteLength"] = len(binary) + len(hidden)
    source = tmp_path / "hidden.glb"
    source.write_bytes(glb_bytes(document, binary + hidden))

    out = package_blind(source, tmp_path / "blind.glb", identifying=TEAM)

    assert b"Team Rocket" in source.read_bytes()
    assert b"Team Rocket" not in out.read_bytes()


def test_blind_copy_of_a_clean_file_keeps_its_buffer_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "box.glb"
    source.write_bytes(samples.box_glb())

    out = package_blind(source, tmp_path / "blind.glb", identifying=TEAM)

    assert parse_glb(out.read_bytes())[1] == parse_glb(source.read_bytes())[1]


def test_blind_copy_of_a_gltf_bundle_is_one_glb_with_everything_embedded(tmp_path: Path) -> None:
    # Given a .gltf with its buffer and a metadata-laden texture as files beside it
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    del image["bufferView"], image["mimeType"]
    image["uri"] = "art%20work.png"
    (tmp_path / "art work.png").write_bytes(signed_png())
    (tmp_path / "scene.bin").write_bytes(binary)
    document["buffers"][0]["uri"] = "scene.bin"
    (tmp_path / "scene.gltf").write_text(json.dumps(document))
    # When the blind copy is made
    out = package_blind(tmp_path / "scene.gltf", tmp_path / "out" / "blind.glb", identifying=TEAM)
    # Then it is a GLB with the texture inside, stripped
    result = blind_document(out)
    assert "uri" not in json.dumps(result)
    assert np.array_equal(pixels(image_bytes(out, 0)), pixels(signed_png()))
    assert b"Team Rocket" not in out.read_bytes()


def test_stripping_a_progressive_jpeg_keeps_its_pixels(tmp_path: Path) -> None:
    source = signed_jpeg(progressive=True)
    stripped = strip_image_metadata(source)
    assert b"alice" not in stripped and b"Rocket" not in stripped
    assert np.array_equal(pixels(stripped), pixels(source))


def test_stripping_a_webp_drops_exif_and_xmp_and_keeps_its_pixels() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (10, 200, 30, 255)).save(
        out, "WEBP", lossless=True, exif=signed_exif(), xmp=b"<x:xmpmeta>alice</x:xmpmeta>"
    )
    stripped = strip_image_metadata(out.getvalue())
    assert b"alice" not in stripped.lower() and b"rocket" not in stripped.lower()
    assert np.array_equal(pixels(stripped), pixels(out.getvalue()))


# --- Viewer copy --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.glb"
    path.write_bytes(samples.grid_scene_glb(200_000, textured=True, vertex_colours=True))
    return path


@pytest.fixture(scope="module")
def viewer(large_scene: Path) -> Path:
    return package.package_viewer(large_scene, large_scene.parent / "viewer.glb")


def test_viewer_copy_of_a_large_scene_is_much_smaller(large_scene: Path, viewer: Path) -> None:
    needs_gltfpack()
    assert viewer.stat().st_size < large_scene.stat().st_size / 3


def test_viewer_copy_is_meshopt_compressed(viewer: Path) -> None:
    needs_gltfpack()
    assert "EXT_meshopt_compression" in blind_document(viewer)["extensionsRequired"]


def test_viewer_copy_is_valid_gltf_with_all_its_triangles(viewer: Path) -> None:
    report = khronos_report(viewer)
    assert report["issues"]["numErrors"] == 0
    assert report["info"]["totalTriangleCount"] == 200_000


def test_viewer_copy_scales_textures_down_to_the_cap(tmp_path: Path) -> None:
    # Given a cube with a 1024x1024 texture
    source = tmp_path / "big-texture.glb"
    source.write_bytes(scenes.textured_box_glb(samples.checkerboard_png(1024, 1024)))
    messages: list = []
    # When the viewer copy is made with a 256-pixel cap
    out = package.package_viewer(source, tmp_path / "viewer.glb", texture_cap=256, messages=messages)
    # Then its texture is 256x256, still a PNG, and the entrant is told
    with Image.open(io.BytesIO(image_bytes(out, 0))) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
    assert [m.code for m in messages] == ["TEXTURE_RESIZED_FOR_VIEWER"]
    assert messages[0].severity == "info" and messages[0].pointer == "/images/0"


def test_viewer_copy_leaves_textures_under_the_cap_untouched(tmp_path: Path) -> None:
    source = tmp_path / "small-texture.glb"
    source.write_bytes(scenes.textured_box_glb())
    out = package.package_viewer(source, tmp_path / "viewer.glb", texture_cap=256)
    assert image_bytes(out, 0) == samples.checkerboard_png(64, 64, 4)


def test_viewer_copy_falls_back_to_the_uncompressed_scene_when_gltfpack_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given gltfpack is missing from this machine
    monkeypatch.setattr(package, "GLTFPACK", tmp_path / "missing" / "cli.js")
    source = tmp_path / "scene.glb"
    source.write_bytes(scenes.textured_box_glb())
    messages: list = []
    # When the viewer copy is made
    out = package.package_viewer(source, tmp_path / "viewer.glb", messages=messages)
    # Then the scene is written uncompressed, still loadable, with a warning saying why
    assert [(m.severity, m.code) for m in messages] == [("warning", "FORMAT_VIEWER_UNCOMPRESSED")]
    assert "gltfpack is not installed" in messages[0].message
    assert "extensionsUsed" not in blind_document(out)
    assert len(trimesh.load_scene(out).geometry) == 1


def test_viewer_copy_of_a_gltf_bundle_embeds_its_files(tmp_path: Path) -> None:
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    (tmp_path / "scene.bin").write_bytes(binary)
    document["buffers"][0]["uri"] = "scene.bin"
    (tmp_path / "scene.gltf").write_text(json.dumps(document))
    out = package.package_viewer(tmp_path / "scene.gltf", tmp_path / "viewer.glb")
    assert out.read_bytes()[:4] == b"glTF"
    assert khronos_report(out)["issues"]["numErrors"] == 0


def test_blind_copy_never_embeds_a_file_from_outside_the_bundle(tmp_path: Path) -> None:
    # Given a .gltf whose texture URI climbs out of its bundle to a file holding a secret
    (tmp_path / "secret.png").write_bytes(signed_png() + b"top secret")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    document, binary = hostile.glb_parts(scenes.textured_box_glb())
    image = document["images"][0]
    del image["bufferView"], image["mimeType"]
    image["uri"] = "../secret.png"
    (bundle / "scene.bin").write_bytes(binary)
    document["buffers"][0]["uri"] = "scene.bin"
    (bundle / "scene.gltf").write_text(json.dumps(document))
    # When the blind copy is made
    out = package_blind(bundle / "scene.gltf", tmp_path / "blind.glb", identifying=TEAM)
    # Then the secret file's bytes are not in it
    assert b"top secret" not in out.read_bytes()
