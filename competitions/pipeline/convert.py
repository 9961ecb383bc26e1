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
from .report import AssetRejected, Message, error, gettext_noop
from .unpack import Bundle

logger = logging.getLogger(__name__)

CONVERTED_NAME = "converted.glb"
NAMES = {"obj": "OBJ", "stl": "STL", "ply": "PLY"}
ADVICE = {
    "obj": gettext_noop(
        "Export it again as Wavefront OBJ (with its .mtl file and textures in the zip), or as glTF 2.0 (.glb)."
    ),
    "stl": gettext_noop("Export it again as binary STL, or as glTF 2.0 (.glb)."),
    "ply": gettext_noop("Export it again as PLY with triangle faces, or as glTF 2.0 (.glb)."),
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
            [
                error(
                    "FORMAT_NOT_ACCEPTED",
                    gettext_noop("A %(kind)s scene cannot be converted; upload glTF 2.0 (.glb)."),
                    kind=bundle.kind,
                )
            ]
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
            [
                error(
                    "FORMAT_CONVERSION_FAILED",
                    gettext_noop("The %(kind)s file cannot be read as a 3D scene. %(advice_text)s"),
                    kind=name,
                    advice_text=advice,
                )
            ]
        ) from None
    if data is None:
        raise AssetRejected(
            [
                error(
                    "FORMAT_EMPTY_SCENE",
                    gettext_noop("The %(kind)s file holds no geometry (no vertices or faces). %(advice_text)s"),
                    kind=name,
                    advice_text=advice,
                )
            ]
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
                    gettext_noop(
                        "%(name)s uses the material library '%(library)s', which is not in the upload. Put the .mtl "
                        "file (and its textures) in the zip next to the .obj."
                    ),
                    name=obj_name,
                    library=library,
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
                gettext_noop(
                    "The material library '%(library)s' uses the texture '%(texture)s', which is not in the upload. "
                    "Put the image in the zip next to the .mtl file."
                ),
                library=library,
                texture=texture,
            )
        ]
    with open(path, "rb") as f:
        size = image_size(f)
    if size is None:
        return [
            error(
                "TEXTURE_UNREADABLE",
                gettext_noop(
                    "The texture '%(texture)s' used by '%(library)s' is not an image we can read. Save it as PNG or "
                    "JPEG."
                ),
                texture=texture,
                library=library,
            )
        ]
    if size[0] * size[1] > limits.max_texture_pixels:
        return [
            error(
                "TEXTURE_DECOMPRESSION_BOMB",
                gettext_noop(
                    "The texture '%(texture)s' is %(width)sx%(height)s pixels, more than the %(limit)s pixels a "
                    "texture may have. Resize it (4096x4096 at most is usual)."
                ),
                texture=texture,
                width=size[0],
                height=size[1],
                limit=f"{limits.max_texture_pixels:,}",
            )
        ]
    return []
