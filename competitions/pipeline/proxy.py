"""A lighter stand-in for a large scene, for the turntable: each triangle mesh simplified with fast-simplification
to share a triangle budget, its texture and colours baked into vertex colours so it still looks like the model."""

import math

import fast_simplification
import numpy as np
from PIL import Image
from scipy.spatial import cKDTree

from competitions.pipeline.gltf_scene import TRIANGLES, Material, Primitive, Scene, TextureRef

# Meshes this small are kept as they are: simplifying them saves nothing and ruins their shape.
_KEEP_TRIANGLES = 256


def _sample(image: Image.Image, texture: TextureRef, uv: np.ndarray) -> np.ndarray:
    """The image's linear RGBA at each UV (nearest texel), with the sampler's wrap modes."""
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    height, width = pixels.shape[:2]
    coordinates = []
    for axis, size in ((0, width), (1, height)):
        t = uv[:, axis].astype(np.float64)
        mode = texture.wrap[axis]
        if mode == 1:
            t = np.clip(t, 0.0, 1.0)
        elif mode == 2:
            t = np.mod(t, 2.0)
            t = np.where(t > 1.0, 2.0 - t, t)
        else:
            t = np.mod(t, 1.0)
        coordinates.append(np.clip((t * size).astype(np.int64), 0, size - 1))
    texels = pixels[coordinates[1], coordinates[0]]
    texels[:, :3] = texels[:, :3] ** 2.2  # sRGB to linear, as the GPU does for the real texture
    return texels


def baked_colours(primitive: Primitive, images: dict[int, Image.Image]) -> np.ndarray:
    """Per-vertex linear RGBA: base colour factor x vertex colour x texture, plus the emissive factor."""
    material = primitive.material
    colours = np.tile(material.colour.astype(np.float32), (len(primitive.positions), 1))
    if primitive.colours is not None:
        colours *= primitive.colours
    if material.texture is not None and primitive.uv is not None and material.texture.image in images:
        colours *= _sample(images[material.texture.image], material.texture, primitive.uv)
    if material.emissive_texture is None:
        colours[:, :3] += material.emissive
    return np.clip(colours, 0.0, None)


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """For every row, the index of its value among the distinct rows."""
    rows = np.ascontiguousarray(rows)
    view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    return np.unique(view, return_inverse=True)[1].ravel()


def _cluster(positions: np.ndarray, faces: np.ndarray, vertices: int) -> np.ndarray:
    """For every vertex, its cell in a grid sized so that about ``vertices`` cells hold the surface."""
    step = max(1, len(faces) // 100_000)  # the surface area, estimated from a sample of the triangles
    corners = positions[faces[::step]]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    area = 0.5 * step * float(np.sqrt((normals.astype(np.float64) ** 2).sum(axis=1)).sum())
    low, high = positions.min(axis=0), positions.max(axis=0)
    cell = math.sqrt(area / vertices) if area > 0 else float(np.linalg.norm(high - low)) / vertices ** (1 / 3)
    cell = max(cell, 1e-12)
    dims = np.floor((high - low) / cell).astype(np.int64) + 1
    cells = np.minimum(((positions - low) / cell).astype(np.int64), dims - 1)
    if float(dims[0]) * float(dims[1]) * float(dims[2]) >= 2**62:
        return _unique_rows(cells)
    keys = (cells[:, 0] * dims[1] + cells[:, 1]) * dims[2] + cells[:, 2]
    return np.unique(keys, return_inverse=True)[1].ravel()


def _group_mean(values: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    sizes = np.maximum(np.bincount(groups, minlength=count), 1).astype(np.float64)
    columns = [np.bincount(groups, weights=values[:, i], minlength=count) / sizes for i in range(values.shape[1])]
    return np.stack(columns, axis=1)


def _simplify(primitive: Primitive, colours: np.ndarray, target: int) -> Primitive:
    """The primitive reduced to about ``target`` triangles, its colours carried per vertex. It has no normals, so
    it is drawn flat shaded."""
    positions = primitive.positions
    indices = primitive.indices if primitive.indices is not None else np.arange(len(positions), dtype=np.uint32)
    faces = indices.astype(np.int64).reshape(-1, 3)
    # One surface for the simplifier: vertices the file split (UV seams, flat shading) are joined; a mesh far
    # over its target is first snapped to a grid of about the target's vertex count, which is cheap, so the
    # slower quadric simplification starts from about twice the target.
    if len(faces) > 4 * target:
        groups = _cluster(positions, faces, target)
    else:
        groups = _unique_rows(positions)
    count = int(groups.max()) + 1
    merged_positions = _group_mean(positions, groups, count)
    merged_colours = _group_mean(colours, groups, count)
    faces = groups[faces]
    faces = faces[(faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])]
    if len(faces) > target:
        new_positions, new_faces, collapses = fast_simplification.simplify(
            merged_positions, faces.astype(np.int32), target_count=target, agg=9, return_collapses=True
        )
        new_colours = _collapsed_colours(merged_positions, merged_colours, new_positions, collapses)
    else:
        used = np.unique(faces)
        new_positions, new_colours = merged_positions[used], merged_colours[used]
        new_faces = np.searchsorted(used, faces)
    proxy = Primitive(
        mode=TRIANGLES,
        positions=np.ascontiguousarray(new_positions, np.float32),
        material=_plain(primitive.material),
        colours=np.ascontiguousarray(new_colours, np.float32),
        indices=np.ascontiguousarray(new_faces, np.uint32).ravel(),
    )
    return proxy


def _collapsed_colours(
    positions: np.ndarray, colours: np.ndarray, new_positions: np.ndarray, collapses: np.ndarray
) -> np.ndarray:
    """The colour of each simplified vertex: the mean over the vertices collapsed into it."""
    # Every collapse folds a vertex into another; following them ends in a survivor, and the survivors, in index
    # order, are the simplifier's output vertices.
    parent = np.arange(len(positions))
    if len(collapses):
        parent[collapses[:, 1]] = collapses[:, 0]
        while True:
            following = parent[parent]
            if np.array_equal(following, parent):
                break
            parent = following
    survivors, group = np.unique(parent, return_inverse=True)
    if len(survivors) == len(new_positions):
        return _group_mean(colours, group.ravel(), len(survivors))
    # The simplifier also dropped vertices no face used: colour each output vertex from its nearest input.
    _, nearest = cKDTree(positions).query(new_positions)
    return colours[nearest]


def _plain(material: Material) -> Material:
    """The material with everything baked into vertex colours: white, untextured, same alpha and sidedness."""
    return Material(
        alpha_mode=material.alpha_mode,
        alpha_cutoff=material.alpha_cutoff,
        double_sided=material.double_sided,
        unlit=material.unlit,
        metallic=material.metallic,
        roughness=material.roughness,
    )


def simplified(scene: Scene, budget: int) -> Scene:
    """``scene`` with about ``budget`` triangles drawn in all (meshes drawn several times count each time)."""
    total = scene.triangles
    if total <= budget:
        return scene
    ratio = budget / total
    primitives = []
    for primitive in scene.primitives:
        if primitive.mode != TRIANGLES or primitive.triangles <= _KEEP_TRIANGLES:
            primitives.append(primitive)
            continue
        target = max(_KEEP_TRIANGLES, int(primitive.triangles * ratio))
        primitives.append(_simplify(primitive, baked_colours(primitive, scene.images), target))
    return Scene(primitives, scene.draws, scene.images)
