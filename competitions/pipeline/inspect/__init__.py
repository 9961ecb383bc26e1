"""Stage 3, inspect: measure a glTF scene and hold it against the competition's budgets.

``inspect(path, limits)`` returns the statistics of a .glb or .gltf (with its sibling files) and the messages for
every budget it exceeds. Counts come from the glTF JSON exactly as the Khronos validator counts them; textures are
measured from their image headers (never decoded); the bounding box comes from one trimesh load of the vertices.
"""

from pathlib import Path
from typing import Any

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import Message, error, gettext_noop

from .bounds import scene_bounds
from .document import array_at, json_integer, read_document
from .images import image_size, stored_image_size, texture_size
from .resolver import BundleResolver

__all__ = ["BundleResolver", "check_limits", "count_primitives", "image_size", "inspect"]

TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = 4, 5, 6


def inspect(path: Path, limits: Limits, *, root: Path | None = None) -> tuple[dict[str, Any], list[Message]]:
    """Statistics of the scene at ``path`` and an error message for each budget of ``limits`` it exceeds.

    Files the scene references are read only from inside ``root`` (default: the scene's folder). Loads the vertices
    once (trimesh, for the bounding box); never decodes a texture or computes normals. Raises AssetRejected when
    the file is not a readable glTF 2.0 scene (the validate stage normally refuses such files first).
    """
    path = Path(path)
    resolver = BundleResolver(path.parent, root or path.parent)
    document, is_glb, glb = read_document(path)
    images = [stored_image_size(document, i, path, glb, resolver) for i in range(len(array_at(document, "images")))]
    bounds, exact = scene_bounds(path, "glb" if is_glb else "gltf", document, resolver)
    stats: dict[str, Any] = {
        **count_primitives(document),
        "meshes": len(array_at(document, "meshes")),
        "materials": len(array_at(document, "materials")),
        "textures": len(array_at(document, "textures")),
        "texture_sizes": [texture_size(texture, images) for texture in array_at(document, "textures")],
        "images": len(images),
        "image_sizes": [list(size) if size else None for size in images],
        "nodes": len(array_at(document, "nodes")),
        "animations": len(array_at(document, "animations")),
        "skins": len(array_at(document, "skins")),
        "extensions_used": sorted(str(e) for e in array_at(document, "extensionsUsed")),
        "extensions_required": sorted(str(e) for e in array_at(document, "extensionsRequired")),
        "has_textures": bool(array_at(document, "textures")),
        "has_vertex_colours": _has_vertex_colours(document),
        "bounds": {"min": bounds[0], "max": bounds[1]} if bounds else None,
        "bounds_exact": exact,
        # glTF's unit is the metre, so the box's extent is the scene's real-world size.
        "size": [round(hi - lo, 6) for lo, hi in zip(*bounds, strict=True)] if bounds else None,
        "file_size": _file_size(path, document, resolver),
    }
    return stats, check_limits(stats, document, limits)


def count_primitives(document: dict[str, Any]) -> dict[str, int]:
    """Triangles, vertices and draw calls counted as the Khronos validator counts them (its ``info`` block).

    Every primitive of every mesh counts once, as declared: a mesh drawn by two nodes is not counted twice, and an
    unused mesh still counts. A primitive's vertices are its first attribute accessor's count (all must be equal);
    its elements are its index count, or its vertex count when it has no indices. Triangles: elements / 3 for
    TRIANGLES (rounded down), elements - 2 for strips and fans, none for points and lines.
    """
    accessors = array_at(document, "accessors")
    triangles = vertices = draw_calls = 0
    for mesh in array_at(document, "meshes"):
        primitives = mesh.get("primitives") if isinstance(mesh, dict) else None
        if not isinstance(primitives, list):
            continue
        for primitive in primitives:
            if not isinstance(primitive, dict):
                continue
            draw_calls += 1
            vertex_count = -1
            attributes = primitive.get("attributes")
            for index in attributes.values() if isinstance(attributes, dict) else ():
                count = _accessor_count(accessors, index)
                if count is not None:
                    vertex_count = count
                    break
            elements = vertex_count
            if "indices" in primitive:
                index_count = _accessor_count(accessors, primitive["indices"])
                if index_count is not None:
                    elements = index_count
            if vertex_count != -1:
                vertices += vertex_count
            mode = primitive.get("mode", TRIANGLES)
            if mode == TRIANGLES:
                triangles += max(elements, 0) // 3
            elif mode in (TRIANGLE_STRIP, TRIANGLE_FAN) and elements > 2:
                triangles += elements - 2
    return {"triangles": triangles, "vertices": vertices, "draw_calls": draw_calls}


