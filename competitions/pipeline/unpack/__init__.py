"""Stage 1, unpack: recognise an upload by its content and lay it out as a bundle folder the later stages read.

``unpack(upload, workdir, limits)`` accepts a .glb, a self-contained .gltf (every buffer and image a data URI), a
.zip holding one .gltf (with its buffers and textures), one .glb or one .obj (with its .mtl and textures), an .stl or
a .ply. A bare .gltf that refers to other files is refused with the list of files to zip with it. A zip is checked
from its central directory before a single byte is extracted (entry count, declared sizes, compression ratios,
unsafe paths, symlinks, nested archives, duplicate names, exactly one scene) and then extracted with a running byte
counter, so a header that lies about sizes cannot get past (both in ``archive``). Every fault of the file raises
``AssetRejected`` with the messages.

The bundle always lives in ``workdir / "bundle"`` and holds only the upload's own files: a single file is linked
(or copied) there, never used in place, so a URI in it cannot reach the uploads stored beside it.
"""

import errno
import json
import os
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import AssetRejected, Message, error, gettext_noop, size_text

from .archive import check_entries, declared_entries, entry_parts, extract, too_many_entries

# Errors that a file name in the archive causes (clashing or unstorable names), as opposed to a full disk.
_NAME_ERRNOS = {errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL}


@dataclass(frozen=True)
class Bundle:
    root: Path  # folder holding the extracted bundle (or the single file's folder)
    scene: Path  # the .glb / .gltf / .obj / .stl / .ply file inside root
    kind: str  # "glb" | "gltf" | "obj" | "stl" | "ply"


def unpack(upload: Path, workdir: Path, limits: Limits) -> Bundle:
    """Lay ``upload`` out as a bundle under ``workdir / "bundle"`` (replaced on a rerun) or raise AssetRejected."""
    size = upload.stat().st_size
    if size > limits.max_upload_bytes:
        raise AssetRejected(
            [
                error(
                    "UPLOAD_TOO_LARGE",
                    gettext_noop("The file is %(size)s; this competition accepts files up to %(limit)s."),
                    size=size_text(size),
                    limit=size_text(limits.max_upload_bytes),
                )
            ]
        )
    if size == 0:
        raise AssetRejected(
            [error("UPLOAD_EMPTY", gettext_noop("The file is empty. Upload the exported scene again."))]
        )
    with open(upload, "rb") as f:
        head = f.read(512)
    suffix = upload.suffix.lower()
    root = workdir / "bundle"
    if root.exists():
        shutil.rmtree(root)
    if head[:4] == b"glTF":
        return _single(upload, root, "glb", limits)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _unzip(upload, root, limits)
    if head[:4] == b"ply\n" or head[:5] == b"ply\r\n":
        return _single(upload, root, "ply", limits)
    if suffix == ".stl" and _looks_like_stl(head, size):
        return _single(upload, root, "stl", limits)
    if suffix == ".gltf" and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        _check_format("gltf", limits)
        _check_self_contained(upload, size, limits)
        return _single(upload, root, "gltf", limits)
    if suffix in (".glb", ".gltf", ".zip", ".stl", ".ply"):
        raise AssetRejected(
            [
                error(
                    "FORMAT_MISMATCH",
                    gettext_noop(
                        "The file is named %(suffix)s but its content is %(content_text)s. "
                        "Export the scene again as a real %(suffix)s file."
                    ),
                    suffix=suffix,
                    content_text=describe_content(head),
                )
            ]
        )
    if suffix:
        template = gettext_noop("A %(suffix)s file is not accepted. Upload one of: %(accepted_text)s.")
        raise AssetRejected([_not_accepted(template, limits, suffix=suffix)])
    template = gettext_noop("A file without an extension is not accepted. Upload one of: %(accepted_text)s.")
    raise AssetRejected([_not_accepted(template, limits)])


def describe_content(head: bytes) -> str:
    """A few words saying what the first bytes of a file look like, for messages (a ``*_text`` value: the pages
    translate it too)."""
    signatures = [
        (b"\x89PNG\r\n\x1a\n", gettext_noop("a PNG image")),
        (b"\xff\xd8\xff", gettext_noop("a JPEG image")),
        (b"GIF8", gettext_noop("a GIF image")),
        (b"%PDF", gettext_noop("a PDF document")),
        (b"glTF", gettext_noop("a GLB file")),
        (b"PK\x03\x04", gettext_noop("a zip archive")),
        (b"\x1f\x8b", gettext_noop("a gzip archive")),
        (b"7z\xbc\xaf\x27\x1c", gettext_noop("a 7z archive")),
        (b"Rar!", gettext_noop("a RAR archive")),
        (b"\xabKTX 20\xbb", gettext_noop("a KTX2 texture")),
    ]
    for magic, name in signatures:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return gettext_noop("a WebP image")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return gettext_noop("an HTML page")
    if text.startswith(b"<"):
        return gettext_noop("an XML or HTML document")
    if text.startswith(b"{"):
        return gettext_noop("JSON text (a .gltf file? zip it together with its buffers and textures)")
    if text and all(32 <= b < 127 or b in (9, 10, 13) for b in text[:256]):
        return gettext_noop("plain text")
    return gettext_noop("not a format we recognise")


def _not_accepted(template: str, limits: Limits, **params: str) -> Message:
    """``template`` ends "Upload one of: %(accepted_text)s.", the accepted kinds of file in words."""
    return error("FORMAT_NOT_ACCEPTED", template, accepted_text=_accepted(limits), **params)


