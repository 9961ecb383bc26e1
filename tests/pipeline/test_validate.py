"""Stage 2, validate: our own checks stop hostile files before anything large is read, decoded or allocated, and the
Khronos validator reads nothing outside the bundle and never the network."""

import json
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from competitions.pipeline.khronos import NODE_DIR, NodeValidator, ValidatorFailed, ValidatorServer, node_binary
from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import ERROR, WARNING, Message, has_errors
from competitions.pipeline.samples import box_glb
from competitions.pipeline.unpack import Bundle, unpack
from competitions.pipeline.validate import validate, validate_with_report
from tests.pipeline import hostile

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits()

pytestmark = pytest.mark.skipif(
    shutil.which(node_binary()) is None or not (NODE_DIR / "node_modules" / "gltf-validator").is_dir(),
    reason="Node.js and the gltf-validator package are needed: run `npm ci` in competitions/pipeline/node",
)


class MustNotRun:
    """A validator that fails the test if the stage starts it."""

    def start(self, scene: Path, root: Path) -> None:
        raise AssertionError("the validator must not run on this file")


def errors(messages: list[Message]) -> set[str]:
    return {m.code for m in messages if m.severity == ERROR}


def glb_bundle(folder: Path, build) -> Bundle:  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    return Bundle(root=folder, scene=build(folder / "scene.glb"), kind="glb")


