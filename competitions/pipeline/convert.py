"""Convert OBJ (zipped with its .mtl and textures), STL and PLY scenes to GLB, so the later stages read glTF only.

``convert_to_glb(bundle, workdir)`` returns the scene the later stages read: a .glb or .gltf bundle's own file,
untouched, or ``workdir / "converted.glb"`` written by trimesh. OBJ materials and their base-colour textures
(``map_Kd``) and PLY vertex colours survive the conversion. Files an OBJ names are read only from inside the bundle,
and every texture header is checked against the pixel budget before trimesh decodes anything.
"""

import logging
import mmap
import os
import re
from pathlib import Path

import trimesh

from .inspect import BundleResolver, image_size
from .limits import Limits
from .report import AssetRejected, Message, error
from .unpack import Bundle

logger = logging.getLogger(__name__)

CONVERTED_NAME = "converted.glb"
NAMES = {"obj": "OBJ", "stl": "STL", "ply": "PLY"}
ADVICE = {
    "obj": "Export it again as Wavefront OBJ (with its .mtl file and textures in the zip), or as glTF 2.0 (.glb).",
    "stl": "Export it again as binary STL, or as glTF 2.0 (.glb).",
    "ply": "Export it again as PLY with triangle faces, or as glTF 2.0 (.glb).",
}
_MTLLIB = re.compile(rb"^[ \t]*mtllib[ \t]+([^\r\n]*?)[ \t]*\r?$", re.MULTILINE)
_MAP_KD = re.compile(r"^[ \t]*map_kd[ \t]+(.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)


def convert_to_glb(bundle: Bundle, workdir: Path, *, limits: Limits | None = None) -> Path:
    """The GLB or glTF file the later stages read for ``bundle``.

    glTF and GLB bundles pass through unchanged (``bundle.scene`` is returned). OBJ, STL and PLY scenes are
    converted into ``workdir / "converted.glb"``, written atomically and replaced on a rerun. Raises AssetRejected
    when the file cannot be read or converted, when an OBJ names a .mtl or texture the bundle lacks, or when a
    texture is larger than ``limits.max_texture_pixels`` (checked from its header, before any decoding).
    """
    if bundle.kind in ("glb", "gltf"):
        return bundle.scene
    if bundle.kind not in NAMES:
        raise AssetRejected(
            [error("FORMAT_NOT_ACCEPTED", f"A {bundle.kind} scene cannot be converted; upload glTF 2.0 (.glb).")]
        )
    limits = limits or Limits()
    resolver = BundleResolver(bundle.scene.parent, bundle.root)
    if bundle.kind == "obj":
        _check_obj_files(bundle, resolver, limits)
    name, advice = NAMES[bundle.kind], ADVICE[bundle.kind]
    try:
        scene = trimesh.load_scene(bundle.scene, file_type=bundle.kind, resolver=resolver)
        data = scene.export(file_type="glb") if not scene.is_empty else None
    except MemoryError:
        raise
    except Exception:  # trimesh raises anything on a malformed file: the file is at fault
        logger.info("trimesh cannot convert %s", bundle.scene, exc_info=True)
        raise AssetRejected(
            [error("FORMAT_CONVERSION_FAILED", f"The {name} file cannot be read as a 3D scene. {advice}")]
        ) from None
    if data is None:
        raise AssetRejected(
            [error("FORMAT_EMPTY_SCENE", f"The {name} file holds no geometry (no vertices or faces). {advice}")]
        )
    target = workdir / CONVERTED_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{CONVERTED_NAME}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


def _check_obj_files(bundle: Bundle, resolver: BundleResolver, limits: Limits) -> None:
    """Every .mtl the OBJ names and every base-colour texture those name must be in the bundle and readable."""
    problems: list[Message] = []
    obj_name = bundle.scene.name
    libraries = []
    if bundle.scene.stat().st_size:
        # Scanned through a memory map: an OBJ may be hundreds of MB, and trimesh reads it whole once already.
        with open(bundle.scene, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as obj:
            libraries = [m.group(1).decode("utf-8", "replace") for m in _MTLLIB.finditer(obj)]
    for library in dict.fromkeys(libraries):
        mtl = resolver.locate(library)
        if mtl is None:
            problems.append(
                error(
                    "FORMAT_OBJ_MISSING_FILE",
                    f"{obj_name} uses the material library '{library}', which is not in the upload. Put the .mtl "
                    "file (and its textures) in the zip next to the .obj.",
                )
            )
            continue
        text = mtl.read_bytes().decode("utf-8", "replace")
        for texture in dict.fromkeys(m.group(1) for m in _MAP_KD.finditer(text)):
            problems += _check_texture(library, texture, resolver, limits)
    if problems:
        raise AssetRejected(problems)


def _check_texture(library: str, texture: str, resolver: BundleResolver, limits: Limits) -> list[Message]:
    path = resolver.locate(texture)
    if path is None:
        return [
            error(
                "FORMAT_OBJ_MISSING_FILE",
                f"The material library '{library}' uses the texture '{texture}', which is not in the upload. Put "
                "the image in the zip next to the .mtl file.",
            )
        ]
    with open(path, "rb") as f:
        size = image_size(f)
    if size is None:
        return [
            error(
                "TEXTURE_UNREADABLE",
                f"The texture '{texture}' used by '{library}' is not an image we can read. Save it as PNG or JPEG.",
            )
        ]
    if size[0] * size[1] > limits.max_texture_pixels:
        return [
            error(
                "TEXTURE_DECOMPRESSION_BOMB",
                f"The texture '{texture}' is {size[0]}x{size[1]} pixels, more than the "
                f"{limits.max_texture_pixels:,} pixels a texture may have. Resize it (4096x4096 at most is usual).",
            )
        ]
    return []
