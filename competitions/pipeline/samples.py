"""Small, valid glTF 2.0 scenes built from boxes, for the demo data and the tests. No downloads, no numpy.

``scene_glb([Box(...), ...])`` returns the bytes of a GLB with one node, mesh and material per box.
"""

import json
import math
import struct
from dataclasses import dataclass

# Each face: outward normal and its four corners, counter-clockwise seen from outside.
_FACES = [
    ((1, 0, 0), [(1, -1, -1), (1, 1, -1), (1, 1, 1), (1, -1, 1)]),
    ((-1, 0, 0), [(-1, -1, 1), (-1, 1, 1), (-1, 1, -1), (-1, -1, -1)]),
    ((0, 1, 0), [(-1, 1, -1), (-1, 1, 1), (1, 1, 1), (1, 1, -1)]),
    ((0, -1, 0), [(-1, -1, 1), (-1, -1, -1), (1, -1, -1), (1, -1, 1)]),
    ((0, 0, 1), [(1, -1, 1), (1, 1, 1), (-1, 1, 1), (-1, -1, 1)]),
    ((0, 0, -1), [(-1, -1, -1), (-1, 1, -1), (1, 1, -1), (1, -1, -1)]),
]


@dataclass(frozen=True)
class Box:
    centre: tuple[float, float, float] = (0.0, 0.5, 0.0)
    size: tuple[float, float, float] = (1.0, 1.0, 1.0)
    colour: tuple[float, float, float] = (0.8, 0.8, 0.8)
    name: str = "box"


def _unit_box() -> tuple[bytes, bytes, bytes]:
    positions, normals, indices = [], [], []
    for normal, corners in _FACES:
        base = len(positions)
        for corner in corners:
            positions.append(tuple(0.5 * c for c in corner))
            normals.append(normal)
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    return (
        b"".join(struct.pack("<3f", *p) for p in positions),
        b"".join(struct.pack("<3f", *n) for n in normals),
        struct.pack(f"<{len(indices)}H", *indices),
    )


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * (-len(data) % 4)


def scene_glb(boxes: list[Box], *, generator: str = "Metascene samples") -> bytes:
    """A GLB holding ``boxes``; every box shares one unit-cube geometry and is placed by its node."""
    positions, normals, indices = _unit_box()
    binary = positions + normals + indices
    vertex_count = len(positions) // 12
    document = {
        "asset": {"version": "2.0", "generator": generator},
        "scene": 0,
        "scenes": [{"nodes": list(range(len(boxes)))}],
        "nodes": [
            {"name": box.name, "mesh": i, "translation": list(box.centre), "scale": list(box.size)}
            for i, box in enumerate(boxes)
        ],
        "meshes": [
            {
                "name": box.name,
                "primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2, "material": i}],
            }
            for i, box in enumerate(boxes)
        ],
        "materials": [
            {
                "name": f"{box.name}-material",
                "pbrMetallicRoughness": {
                    "baseColorFactor": [*box.colour, 1.0],
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.8,
                },
            }
            for box in boxes
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": vertex_count,
                "type": "VEC3",
                "min": [-0.5, -0.5, -0.5],
                "max": [0.5, 0.5, 0.5],
            },
            {"bufferView": 1, "componentType": 5126, "count": vertex_count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": len(indices) // 2, "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(positions), "target": 34962},
            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(normals), "target": 34962},
            {"buffer": 0, "byteOffset": len(positions) + len(normals), "byteLength": len(indices), "target": 34963},
        ],
        "buffers": [{"byteLength": len(binary)}],
    }
    json_chunk = _pad(json.dumps(document, separators=(",", ":")).encode(), b" ")
    bin_chunk = _pad(binary, b"\0")
    length = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, length),
            struct.pack("<I4s", len(json_chunk), b"JSON"),
            json_chunk,
            struct.pack("<I4s", len(bin_chunk), b"BIN\0"),
            bin_chunk,
        ]
    )


def box_glb(colour: tuple[float, float, float] = (0.2, 0.5, 0.9)) -> bytes:
    """One coloured unit cube resting on the ground: 12 triangles, 24 vertices."""
    return scene_glb([Box(colour=colour, name="cube")])


# Larger and richer scenes for the pipeline's tests and benchmarks. numpy is imported inside these functions only, so
# the box scenes above stay free of it.

ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
FLOAT, UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5121, 5123, 5125
POINTS, LINES, TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = 0, 1, 4, 5, 6