def run_isolated(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (so its peak memory is its own) and return the JSON it prints last."""
    prelude = """
        import json, resource
        from pathlib import Path
        from competitions.pipeline.limits import Limits
        from competitions.pipeline.unpack import Bundle
        from competitions.pipeline.validate import validate

        def peak_mb():
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """
    script = textwrap.dedent(prelude) + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- valid files ----------------------------------------------------------------------------------------------------


def test_valid_box_glb_has_no_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    assert not has_errors(validate(bundle, LIMITS))


def test_valid_zipped_gltf_has_no_errors(tmp_path):
    bundle = unpack(hostile.gltf_zip(tmp_path / "entry.zip"), tmp_path / "work", LIMITS)

    assert not has_errors(validate(bundle, LIMITS))


def test_valid_textured_glb_has_no_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.png_bytes(64, 64)))

    assert not has_errors(validate(bundle, LIMITS))


def test_report_comes_back_with_the_validators_counts(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    _messages, report = validate_with_report(bundle, LIMITS)

    assert report is not None
    assert report["info"]["totalTriangleCount"] == 12


# --- budgets checked before anything is allocated -------------------------------------------------------------------


def test_accessor_count_of_two_billion_is_refused_before_the_validator_runs(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.huge_accessor_glb)

    messages = validate(bundle, LIMITS, validator=MustNotRun())

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("BUDGET_ACCESSOR_MEMORY", "/accessors/0/count")
    assert "2,000,000,000" in message.message


def test_accessor_count_of_two_billion_needs_no_memory(tmp_path):
    scene = hostile.huge_accessor_glb(tmp_path / "scene.glb")

    result = run_isolated(f"""
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "glb"), Limits())
        print(json.dumps({{"codes": [m.code for m in messages], "growth": peak_mb() - before}}))
    """)

    assert "BUDGET_ACCESSOR_MEMORY" in result["codes"]
    assert result["growth"] < 30


def test_150_mb_data_uri_is_refused_without_decoding_or_parsing_it(tmp_path):
    # Given a .gltf holding a 150 MB data URI, built on disk in a stream
    scene = hostile.data_uri_gltf(tmp_path / "scene.gltf", uri_bytes=150 * MB)

    # When it is validated in a fresh process in which decoding base64 or parsing JSON fails loudly
    result = run_isolated(f"""
        import base64, binascii, json as json_module
        def refuse(*args, **kwargs):
            raise AssertionError("decoded or parsed")
        base64.b64decode = base64.standard_b64decode = binascii.a2b_base64 = json_module.loads = refuse
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "gltf"), Limits())
        print(json.dumps({{"codes": [m.code for m in messages], "growth": peak_mb() - before}}))
    """)

    # Then both budgets fire, and the process never held the file in memory
    assert set(result["codes"]) == {"JSON_TOO_LARGE", "DATA_URI_TOO_LARGE"}
    assert result["growth"] < 30


def test_data_uri_over_its_budget_is_refused_even_when_the_json_is_small_enough(tmp_path):
    scene = hostile.data_uri_gltf(tmp_path / "scene.gltf", uri_bytes=2 * MB)

    messages = validate(Bundle(tmp_path, scene, "gltf"), Limits(max_data_uri_bytes=1 * MB), validator=MustNotRun())

    assert errors(messages) == {"DATA_URI_TOO_LARGE"}


def test_json_too_large_in_a_glb_is_refused_from_the_chunk_header(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    messages = validate(bundle, Limits(max_json_bytes=64), validator=MustNotRun())

    assert errors(messages) == {"JSON_TOO_LARGE"}


def test_deeply_nested_json_is_refused(tmp_path):
    scene = tmp_path / "scene.gltf"
    scene.write_text("[" * 200_000 + "]" * 200_000)

    messages = validate(Bundle(tmp_path, scene, "gltf"), LIMITS, validator=MustNotRun())

    assert errors(messages) == {"JSON_TOO_DEEP"}


# --- textures -----------------------------------------------------------------------------------------------------


def test_20000_pixel_texture_is_a_decompression_bomb_read_from_its_header(tmp_path):
    # Given a GLB whose 400 KB PNG texture is 20000 x 20000 pixels
    scene = hostile.textured_glb(tmp_path / "scene.glb", hostile.huge_png(20000, 20000))
    assert scene.stat().st_size < 1 * MB

    # When it is validated in a fresh process
    result = run_isolated(f"""
        before = peak_mb()
        messages = validate(Bundle(Path({str(tmp_path)!r}), Path({str(scene)!r}), "glb"), Limits())
        print(json.dumps({{"errors": [[m.code, m.message] for m in messages if m.severity == "error"],
                          "growth": peak_mb() - before}}))
    """)

    # Then it is refused with its size, and its 400 MB of pixels were never decoded
    [[code, message]] = result["errors"]
    assert code == "TEXTURE_DECOMPRESSION_BOMB"
    assert "20000x20000" in message
    assert result["growth"] < 30


def test_texture_larger_than_the_competition_allows_is_refused(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.png_bytes(64, 32)))

    messages = validate(bundle, Limits(max_texture_size=32))

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("LIMIT_TEXTURE_SIZE", "/images/0")
    assert "64x32" in message.message


def test_texture_that_is_an_html_page_is_not_an_image(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.textured_glb(p, hostile.HTML_PAGE))

    messages = validate(bundle, LIMITS)

    [ours] = [m for m in messages if m.code == "TEXTURE_NOT_AN_IMAGE"]
    assert ours.severity == ERROR
    assert "HTML" in ours.message


def test_texture_file_that_is_an_html_page_is_not_an_image(tmp_path):
    scene = hostile.gltf_folder(tmp_path, image=hostile.HTML_PAGE)

    assert "TEXTURE_NOT_AN_IMAGE" in errors(validate(Bundle(tmp_path, scene, "gltf"), LIMITS))


# --- geometry and the container -----------------------------------------------------------------------------------


def test_nan_and_infinite_positions_are_errors(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.nan_positions_glb)

    messages = validate(bundle, LIMITS)

    [ours] = [m for m in messages if m.code == "FORMAT_NON_FINITE_POSITIONS"]
    assert (ours.severity, ours.pointer) == (ERROR, "/accessors/0")
    assert "Vertex 1 " in ours.message
    assert "ACCESSOR_INVALID_FLOAT" in errors(messages)


def test_truncated_glb_is_an_error(tmp_path):
    bundle = glb_bundle(tmp_path, hostile.truncated_glb)

    assert {code for code in errors(validate(bundle, LIMITS)) if code.startswith("GLB_")}


# --- URIs: nothing outside the bundle is read, nothing is fetched -----------------------------------------------------


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every path this Python process opens inside the block, seen through an audit hook."""
    opened: list[str] = []
    active = [True]

    def hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
        if active[0] and event == "open" and isinstance(args[0], str | bytes | Path):
            opened.append(str(args[0]))

    sys.addaudithook(hook)
    try:
        yield opened
    finally:
        active[0] = False  # audit hooks cannot be removed; this one falls silent


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        ("../secret.bin", "URI_ESCAPES_BUNDLE"),
        ("%2E%2E/secret.bin", "URI_ESCAPES_BUNDLE"),
        ("sub/..%2F..%2Fsecret.bin", "URI_ESCAPES_BUNDLE"),
        ("{workdir}/secret.bin", "URI_ABSOLUTE"),
        ("file://{workdir}/secret.bin", "URI_EXTERNAL"),
    ],
)
def test_uri_to_a_file_outside_the_bundle_is_refused_and_never_read(tmp_path, uri, code):
    # Given a sentinel beside the bundle that would be a perfectly good buffer
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "secret.bin").write_bytes(hostile.SENTINEL.ljust(288, b"."))
    uri = uri.format(workdir=workdir)
    upload = hostile.glb_with_buffer_uri(tmp_path / "upload.glb", uri)
    bundle = unpack(upload, workdir, LIMITS)

    # When the bundle is validated
    with files_opened() as opened:
        messages, report = validate_with_report(bundle, LIMITS)

    # Then our check names the problem, the validator could not load it, and no one read the sentinel
    assert code in errors(messages)
    assert report is not None
    [refused] = [m for m in report["issues"]["messages"] if m["code"] == "IO_ERROR"]
    assert refused["pointer"] == "/buffers/1/uri"
    assert "Refused to load" in refused["message"]
    assert not any(Path(p).name == "secret.bin" for p in opened)
    everything = json.dumps(report) + json.dumps([m.to_dict() for m in messages])
    assert "METASCENE-SENTINEL" not in everything


