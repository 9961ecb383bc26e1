"""Stage 1, unpack: recognise an upload by its content and lay it out as a bundle folder the later stages read.

``unpack(upload, workdir, limits)`` accepts a .glb, a .zip holding one .gltf (with its buffers and textures), one
.glb or one .obj (with its .mtl and textures), an .stl or a .ply. A zip is checked from its central directory
before a single byte is extracted (entry count, declared sizes, compression ratios, unsafe paths, symlinks, nested
archives, duplicate names, exactly one scene) and then extracted with a running byte counter, so a header that
lies about sizes cannot get past. Every fault of the file raises ``AssetRejected`` with the messages.

The bundle always lives in ``workdir / "bundle"`` and holds only the upload's own files: a single file is linked
(or copied) there, never used in place, so a URI in it cannot reach the uploads stored beside it.
"""

import errno
import os
import re
import shutil
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .limits import MB, Limits
from .report import AssetRejected, Message, error

SCENE_SUFFIXES = {".gltf": "gltf", ".glb": "glb", ".obj": "obj"}
NESTED_ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lzma", ".cab")
# Files that archivers add on their own; they are neither checked as content nor extracted.
JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
ACCEPTED = ".glb, .zip (holding one .gltf with its files, one .glb, or one .obj with its .mtl and textures), .stl, .ply"
# A compression ratio is only suspicious on entries large enough to hurt; tiny JSON files compress very well.
RATIO_FLOOR_BYTES = 1 * MB
MAX_MESSAGES = 50
CHUNK = 1 * MB

# Errors that a file name in the archive causes (clashing or unstorable names), as opposed to a full disk.
_NAME_ERRNOS = {errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL}
_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = struct.Struct("<4sHHHHIIH")
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")


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
                    f"The file is {_size(size)}; this competition accepts files up to "
                    f"{_size(limits.max_upload_bytes)}.",
                )
            ]
        )
    if size == 0:
        raise AssetRejected([error("UPLOAD_EMPTY", "The file is empty. Upload the exported scene again.")])
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
    if suffix in (".glb", ".zip", ".stl", ".ply"):
        raise AssetRejected(
            [
                error(
                    "FORMAT_MISMATCH",
                    f"The file is named {suffix} but its content is {describe_content(head)}. "
                    f"Export the scene again as a real {suffix} file.",
                )
            ]
        )
    raise AssetRejected([_not_accepted(suffix or "a file without an extension", limits)])


def describe_content(head: bytes) -> str:
    """A few words saying what the first bytes of a file look like, for messages."""
    signatures = [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"glTF", "a GLB file"),
        (b"PK\x03\x04", "a zip archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
        (b"Rar!", "a RAR archive"),
        (b"\xabKTX 20\xbb", "a KTX2 texture"),
    ]
    for magic, name in signatures:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page"
    if text.startswith(b"<"):
        return "an XML or HTML document"
    if text.startswith(b"{"):
        return "JSON text (a .gltf file? zip it together with its buffers and textures)"
    if text and all(32 <= b < 127 or b in (9, 10, 13) for b in text[:256]):
        return "plain text"
    return "not a format we recognise"


def _not_accepted(what: str, limits: Limits) -> Message:
    return error(
        "FORMAT_NOT_ACCEPTED",
        f"{what} is not accepted. Upload one of: {_accepted(limits)}.",
    )


def _accepted(limits: Limits) -> str:
    if set(limits.formats) >= {"glb", "gltf", "obj", "stl", "ply"}:
        return ACCEPTED
    names = {
        "glb": ".glb (or a .zip holding one .glb)",
        "gltf": ".zip holding one .gltf with its buffers and textures",
        "obj": ".zip holding one .obj with its .mtl and textures",
        "stl": ".stl",
        "ply": ".ply",
    }
    return ", ".join(names[f] for f in limits.formats if f in names)