def check_limits(stats: dict[str, Any], document: dict[str, Any], limits: Limits) -> list[Message]:
    """An error for each competition budget the scene exceeds, saying the figure, the limit and what to do."""
    messages = []
    if stats["triangles"] > limits.max_triangles:
        messages.append(
            error(
                "LIMIT_TRIANGLES",
                gettext_noop(
                    "The scene has %(count)s triangles; this competition allows at most %(limit)s. Decimate the "
                    "dense meshes (for example with Blender's Decimate modifier) or remove hidden geometry, then "
                    "export again."
                ),
                "/meshes",
                count=f"{stats['triangles']:,}",
                limit=f"{limits.max_triangles:,}",
            )
        )
    if stats["materials"] > limits.max_materials:
        messages.append(
            error(
                "LIMIT_MATERIALS",
                gettext_noop(
                    "The scene has %(count)s materials; this competition allows at most %(limit)s. Merge materials "
                    "that look alike, or bake them into a texture atlas, then export again."
                ),
                "/materials",
                count=f"{stats['materials']:,}",
                limit=f"{limits.max_materials:,}",
            )
        )
    if stats["draw_calls"] > limits.max_draw_calls:
        messages.append(
            error(
                "LIMIT_DRAW_CALLS",
                gettext_noop(
                    "The scene needs %(count)s draw calls (one per mesh primitive); this competition allows at most "
                    "%(limit)s. Join meshes that share a material and merge materials, then export again."
                ),
                "/meshes",
                count=f"{stats['draw_calls']:,}",
                limit=f"{limits.max_draw_calls:,}",
            )
        )
    images = array_at(document, "images")
    for index, size in enumerate(stats["image_sizes"]):
        if size and max(size) > limits.max_texture_size:
            image = images[index] if isinstance(images[index], dict) else {}
            name = image.get("name") or image.get("uri", "")
            label = f"'{name}'" if name and not str(name).startswith("data:") else f"{index}"
            messages.append(
                error(
                    "LIMIT_TEXTURE_SIZE",
                    gettext_noop(
                        "Texture image %(image)s is %(width)sx%(height)s pixels; this competition allows at most "
                        "%(limit)s pixels on each side. Resize it to %(limit)s pixels or less on its longest side, "
                        "then export again."
                    ),
                    f"/images/{index}",
                    image=label,
                    width=size[0],
                    height=size[1],
                    limit=limits.max_texture_size,
                )
            )
    return messages


def _accessor_count(accessors: list[Any], index: Any) -> int | None:
    index = json_integer(index)
    if index is not None and 0 <= index < len(accessors) and isinstance(accessors[index], dict):
        return json_integer(accessors[index].get("count"))
    return None


def _has_vertex_colours(document: dict[str, Any]) -> bool:
    for mesh in array_at(document, "meshes"):
        primitives = mesh.get("primitives") if isinstance(mesh, dict) else None
        for primitive in primitives if isinstance(primitives, list) else []:
            attributes = primitive.get("attributes") if isinstance(primitive, dict) else None
            if isinstance(attributes, dict) and any(str(name).startswith("COLOR_") for name in attributes):
                return True
    return False


def _file_size(path: Path, document: dict[str, Any], resolver: BundleResolver) -> int:
    """Bytes the scene occupies: the file itself and every distinct external file it names."""
    seen = {path.resolve()}
    total = path.stat().st_size
    for item in array_at(document, "buffers") + array_at(document, "images"):
        uri = item.get("uri") if isinstance(item, dict) else None
        target = resolver.locate(uri) if isinstance(uri, str) else None
        if target is not None and target not in seen:
            seen.add(target)
            total += target.stat().st_size
    return total