def test_symlink_inside_the_bundle_pointing_out_is_refused(tmp_path):
    # Given a loose bundle whose buffer file is a symlink to a sentinel outside it
    (tmp_path / "secret.bin").write_bytes(hostile.SENTINEL.ljust(648, b"."))
    root = tmp_path / "bundle"
    scene = hostile.gltf_folder(root, buffer_uri="linked.bin")
    (root / "linked.bin").symlink_to(tmp_path / "secret.bin")

    messages, report = validate_with_report(Bundle(root, scene, "gltf"), LIMITS)

    assert "URI_ESCAPES_BUNDLE" in errors(messages)
    assert report is not None
    assert any("outside the uploaded bundle" in m["message"] for m in report["issues"]["messages"])
    assert "METASCENE-SENTINEL" not in json.dumps(report)


def test_http_uri_is_refused_and_no_connection_is_made(tmp_path):
    # Given a listener on a local port, and a scene whose buffer and texture point at it
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        bundle = glb_bundle(tmp_path / "glb", lambda p: hostile.glb_with_buffer_uri(p, f"{url}/normals.bin"))
        scene = hostile.gltf_with_image_uri(tmp_path / "gltf", f"{url}/texture.png")

        # When both are validated
        glb_messages = validate(bundle, LIMITS)
        gltf_messages = validate(Bundle(tmp_path / "gltf", scene, "gltf"), LIMITS)
        time.sleep(0.2)

        # Then both are refused and the listener never saw a connection
        assert "URI_EXTERNAL" in errors(glb_messages)
        assert "URI_EXTERNAL" in errors(gltf_messages)
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_missing_file_says_so_and_hints_at_the_case(tmp_path):
    scene = hostile.gltf_folder(tmp_path, buffer_uri="Scene.BIN")

    [message] = [m for m in validate(Bundle(tmp_path, scene, "gltf"), LIMITS) if m.severity == ERROR]

    assert (message.code, message.pointer) == ("URI_MISSING", "/buffers/0/uri")
    assert "'scene.bin'" in message.message


# --- extensions and policy ----------------------------------------------------------------------------------------