class _BinaryChunk:
    """The GLB binary chunk, built one 4-byte-aligned buffer view at a time."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.views: list[dict] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        view: dict = {"buffer": 0, "byteOffset": self.length, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        padded = _pad(data, b"\0")
        self.parts.append(padded)
        self.length += len(padded)
        self.views.append(view)
        return len(self.views) - 1


def _assemble_glb(document: dict, chunk: _BinaryChunk) -> bytes:
    binary = b"".join(chunk.parts)
    document = {**document, "bufferViews": chunk.views, "buffers": [{"byteLength": len(binary)}]}
    json_chunk = _pad(json.dumps(document, separators=(",", ":")).encode(), b" ")
    length = 12 + 8 + len(json_chunk) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, length),
            struct.pack("<I4s", len(json_chunk), b"JSON"),
            json_chunk,
            struct.pack("<I4s", len(binary), b"BIN\0"),
            binary,
        ]
    )


def checkerboard_png(width: int = 256, height: int = 256, squares: int = 8) -> bytes:
    """An RGB PNG checkerboard, encoded here (zlib only) so no image library is needed to build test textures."""
    import zlib

    import numpy as np

    step = max(1, max(width, height) // squares)
    ys, xs = np.mgrid[0:height, 0:width]
    light = ((xs // step + ys // step) % 2).astype(bool)
    pixels = np.where(light[..., None], np.array([230, 200, 60], np.uint8), np.array([40, 90, 160], np.uint8))
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.astype(np.uint8).reshape(height, width * 3)], 1)

    def png_chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),
            png_chunk(b"IEND", b""),
        ]
    )


def grid_shape(triangles: int) -> tuple[int, int]:
    """Rows and columns of quads that ``grid_scene_glb(triangles)`` lays out; its last row may be partly filled."""
    if triangles < 1:
        raise ValueError("A grid needs at least one triangle.")
    cols = math.ceil(math.sqrt(triangles / 2))
    return math.ceil(triangles / (2 * cols)), cols


def grid_vertex_count(triangles: int) -> int:
    """The vertex count of ``grid_scene_glb(triangles)``: every corner of its grid of quads."""
    rows, cols = grid_shape(triangles)
    return (rows + 1) * (cols + 1)


def grid_scene_glb(
    triangles: int,
    *,
    textured: bool = False,
    vertex_colours: bool = False,
    size: float = 10.0,
    texture_size: tuple[int, int] = (256, 256),
) -> bytes:
    """A gently waved square ``size`` metres wide on the ground: one node, mesh, material and draw call with exactly
    ``triangles`` triangles and ``grid_vertex_count(triangles)`` vertices (positions, normals; with ``textured`` UVs
    and a checkerboard PNG base-colour texture of ``texture_size`` (width, height); with ``vertex_colours`` an RGBA
    COLOR_0). 1,300,000 triangles make a 30 MB file in about a second."""
    import numpy as np

    rows, cols = grid_shape(triangles)
    u, v = np.meshgrid(np.linspace(0.0, 1.0, cols + 1), np.linspace(0.0, 1.0, rows + 1))
    x, z = (u - 0.5) * size, (v - 0.5) * size
    k, amplitude = 6 * math.pi / size, 0.02 * size
    y = amplitude * (1.0 + np.sin(k * x) * np.cos(k * z))
    positions = np.stack([x, y, z], axis=-1).reshape(-1, 3).astype(np.float32)
    slope_x = amplitude * k * np.cos(k * x) * np.cos(k * z)
    slope_z = -amplitude * k * np.sin(k * x) * np.sin(k * z)
    normals = np.stack([-slope_x, np.ones_like(x), -slope_z], axis=-1).reshape(-1, 3)
    normals = (normals / np.linalg.norm(normals, axis=1, keepdims=True)).astype(np.float32)

    corner = (np.arange(rows)[:, None] * (cols + 1) + np.arange(cols)[None, :]).reshape(-1)
    below = corner + cols + 1
    quads = np.stack([corner, below, corner + 1, corner + 1, below, below + 1], axis=1)
    vertex_count = positions.shape[0]
    index_type = np.uint16 if vertex_count <= 0xFFFF else np.uint32
    indices = quads.reshape(-1, 3)[:triangles].astype(index_type)

    chunk = _BinaryChunk()
    accessors: list[dict] = [
        {
            "bufferView": chunk.add(positions.tobytes(), ARRAY_BUFFER),
            "componentType": FLOAT,
            "count": vertex_count,
            "type": "VEC3",
            "min": positions.min(axis=0).tolist(),
            "max": positions.max(axis=0).tolist(),
        },
        {
            "bufferView": chunk.add(normals.tobytes(), ARRAY_BUFFER),
            "componentType": FLOAT,
            "count": vertex_count,
            "type": "VEC3",
        },
        {
            "bufferView": chunk.add(indices.tobytes(), ELEMENT_ARRAY_BUFFER),
            "componentType": UNSIGNED_SHORT if index_type is np.uint16 else UNSIGNED_INT,
            "count": int(indices.size),
            "type": "SCALAR",
        },
    ]
    attributes = {"POSITION": 0, "NORMAL": 1}
    material: dict = {"name": "grid", "pbrMetallicRoughness": {"metallicFactor": 0.0, "roughnessFactor": 0.9}}
    document: dict = {"asset": {"version": "2.0", "generator": "Metascene samples"}}
    if textured:
        uvs = np.stack([u, v], axis=-1).reshape(-1, 2).astype(np.float32)
        attributes["TEXCOORD_0"] = len(accessors)
        accessors.append(
            {
                "bufferView": chunk.add(uvs.tobytes(), ARRAY_BUFFER),
                "componentType": FLOAT,
                "count": vertex_count,
                "type": "VEC2",
            }
        )
        image_view = chunk.add(checkerboard_png(*texture_size))
        document["images"] = [{"bufferView": image_view, "mimeType": "image/png"}]
        document["samplers"] = [{"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}]
        document["textures"] = [{"source": 0, "sampler": 0}]
        material["pbrMetallicRoughness"]["baseColorTexture"] = {"index": 0}
    if vertex_colours:
        height = (y - y.min()) / max(float(np.ptp(y)), 1e-9)
        rgba = np.stack([u, height, 1.0 - v, np.ones_like(u)], axis=-1).reshape(-1, 4)
        colours = np.round(rgba * 255).astype(np.uint8)
        attributes["COLOR_0"] = len(accessors)
        accessors.append(
            {
                "bufferView": chunk.add(colours.tobytes(), ARRAY_BUFFER),
                "componentType": UNSIGNED_BYTE,
                "normalized": True,
                "count": vertex_count,
                "type": "VEC4",
            }
        )
    document.update(
        {
            "scene": 0,
            "scenes": [{"nodes": [0]}],
            "nodes": [{"name": "grid", "mesh": 0}],
            "meshes": [{"name": "grid", "primitives": [{"attributes": attributes, "indices": 2, "material": 0}]}],
            "materials": [material],
            "accessors": accessors,
        }
    )
    return _assemble_glb(document, chunk)


# What the Khronos validator reports for ``primitive_modes_glb()``: it counts every primitive of every mesh as
# declared (a mesh drawn by two nodes counts once), triangles by mode (strips and fans n - 2, points and lines 0).
PRIMITIVE_MODES_COUNTS = {"triangles": 25, "vertices": 60, "draw_calls": 7, "meshes": 2, "nodes": 3}


def primitive_modes_glb() -> bytes:
    """A scene that exercises how triangles are counted: a box mesh drawn by two nodes (12 triangles, 24 vertices),
    and a mesh of six primitives over one 6-vertex accessor: non-indexed triangles (2), a strip (4), a fan (4),
    lines (0), points (0) and an indexed strip of 5 indices (3). Counts in ``PRIMITIVE_MODES_COUNTS``."""
    box_positions, box_normals, box_indices = _unit_box()
    hexagon = [(math.cos(a * math.pi / 3), 0.0, math.sin(a * math.pi / 3)) for a in range(6)]
    hexagon_bytes = b"".join(struct.pack("<3f", *p) for p in hexagon)
    chunk = _BinaryChunk()
    accessors = [
        {
            "bufferView": chunk.add(box_positions, ARRAY_BUFFER),
            "componentType": FLOAT,
            "count": 24,
            "type": "VEC3",
            "min": [-0.5, -0.5, -0.5],
            "max": [0.5, 0.5, 0.5],
        },
        {"bufferView": chunk.add(box_normals, ARRAY_BUFFER), "componentType": FLOAT, "count": 24, "type": "VEC3"},
        {
            "bufferView": chunk.add(box_indices, ELEMENT_ARRAY_BUFFER),
            "componentType": UNSIGNED_SHORT,
            "count": 36,
            "type": "SCALAR",
        },
        {
            "bufferView": chunk.add(hexagon_bytes, ARRAY_BUFFER),
            "componentType": FLOAT,
            "count": 6,
            "type": "VEC3",
            "min": [min(p[i] for p in hexagon) for i in range(3)],
            "max": [max(p[i] for p in hexagon) for i in range(3)],
        },
        {
            "bufferView": chunk.add(struct.pack("<5H", 0, 1, 2, 3, 4), ELEMENT_ARRAY_BUFFER),
            "componentType": UNSIGNED_SHORT,
            "count": 5,
            "type": "SCALAR",
        },
    ]
    hexagon_attributes = {"POSITION": 3}
    document = {
        "asset": {"version": "2.0", "generator": "Metascene samples"},
        "scene": 0,
        "scenes": [{"nodes": [0, 1, 2]}],
        "nodes": [
            {"name": "box-left", "mesh": 0, "translation": [-2.0, 0.5, 0.0]},
            {"name": "box-right", "mesh": 0, "translation": [2.0, 0.5, 0.0]},
            {"name": "shapes", "mesh": 1, "translation": [0.0, 2.0, 0.0]},
        ],
        "meshes": [
            {"name": "box", "primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2}]},
            {
                "name": "shapes",
                "primitives": [
                    {"attributes": hexagon_attributes, "mode": TRIANGLES},
                    {"attributes": hexagon_attributes, "mode": TRIANGLE_STRIP},
                    {"attributes": hexagon_attributes, "mode": TRIANGLE_FAN},
                    {"attributes": hexagon_attributes, "mode": LINES},
                    {"attributes": hexagon_attributes, "mode": POINTS},
                    {"attributes": hexagon_attributes, "indices": 4, "mode": TRIANGLE_STRIP},
                ],
            },
        ],
        "accessors": accessors,
    }
    return _assemble_glb(document, chunk)


def textured_cube_obj_files(texture_name: str = "crate.png") -> dict[str, bytes]:
    """A textured unit cube as Wavefront OBJ: ``crate.obj``, its ``crate.mtl`` (one material with a base-colour
    map and a diffuse colour) and a PNG texture: 12 triangles, what a zipped OBJ upload holds."""
    lines = ["# Metascene samples", "mtllib crate.mtl", "o crate"]
    uv_corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    faces = []
    for face, (normal, corners) in enumerate(_FACES):
        lines += [f"v {0.5 * c[0]} {0.5 * c[1] + 0.5} {0.5 * c[2]}" for c in corners]
        lines += [f"vt {s} {t}" for s, t in uv_corners]
        lines.append(f"vn {normal[0]} {normal[1]} {normal[2]}")
        a = 4 * face
        corner = [f"{a + i + 1}/{a + i + 1}/{face + 1}" for i in range(4)]
        faces += [f"f {corner[0]} {corner[2]} {corner[1]}", f"f {corner[0]} {corner[3]} {corner[2]}"]
    lines += ["usemtl crate", *faces]
    material = ["newmtl crate", "Kd 0.9 0.8 0.7", "Ka 0 0 0", "d 1.0", "illum 1", f"map_Kd {texture_name}"]
    return {
        "crate.obj": ("\n".join(lines) + "\n").encode(),
        "crate.mtl": ("\n".join(material) + "\n").encode(),
        texture_name: checkerboard_png(64, 64, squares=4),
    }


def cube_stl() -> bytes:
    """A unit cube resting on the ground as binary STL: 12 triangles, no colour (STL has none)."""
    positions, _normals, indices = _unit_box()
    corners = [struct.unpack_from("<3f", positions, 12 * i) for i in range(24)]
    order = struct.unpack(f"<{len(indices) // 2}H", indices)
    records = []
    for t in range(0, len(order), 3):
        a, b, c = (corners[i] for i in order[t : t + 3])
        normal = _FACES[order[t] // 4][0]
        lifted = [(p[0], p[1] + 0.5, p[2]) for p in (a, b, c)]
        records.append(struct.pack("<12fH", *normal, *lifted[0], *lifted[1], *lifted[2], 0))
    header = b"Metascene samples: unit cube".ljust(80, b" ")
    return header + struct.pack("<I", len(records)) + b"".join(records)


def coloured_tetrahedron_ply() -> bytes:
    """An ASCII PLY tetrahedron with a red, green, blue and white vertex: 4 triangles, 4 vertices."""
    vertices = [
        (0.0, 0.0, 0.0, 255, 0, 0),
        (1.0, 0.0, 0.0, 0, 255, 0),
        (0.0, 1.0, 0.0, 0, 0, 255),
        (0.0, 0.0, 1.0, 255, 255, 255),
    ]
    faces = [(0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3)]
    header = [
        "ply",
        "format ascii 1.0",
        "comment Metascene samples",
        f"element vertex {len(vertices)}",
        "property float x",
        "property float y",
        "property float z",
        "property uchar red",
        "property uchar green",
        "property uchar blue",
        f"element face {len(faces)}",
        "property list uchar int vertex_indices",
        "end_header",
    ]
    body = [" ".join(str(value) for value in vertex) for vertex in vertices]
    body += [f"3 {a} {b} {c}" for a, b, c in faces]
    return ("\n".join(header + body) + "\n").encode()


# Boxes that carry their colour in a texture or in vertex colours, for the render and package stages' tests.

# Corner UVs of each face of ``_FACES``: the whole image on every face, upright when seen from outside.
_FACE_UVS = [(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0)]
# COLOR_0 of each face of ``vertex_coloured_box_glb``: +X red, -X green, +Y blue, -Y white, +Z yellow, -Z magenta.
VERTEX_COLOURED_BOX_FACES = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (255, 255, 0), (255, 0, 255)]


def _outward_box() -> tuple[bytes, bytes, bytes]:
    """``_unit_box``'s vertices with every triangle counter-clockwise seen from outside, as glTF's front faces are
    (a renderer that culls back faces shows these boxes from outside)."""
    positions, normals, _ = _unit_box()
    indices = [base + i for base in range(0, 24, 4) for i in (0, 1, 2, 0, 2, 3)]
    return positions, normals, struct.pack(f"<{len(indices)}H", *indices)


def _box_document(chunk: _BinaryChunk, attributes: dict, material: dict) -> dict:
    positions, normals, indices = _outward_box()
    vertex_count = len(positions) // 12
    views = [chunk.add(positions, ARRAY_BUFFER), chunk.add(normals, ARRAY_BUFFER), chunk.add(indices, 34963)]
    accessors = [
        {"bufferView": views[0], "componentType": FLOAT, "count": vertex_count, "type": "VEC3",
         "min": [-0.5, -0.5, -0.5], "max": [0.5, 0.5, 0.5]},
        {"bufferView": views[1], "componentType": FLOAT, "count": vertex_count, "type": "VEC3"},
        {"bufferView": views[2], "componentType": UNSIGNED_SHORT, "count": len(indices) // 2, "type": "SCALAR"},
    ]  # fmt: skip
    for data, component, kind, normalized in attributes.values():
        accessor = {"bufferView": chunk.add(data, ARRAY_BUFFER), "componentType": component, "count": vertex_count}
        accessor["type"] = kind
        if normalized:
            accessor["normalized"] = True
        accessors.append(accessor)
    extra = {name: 3 + i for i, name in enumerate(attributes)}
    return {
        "asset": {"version": "2.0", "generator": "Metascene samples"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": "cube", "mesh": 0, "translation": [0.0, 0.5, 0.0]}],
        "meshes": [
            {
                "name": "cube",
                "primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1, **extra}, "indices": 2, "material": 0}],
            }
        ],
        "materials": [material],
        "accessors": accessors,
    }


def textured_box_glb(texture: bytes | None = None, mime_type: str = "image/png") -> bytes:
    """A unit cube resting on the ground with the base-colour texture ``texture`` (default: a yellow and blue
    checkerboard PNG) on each face: 12 triangles, 24 vertices, one embedded image."""
    texture = checkerboard_png(64, 64, 4) if texture is None else texture
    chunk = _BinaryChunk()
    uvs = b"".join(struct.pack("<2f", *uv) for _ in _FACES for uv in _FACE_UVS)
    material = {
        "name": "cube-material",
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0, "roughnessFactor": 0.8},
    }
    document = _box_document(chunk, {"TEXCOORD_0": (uvs, FLOAT, "VEC2", False)}, material)
    document["images"] = [{"name": "cube-texture", "bufferView": chunk.add(texture), "mimeType": mime_type}]
    document["samplers"] = [{"magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071}]
    document["textures"] = [{"source": 0, "sampler": 0}]
    return _assemble_glb(document, chunk)


def vertex_coloured_box_glb() -> bytes:
    """A unit cube resting on the ground whose faces are coloured by COLOR_0 alone (``VERTEX_COLOURED_BOX_FACES``)
    over a white material: 12 triangles, 24 vertices."""
    chunk = _BinaryChunk()
    colours = b"".join(struct.pack("<4B", *rgb, 255) for rgb in VERTEX_COLOURED_BOX_FACES for _ in range(4))
    material = {"name": "cube-material", "pbrMetallicRoughness": {"metallicFactor": 0.0, "roughnessFactor": 0.8}}
    return _assemble_glb(_box_document(chunk, {"COLOR_0": (colours, UNSIGNED_BYTE, "VEC4", True)}, material), chunk)