def _check_format(kind: str, limits: Limits) -> None:
    if kind not in limits.formats:
        raise AssetRejected([_not_accepted(f"A {kind.upper()} scene", limits)])


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
    declared_entries = _central_directory_entries(upload)
    if declared_entries is not None and declared_entries > limits.max_zip_entries:
        raise AssetRejected([_too_many_entries(declared_entries, limits)])
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            scene_info, kind = _check_entries(infos, limits)
            _check_format(kind, limits)
        _extract(upload, infos, root, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise AssetRejected(
            [error("ZIP_INVALID", f"The zip archive is damaged and cannot be read ({exc}). Create it again.")]
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
                    "The zip archive cannot be extracted: it holds names that clash (a file and a folder with the "
                    "same name) or that cannot be stored. Rename the files and create the zip again.",
                )
            ]
        ) from None
    except AssetRejected:
        shutil.rmtree(root, ignore_errors=True)
        raise
    scene = root.joinpath(*_parts(scene_info.filename))
    if kind == "glb":
        with open(scene, "rb") as f:
            head = f.read(512)
        if head[:4] != b"glTF":
            shutil.rmtree(root, ignore_errors=True)
            raise AssetRejected(
                [
                    error(
                        "FORMAT_MISMATCH",
                        f"{scene_info.filename} in the zip is named .glb but its content is {describe_content(head)}. "
                        "Export the scene again as a real .glb file.",
                    )
                ]
            )
    return Bundle(root=root, scene=scene, kind=kind)