def unlit_glb(path: Path) -> Path:
    document, binary = hostile.glb_parts(box_glb())
    document["extensionsUsed"] = ["KHR_materials_unlit"]
    document["materials"][0]["extensions"] = {"KHR_materials_unlit": {}}
    path.write_bytes(hostile.glb_bytes(document, binary))
    return path


def test_extension_outside_the_allowed_list_is_refused(tmp_path):
    bundle = glb_bundle(tmp_path, unlit_glb)

    messages = validate(bundle, Limits(allowed_extensions=("KHR_texture_transform",)))

    [message] = [m for m in messages if m.severity == ERROR]
    assert (message.code, message.pointer) == ("LIMIT_EXTENSION_NOT_ALLOWED", "/extensionsUsed/0")


def test_allowed_extension_passes(tmp_path):
    bundle = glb_bundle(tmp_path, unlit_glb)

    assert not has_errors(validate(bundle, Limits(allowed_extensions=("KHR_materials_unlit",))))


def wrong_bounds_glb(path: Path) -> Path:
    document, binary = hostile.glb_parts(box_glb())
    document["accessors"][0]["max"] = [9.0, 9.0, 9.0]
    path.write_bytes(hostile.glb_bytes(document, binary))
    return path


def test_lenient_policy_turns_validator_errors_into_warnings(tmp_path):
    bundle = glb_bundle(tmp_path, wrong_bounds_glb)

    strict = validate(bundle, Limits(policy="strict"))
    lenient = validate(bundle, Limits(policy="lenient"))

    assert "ACCESSOR_MAX_MISMATCH" in errors(strict)
    assert not has_errors(lenient)
    assert any(m.code == "ACCESSOR_MAX_MISMATCH" and m.severity == WARNING for m in lenient)


def test_lenient_policy_keeps_our_safety_errors(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: hostile.glb_with_buffer_uri(p, "../secret.bin"))

    assert "URI_ESCAPES_BUNDLE" in errors(validate(bundle, Limits(policy="lenient")))


# --- the validator process ------------------------------------------------------------------------------------------


def test_validator_that_does_not_finish_in_time_fails_the_stage(tmp_path):
    bundle = glb_bundle(tmp_path, lambda p: p.write_bytes(box_glb()) and p)

    with pytest.raises(ValidatorFailed):
        validate(bundle, LIMITS, validator=NodeValidator(timeout=0.001))


def test_long_lived_validator_gives_the_same_messages(tmp_path):
    bundle = glb_bundle(tmp_path, wrong_bounds_glb)

    with ValidatorServer(tmp_path) as server:
        served = [validate(bundle, LIMITS, validator=server) for _ in range(2)]

    assert served[0] == served[1] == validate(bundle, LIMITS)


# --- OBJ and PLY --------------------------------------------------------------------------------------------------


def test_obj_material_library_outside_the_bundle_is_refused(tmp_path):
    (tmp_path / "secret.mtl").write_text("newmtl stolen\n")
    upload = tmp_path / "entry.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("model.obj", "mtllib ../secret.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    bundle = unpack(upload, tmp_path / "work", LIMITS)

    assert errors(validate(bundle, LIMITS)) == {"URI_ESCAPES_BUNDLE"}


def test_obj_missing_texture_is_a_warning(tmp_path):
    upload = tmp_path / "entry.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("model.obj", "mtllib model.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
        archive.writestr("model.mtl", "newmtl paint\nmap_Kd -s 1 1 1 textures/paint.png\n")
    bundle = unpack(upload, tmp_path / "work", LIMITS)

    [message] = validate(bundle, LIMITS)

    assert (message.severity, message.code) == (WARNING, "URI_MISSING")


def test_ply_header_declaring_billions_of_vertices_is_refused(tmp_path):
    scene = tmp_path / "scene.ply"
    scene.write_bytes(
        b"ply\nformat binary_little_endian 1.0\nelement vertex 2000000000\nproperty float x\nend_header\n"
    )

    assert errors(validate(Bundle(tmp_path, scene, "ply"), LIMITS)) == {"BUDGET_ACCESSOR_MEMORY"}
