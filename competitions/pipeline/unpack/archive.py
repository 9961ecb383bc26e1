"""Zip bundles: every check the central directory alone can answer, then extraction that inflates each entry here
with a running byte counter, so a header that lies about sizes cannot get past.

``check_entries`` refuses absolute and climbing paths, symbolic links, encryption, unusual compression, nested
archives, names that clash ignoring case, compression ratios of a zip bomb, too many entries or bytes, and any
number of scene files but one; ``extract`` then writes the entries under the bundle folder.
"""

import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from competitions.pipeline.limits import MB, Limits
from competitions.pipeline.report import AssetRejected, Message, error, gettext_noop, size_text

SCENE_SUFFIXES = {".gltf": "gltf", ".glb": "glb", ".obj": "obj"}
NESTED_ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lzma", ".cab")
# Files that archivers add on their own; they are neither checked as content nor extracted.
JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
# A compression ratio is only suspicious on entries large enough to hurt; tiny JSON files compress very well.
RATIO_FLOOR_BYTES = 1 * MB
MAX_MESSAGES = 50
CHUNK = 1 * MB

_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = struct.Struct("<4sHHHHIIH")
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")


def declared_entries(path: Path) -> int | None:
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


def too_many_entries(count: int, limits: Limits) -> Message:
    return error(
        "ZIP_TOO_MANY_ENTRIES",
        gettext_noop(
            "The zip holds %(count)s entries; at most %(limit)s are allowed. "
            "Keep only the scene, its buffers and its textures."
        ),
        count=count,
        limit=limits.max_zip_entries,
    )


def entry_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]


def _is_junk(name: str) -> bool:
    parts = entry_parts(name)
    return bool(parts) and (parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in JUNK_NAMES)


def check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> tuple[zipfile.ZipInfo, str]:
    """Every check that the central directory alone can answer; returns the scene entry and its kind."""
    problems: list[Message] = []
    if len(infos) > limits.max_zip_entries:
        raise AssetRejected([too_many_entries(len(infos), limits)])
    seen: dict[str, str] = {}
    scenes: list[zipfile.ZipInfo] = []
    total_size = total_compressed = 0
    for info in infos:
        name = info.filename
        pointer = f"zip:{name}"
        if name.startswith(("/", "\\")) or _DRIVE.match(name):
            problems.append(
                error(
                    "ZIP_UNSAFE_PATH",
                    gettext_noop("The zip entry '%(name)s' has an absolute path; use relative paths."),
                    pointer,
                    name=name,
                )
            )
        elif ".." in re.split(r"[\\/]", name):
            problems.append(
                error(
                    "ZIP_UNSAFE_PATH",
                    gettext_noop(
                        "The zip entry '%(name)s' points outside the archive with '..'; "
                        "keep every file inside the bundle."
                    ),
                    pointer,
                    name=name,
                )
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(
                error(
                    "ZIP_SYMLINK",
                    gettext_noop("The zip entry '%(name)s' is a symbolic link; put the real file in the zip instead."),
                    pointer,
                    name=name,
                )
            )
        if info.flag_bits & 0x1:
            problems.append(
                error(
                    "ZIP_ENCRYPTED",
                    gettext_noop("The zip entry '%(name)s' is encrypted; upload an unencrypted zip."),
                    pointer,
                    name=name,
                )
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(
                error(
                    "ZIP_UNSUPPORTED_COMPRESSION",
                    gettext_noop(
                        "The zip entry '%(name)s' uses an unusual compression method; use plain 'deflate' compression."
                    ),
                    pointer,
                    name=name,
                )
            )
        if info.is_dir() or _is_junk(name):
            continue
        lower = name.lower()
        if lower.endswith(NESTED_ARCHIVE_SUFFIXES):
            problems.append(
                error(
                    "ZIP_NESTED_ARCHIVE",
                    gettext_noop("The zip holds another archive, '%(name)s'; unpack it and zip its files directly."),
                    pointer,
                    name=name,
                )
            )
        key = "/".join(entry_parts(name)).casefold()
        if key in seen:
            problems.append(
                error(
                    "ZIP_DUPLICATE_NAME",
                    gettext_noop(
                        "The zip holds both '%(first)s' and '%(name)s'; file names must differ (ignoring case)."
                    ),
                    pointer,
                    first=seen[key],
                    name=name,
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
                    gettext_noop(
                        "The zip entry '%(name)s' expands %(ratio)s times (to %(size)s); "
                        "at most %(limit)s times is allowed."
                    ),
                    pointer,
                    name=name,
                    ratio=info.file_size // max(info.compress_size, 1),
                    size=size_text(info.file_size),
                    limit=limits.max_zip_ratio,
                )
            )
    if total_size > limits.max_zip_uncompressed_bytes:
        problems.append(
            error(
                "ZIP_TOO_LARGE",
                gettext_noop("The zip expands to %(size)s; at most %(limit)s is allowed."),
                size=size_text(total_size),
                limit=size_text(limits.max_zip_uncompressed_bytes),
            )
        )
    elif total_size >= RATIO_FLOOR_BYTES and total_size > limits.max_zip_ratio * max(total_compressed, 1):
        problems.append(
            error(
                "ZIP_BOMB",
                gettext_noop("The zip expands %(ratio)s times (to %(size)s); at most %(limit)s times is allowed."),
                ratio=total_size // max(total_compressed, 1),
                size=size_text(total_size),
                limit=limits.max_zip_ratio,
            )
        )
    if len(scenes) != 1:
        if scenes:
            problems.append(
                error(
                    "ZIP_SCENE_COUNT",
                    gettext_noop(
                        "The zip must hold exactly one scene file (.gltf, .glb or .obj); it holds %(count)s: %(found)s."
                    ),
                    count=len(scenes),
                    found=", ".join(f"'{s.filename}'" for s in scenes[:5]),
                )
            )
        else:
            problems.append(
                error(
                    "ZIP_SCENE_COUNT",
                    gettext_noop("The zip must hold exactly one scene file (.gltf, .glb or .obj); it holds none."),
                )
            )
    if problems:
        raise AssetRejected(problems[:MAX_MESSAGES])
    scene = scenes[0]
    return scene, SCENE_SUFFIXES[PurePosixPath(scene.filename.lower()).suffix]


def extract(upload: Path, infos: list[zipfile.ZipInfo], root: Path, limits: Limits) -> None:
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
            target = root.joinpath(*entry_parts(info.filename))
            if not target.resolve().is_relative_to(real_root):  # the checks above already refused this
                raise AssetRejected(
                    [
                        error(
                            "ZIP_UNSAFE_PATH",
                            gettext_noop("The zip entry '%(name)s' points outside it."),
                            name=info.filename,
                        )
                    ]
                )
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
        gettext_noop(
            "The zip entry '%(name)s' does not hold the %(size)s its header declares; the archive is corrupt or was "
            "built to deceive. Create it again with a standard zip tool."
        ),
        f"zip:{info.filename}",
        name=info.filename,
        size=size_text(info.file_size),
    )