def _central_directory_entries(path: Path) -> int | None:
    """The entry count the zip's end record declares, read without loading the central directory."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        tail_size = min(size, _EOCD.size + 65535)
        f.seek(size - tail_size)
        tail = f.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            return None
        entries = _EOCD.unpack_from(tail, at)[4]
        locator_at = at - _ZIP64_LOCATOR.size
        if entries == 0xFFFF and locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
            _sig, _disk, eocd64_offset, _disks = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
            f.seek(eocd64_offset)
            record = f.read(_ZIP64_EOCD.size)
            if len(record) == _ZIP64_EOCD.size and record[:4] == b"PK\x06\x06":
                entries = _ZIP64_EOCD.unpack(record)[7]
        return entries


def _too_many_entries(count: int, limits: Limits) -> Message:
    return error(
        "ZIP_TOO_MANY_ENTRIES",
        f"The zip holds {count} entries; at most {limits.max_zip_entries} are allowed. "
        "Keep only the scene, its buffers and its textures.",
    )


def _parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]


def _is_junk(name: str) -> bool:
    parts = _parts(name)
    return bool(parts) and (parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in JUNK_NAMES)


def _check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> tuple[zipfile.ZipInfo, str]:
    """Every check that the central directory alone can answer; returns the scene entry and its kind."""
    problems: list[Message] = []
    if len(infos) > limits.max_zip_entries:
        raise AssetRejected([_too_many_entries(len(infos), limits)])
    seen: dict[str, str] = {}
    scenes: list[zipfile.ZipInfo] = []
    total_size = total_compressed = 0
    for info in infos:
        name = info.filename
        pointer = f"zip:{name}"
        if name.startswith(("/", "\\")) or _DRIVE.match(name):
            problems.append(
                error("ZIP_UNSAFE_PATH", f"The zip entry '{name}' has an absolute path; use relative paths.", pointer)
            )
        elif ".." in re.split(r"[\\/]", name):
            problems.append(
                error(
                    "ZIP_UNSAFE_PATH",
                    f"The zip entry '{name}' points outside the archive with '..'; keep every file inside the bundle.",
                    pointer,
                )
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(
                error(
                    "ZIP_SYMLINK",
                    f"The zip entry '{name}' is a symbolic link; put the real file in the zip instead.",
                    pointer,
                )
            )
        if info.flag_bits & 0x1:
            problems.append(
                error("ZIP_ENCRYPTED", f"The zip entry '{name}' is encrypted; upload an unencrypted zip.", pointer)
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(
                error(
                    "ZIP_UNSUPPORTED_COMPRESSION",
                    f"The zip entry '{name}' uses an unusual compression method; use plain 'deflate' compression.",
                    pointer,
                )
            )
        if info.is_dir() or _is_junk(name):
            continue
        lower = name.lower()
        if lower.endswith(NESTED_ARCHIVE_SUFFIXES):
            problems.append(
                error(
                    "ZIP_NESTED_ARCHIVE",
                    f"The zip holds another archive, '{name}'; unpack it and zip its files directly.",
                    pointer,
                )
            )
        key = "/".join(_parts(name)).casefold()
        if key in seen:
            problems.append(
                error(
                    "ZIP_DUPLICATE_NAME",
                    f"The zip holds both '{seen[key]}' and '{name}'; file names must differ (ignoring case).",
                    pointer,
                )
            )
        seen.setdefault(key, name)
        if PurePosixPath(lower).suffix in SCENE_SUFFIXES:
            scenes.append(info)
        total_size += info.file_size
        total_compressed += info.compress_size
        if info.file_size >= RATIO_FLOOR_BYTES and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            problems.append(
                error(
                    "ZIP_BOMB",
                    f"The zip entry '{name}' expands {info.file_size // max(info.compress_size, 1)} times "
                    f"(to {_size(info.file_size)}); at most {limits.max_zip_ratio} times is allowed.",
                    pointer,
                )
            )
    if total_size > limits.max_zip_uncompressed_bytes:
        problems.append(
            error(
                "ZIP_TOO_LARGE",
                f"The zip expands to {_size(total_size)}; at most {_size(limits.max_zip_uncompressed_bytes)} "
                "is allowed.",
            )
        )
    elif total_size >= RATIO_FLOOR_BYTES and total_size > limits.max_zip_ratio * max(total_compressed, 1):
        problems.append(
            error(
                "ZIP_BOMB",
                f"The zip expands {total_size // max(total_compressed, 1)} times (to {_size(total_size)}); "
                f"at most {limits.max_zip_ratio} times is allowed.",
            )
        )
    if len(scenes) != 1:
        found = ", ".join(f"'{s.filename}'" for s in scenes[:5])
        problems.append(
            error(
                "ZIP_SCENE_COUNT",
                "The zip must hold exactly one scene file (.gltf, .glb or .obj); "
                + (f"it holds {len(scenes)}: {found}." if scenes else "it holds none."),
            )
        )
    if problems:
        raise AssetRejected(problems[:MAX_MESSAGES])
    scene = scenes[0]
    return scene, SCENE_SUFFIXES[PurePosixPath(scene.filename.lower()).suffix]


def _extract(upload: Path, infos: list[zipfile.ZipInfo], root: Path, limits: Limits) -> None:
    """Write every entry under ``root``, inflating it here with a running byte counter: an entry may not hold more
    (or less) than its header declares, and the whole archive may not exceed the budget, whatever the headers say."""
    root.mkdir(parents=True)
    real_root = root.resolve()
    declared_total = sum(i.file_size for i in infos if not i.is_dir())
    budget = _Budget(min(declared_total, limits.max_zip_uncompressed_bytes))
    with open(upload, "rb") as archive:
        for info in infos:
            if info.is_dir() or _is_junk(info.filename):
                continue
            target = root.joinpath(*_parts(info.filename))
            if not target.resolve().is_relative_to(real_root):  # the checks above already refused this
                raise AssetRejected([error("ZIP_UNSAFE_PATH", f"The zip entry '{info.filename}' points outside it.")])
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as sink:
                _inflate(archive, info, sink, budget)


class _Budget:
    """Bytes written so far against a budget."""

    def __init__(self, budget: int) -> None:
        self.budget, self.written = budget, 0


def _inflate(archive: BinaryIO, info: zipfile.ZipInfo, sink: BinaryIO, total: _Budget) -> None:
    archive.seek(info.header_offset)
    local = archive.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"missing local header for '{info.filename}'")
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    archive.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    compressed_left, written, crc = info.compress_size, 0, 0
    while compressed_left > 0 and not (inflater and inflater.eof):
        data = archive.read(min(CHUNK, compressed_left))
        if not data:
            raise zipfile.BadZipFile(f"the data of '{info.filename}' is cut short")
        compressed_left -= len(data)
        while data:
            if inflater is None:
                out, data = data, b""
            else:
                # Never inflate more than one byte past what is declared: a lying header stops here.
                out = inflater.decompress(data, min(CHUNK, info.file_size - written + 1))
                data = inflater.unconsumed_tail if not inflater.eof else b""
            written += len(out)
            total.written += len(out)
            if written > info.file_size or total.written > total.budget:
                raise AssetRejected([_size_mismatch(info)])
            crc = zlib.crc32(out, crc)
            sink.write(out)
    if inflater is not None and not inflater.eof:
        raise zipfile.BadZipFile(f"the data of '{info.filename}' is cut short")
    if written != info.file_size:
        raise AssetRejected([_size_mismatch(info)])
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"the checksum of '{info.filename}' does not match its content")


def _size_mismatch(info: zipfile.ZipInfo) -> Message:
    return error(
        "ZIP_SIZE_MISMATCH",
        f"The zip entry '{info.filename}' does not hold the {_size(info.file_size)} its header declares; the archive "
        "is corrupt or was built to deceive. Create it again with a standard zip tool.",
        f"zip:{info.filename}",
    )


def _size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n} bytes"