# Each accepted format in words, for "Upload one of: ...".
FORMAT_WORDS = {
    "glb": gettext_noop(".glb (or a .zip holding one .glb)"),
    "gltf": gettext_noop(".gltf with everything embedded, or a .zip holding one .gltf with its buffers and textures"),
    "obj": gettext_noop(".zip holding one .obj with its .mtl and textures"),
    "stl": ".stl",
    "ply": ".ply",
}


def _accepted(limits: Limits) -> list[str]:
    return [FORMAT_WORDS[f] for f in limits.formats if f in FORMAT_WORDS]


def _check_format(kind: str, limits: Limits) -> None:
    if kind not in limits.formats:
        template = gettext_noop("A %(kind)s scene is not accepted. Upload one of: %(accepted_text)s.")
        raise AssetRejected([_not_accepted(template, limits, kind=kind.upper())])


def external_files(document: object) -> list[str]:
    """The files a glTF document refers to by URI (its buffers and images that are not data URIs), in order."""
    files: list[str] = []
    if not isinstance(document, dict):
        return files
    for key in ("buffers", "images"):
        items = document.get(key)
        for item in items if isinstance(items, list) else []:
            uri = item.get("uri") if isinstance(item, dict) else None
            if isinstance(uri, str) and uri[:5].lower() != "data:" and uri not in files:
                files.append(uri)
    return files


# How many of the files a bare .gltf refers to are named in the message; the rest are counted.
MAX_NAMED_FILES = 10


def _check_self_contained(upload: Path, size: int, limits: Limits) -> None:
    """A bare .gltf is accepted only with every buffer and image embedded: refuse one that refers to other files,
    naming them. JSON too large or unreadable is left to the validate stage, which says so precisely."""
    if size > limits.max_json_bytes:
        return
    try:
        document = json.loads(upload.read_bytes())
    except (ValueError, RecursionError):
        return
    files = external_files(document)
    if not files:
        return
    named = ", ".join(f"'{name}'" for name in files[:MAX_NAMED_FILES])
    if len(files) == 1:
        template = gettext_noop(
            "This .gltf refers to another file, which a single .gltf upload cannot bring: %(files)s. Put the .gltf "
            "and this file in one .zip, in the folder the .gltf names, and upload the .zip (or export the scene as "
            ".glb)."
        )
    elif len(files) > MAX_NAMED_FILES:
        template = gettext_noop(
            "This .gltf refers to %(count)s other files, which a single .gltf upload cannot bring: %(files)s and "
            "%(more)s more. Put the .gltf and these files in one .zip, in the folders the .gltf names, and upload "
            "the .zip (or export the scene as .glb)."
        )
    else:
        template = gettext_noop(
            "This .gltf refers to %(count)s other files, which a single .gltf upload cannot bring: %(files)s. Put "
            "the .gltf and these files in one .zip, in the folders the .gltf names, and upload the .zip (or export "
            "the scene as .glb)."
        )
    raise AssetRejected(
        [
            error(
                "FORMAT_GLTF_NEEDS_ZIP",
                template,
                count=len(files),
                files=named,
                more=len(files) - MAX_NAMED_FILES,
            )
        ]
    )


def _looks_like_stl(head: bytes, size: int) -> bool:
    if size >= 84 and len(head) >= 84:
        (triangles,) = struct.unpack_from("<I", head, 80)
        if size == 84 + 50 * triangles:
            return True
    return head.lstrip().lower().startswith(b"solid")


def _single(upload: Path, root: Path, kind: str, limits: Limits) -> Bundle:
    _check_format(kind, limits)
    root.mkdir(parents=True)
    scene = root / f"scene.{kind}"
    try:
        os.link(upload, scene)
    except OSError:  # another file system, or links not allowed: copy instead
        shutil.copyfile(upload, scene)
    return Bundle(root=root, scene=scene, kind=kind)


# --- zip bundles -----------------------------------------------------------------------------------------------


def _unzip(upload: Path, root: Path, limits: Limits) -> Bundle:
    declared = declared_entries(upload)
    if declared is not None and declared > limits.max_zip_entries:
        raise AssetRejected([too_many_entries(declared, limits)])
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            scene_info, kind = check_entries(infos, limits)
            _check_format(kind, limits)
        extract(upload, infos, root, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise AssetRejected(
            [
                error(
                    "ZIP_INVALID",
                    gettext_noop("The zip archive is damaged and cannot be read (%(detail)s). Create it again."),
                    detail=str(exc),
                )
            ]
        ) from None
    except (OSError, ValueError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno not in _NAME_ERRNOS:
            raise  # a full disk or a permission problem is our fault, not the file's
        # A file and a folder of the same name, a name the file system refuses: the archive cannot be laid out.
        raise AssetRejected(
            [
                error(
                    "ZIP_INVALID",
                    gettext_noop(
                        "The zip archive cannot be extracted: it holds names that clash (a file and a folder with the "
                        "same name) or that cannot be stored. Rename the files and create the zip again."
                    ),
                )
            ]
        ) from None
    except AssetRejected:
        shutil.rmtree(root, ignore_errors=True)
        raise
    scene = root.joinpath(*entry_parts(scene_info.filename))
    if kind == "glb":
        with open(scene, "rb") as f:
            head = f.read(512)
        if head[:4] != b"glTF":
            shutil.rmtree(root, ignore_errors=True)
            raise AssetRejected(
                [
                    error(
                        "FORMAT_MISMATCH",
                        gettext_noop(
                            "%(name)s in the zip is named .glb but its content is %(content_text)s. "
                            "Export the scene again as a real .glb file."
                        ),
                        name=scene_info.filename,
                        content_text=describe_content(head),
                    )
                ]
            )
    return Bundle(root=root, scene=scene, kind=kind)
