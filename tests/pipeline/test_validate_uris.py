"""Stage 2, validate: nothing outside the bundle is read and nothing is fetched, whatever a URI of a glTF or an
OBJ's material library says; a missing file says so."""

import json
import socket
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from competitions.pipeline.report import ERROR, WARNING
from competitions.pipeline.unpack import Bundle, unpack
from competitions.pipeline.validate import validate, validate_with_report
from tests.pipeline import hostile
from tests.pipeline.validation import LIMITS, NEEDS_VALIDATOR, errors, glb_bundle

pytestmark = NEEDS_VALIDATOR


# --- URIs: nothing outside the bundle is read, nothing is fetched -----------------------------------------------------


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every path this Python process opens inside the block, seen through an audit hook."""
    opened: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
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


# --- an OBJ's material libraries and textures -------------------------------------------------------------------------


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
