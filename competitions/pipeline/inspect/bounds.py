"""The scene's axis-aligned bounding box in world space: from its vertices where trimesh can read them, else from
the POSITION accessors' min/max through the node transforms."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from trimesh.exchange import gltf

from .document import array_at
from .resolver import BundleResolver

logger = logging.getLogger(__name__)

# The largest value of each normalized integer component type, to read quantized accessor min/max as floats.
NORMALIZED_MAX = {5120: 127, 5121: 255, 5122: 32767, 5123: 65535}


def scene_bounds(
    path: Path, file_type: str, document: dict[str, Any], resolver: BundleResolver
) -> tuple[tuple[list[float], list[float]] | None, bool]:
    """The scene's axis-aligned box in world space, from its vertices (exact); when trimesh cannot read the scene
    (compressed geometry, buffers without data), from the POSITION accessors' min/max through the node transforms,
    which contains the scene but may be larger.

    The vertices come from trimesh's glTF reader (``load_glb`` / ``load_gltf``), without building a ``Scene`` of
    ``Trimesh`` objects (normals, caches, hashes) or decoding textures: that is most of what ``trimesh.load`` costs,
    and none of it changes the box."""
    reader = gltf.load_glb if file_type == "glb" else gltf.load_gltf
    try:
        with open(path, "rb") as f:
            loaded = reader(f, resolver=resolver, skip_materials=True)
        return _vertex_bounds(loaded), True
    except MemoryError:
        raise
    except Exception:  # trimesh raises anything on a file it cannot read; the JSON still answers
        logger.info("trimesh cannot load %s; bounds come from accessor min/max", path, exc_info=True)
        return _accessor_bounds(document), False


def _vertex_bounds(loaded: dict[str, Any]) -> tuple[list[float], list[float]] | None:
    """The box of what trimesh's glTF reader returned: its scene graph (edges from a parent frame to a child, each
    with the child's local matrix and maybe a geometry) walked from the base frame, each geometry's box moved by
    its world matrix (a scale and translation moves the box's corners; a rotation moves the vertices)."""
    children: dict[str, list[dict[str, Any]]] = {}
    for edge in loaded.get("graph") or ():
        children.setdefault(edge["frame_from"], []).append(edge)
    geometry = loaded.get("geometry") or {}
    boxes: dict[str, np.ndarray] = {}
    lows, highs = [], []
    stack = [(loaded.get("base_frame", "world"), np.eye(4))]
    seen = set()
    while stack:
        frame, world = stack.pop()
        if frame in seen:  # a malformed graph must not loop
            continue
        seen.add(frame)
        for edge in children.get(frame, ()):
            matrix = world @ np.asarray(edge.get("matrix", np.eye(4)), dtype=np.float64)
            stack.append((edge["frame_to"], matrix))
            name = edge.get("geometry")
            if name is None:  # a node without a mesh
                continue
            vertices = (geometry.get(name) or {}).get("vertices")
            if vertices is None or len(vertices) == 0 or np.ndim(vertices) != 2 or np.shape(vertices)[1] != 3:
                continue
            rotation, offset = matrix[:3, :3], matrix[:3, 3]
            if np.count_nonzero(rotation - np.diag(np.diagonal(rotation))) == 0:
                if name not in boxes:
                    boxes[name] = _extent(vertices)
                corners = boxes[name] * np.diagonal(rotation) + offset
            else:
                corners = _extent(np.asarray(vertices) @ rotation.T) + offset
            lows.append(corners.min(axis=0))
            highs.append(corners.max(axis=0))
    return _box(lows, highs)


def _extent(points: np.ndarray) -> np.ndarray:
    """Per-axis min and max as a (2, 3) array; column by column, which numpy reduces ~5x faster than axis=0."""
    columns = np.asarray(points).view(np.ndarray)
    return np.array([[columns[:, axis].min() for axis in range(3)], [columns[:, axis].max() for axis in range(3)]])


def _accessor_bounds(document: dict[str, Any]) -> tuple[list[float], list[float]] | None:
    accessors, meshes = array_at(document, "accessors"), array_at(document, "meshes")
    nodes = array_at(document, "nodes")
    boxes = []
    for node_index, matrix in _world_matrices(document):
        mesh_index = nodes[node_index].get("mesh")
        if not isinstance(mesh_index, int) or not 0 <= mesh_index < len(meshes):
            continue
        for primitive in meshes[mesh_index].get("primitives") or []:
            box = _position_box(accessors, primitive.get("attributes", {}).get("POSITION"))
            if box is None:
                continue
            corners = np.array([[x, y, z, 1.0] for x in box[:, 0] for y in box[:, 1] for z in box[:, 2]])
            boxes.append((corners @ matrix.T)[:, :3])
    return _box([b.min(axis=0) for b in boxes], [b.max(axis=0) for b in boxes])


def _position_box(accessors: list[Any], index: Any) -> np.ndarray | None:
    if not isinstance(index, int) or not 0 <= index < len(accessors) or not isinstance(accessors[index], dict):
        return None
    accessor = accessors[index]
    low, high = accessor.get("min"), accessor.get("max")
    if not (isinstance(low, list) and isinstance(high, list) and len(low) == len(high) == 3):
        return None
    box = np.array([low, high], dtype=np.float64)
    if accessor.get("normalized") and accessor.get("componentType") in NORMALIZED_MAX:
        box = np.maximum(box / NORMALIZED_MAX[accessor["componentType"]], -1.0)
    return box


def _world_matrices(document: dict[str, Any]) -> Iterator[tuple[int, np.ndarray]]:
    """Each node of the default scene (or of every scene) with its world matrix; cycles and bad indices skipped."""
    nodes, scenes = array_at(document, "nodes"), array_at(document, "scenes")
    chosen = document.get("scene")
    if isinstance(chosen, int) and 0 <= chosen < len(scenes):
        scenes = [scenes[chosen]]
    stack = [(root, np.eye(4)) for scene in scenes if isinstance(scene, dict) for root in scene.get("nodes") or []]
    visited: set[int] = set()
    while stack:
        index, parent = stack.pop()
        if not isinstance(index, int) or not 0 <= index < len(nodes) or index in visited:
            continue
        visited.add(index)
        node = nodes[index] if isinstance(nodes[index], dict) else {}
        matrix = parent @ _local_matrix(node)
        yield index, matrix
        stack.extend((child, matrix) for child in node.get("children") or [])


def _local_matrix(node: dict[str, Any]) -> np.ndarray:
    if isinstance(node.get("matrix"), list) and len(node["matrix"]) == 16:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T  # glTF stores columns first
    x, y, z, w = node.get("rotation") or (0.0, 0.0, 0.0, 1.0)
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    matrix = np.eye(4)
    matrix[:3, :3] = rotation * np.array(node.get("scale") or (1.0, 1.0, 1.0))
    matrix[:3, 3] = node.get("translation") or (0.0, 0.0, 0.0)
    return matrix


def _box(lows: list[np.ndarray], highs: list[np.ndarray]) -> tuple[list[float], list[float]] | None:
    if not lows:
        return None
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        return None
    return [_round(v) for v in low], [_round(v) for v in high]


def _round(value: float) -> float:
    """Micrometre precision: enough for any scene, without float32 noise such as 0.3999965786933899 (or -0.0)."""
    return round(float(value), 6) + 0.0
