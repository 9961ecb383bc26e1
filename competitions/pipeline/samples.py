"""Small, valid glTF 2.0 scenes, for the demo data, the benchmarks and the tests. No downloads; numpy only for the
grid scenes, imported inside them, so the box scenes stay free of it.

``scene_glb([Box(...), ...])`` returns the bytes of a GLB with one node, mesh and material per box;
``grid_scene_glb(triangles)`` a waved ground of exactly that many triangles. ``BinaryChunk`` and ``assemble_glb``
build any GLB one buffer view at a time (the tests' scenes in ``tests/pipeline/scenes.py`` use them too).
"""

import base64
import json
import math
import struct
from dataclasses import dataclass
from typing import Any

ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
FLOAT, UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5121, 5123, 5125
POINTS, LINES, TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = 0, 1, 4, 5, 6

# Each face: outward normal and its four corners, counter-clockwise seen from outside.
BOX_FACES = [
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


def unit_box() -> tuple[bytes, bytes, bytes]:
    """Positions, normals and 16-bit indices of a unit cube centred on the origin: 24 vertices, 12 triangles."""
    positions: list[tuple[float, ...]] = []
    normals: list[tuple[int, int, int]] = []
    indices: list[int] = []
    for normal, corners in BOX_FACES:
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


class BinaryChunk:
    """The GLB binary chunk, built one 4-byte-aligned buffer view at a time."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.views: list[dict[str, int]] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        """Appends ``data`` as a new buffer view; returns the view's index."""
        view = {"buffer": 0, "byteOffset": self.length, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        padded = _pad(data, b"\0")
        self.parts.append(padded)
        self.length += len(padded)
        self.views.append(view)
        return len(self.views) - 1


def assemble_glb(document: dict[str, Any], chunk: BinaryChunk) -> bytes:
    """The GLB of ``document`` with ``chunk`` as its one buffer (its views and buffer are added to the document)."""
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


# --- boxes ---------------------------------------------------------------------------------------------------------


def scene_glb(boxes: list[Box], *, generator: str = "Metascene samples") -> bytes:
    """A GLB holding ``boxes``; every box shares one unit-cube geometry and is placed by its node."""
    positions, normals, indices = unit_box()
    vertex_count = len(positions) // 12
    chunk = BinaryChunk()
    views = [
        chunk.add(positions, ARRAY_BUFFER),
        chunk.add(normals, ARRAY_BUFFER),
        chunk.add(indices, ELEMENT_ARRAY_BUFFER),
    ]
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
                "bufferView": views[0],
                "componentType": FLOAT,
                "count": vertex_count,
                "type": "VEC3",
                "min": [-0.5, -0.5, -0.5],
                "max": [0.5, 0.5, 0.5],
            },
            {"bufferView": views[1], "componentType": FLOAT, "count": vertex_count, "type": "VEC3"},
            {"bufferView": views[2], "componentType": UNSIGNED_SHORT, "count": len(indices) // 2, "type": "SCALAR"},
        ],
    }
    return assemble_glb(document, chunk)


def box_glb(colour: tuple[float, float, float] = (0.2, 0.5, 0.9)) -> bytes:
    """One coloured unit cube resting on the ground: 12 triangles, 24 vertices."""
    return scene_glb([Box(colour=colour, name="cube")])


def embedded_gltf(glb: bytes) -> bytes:
    """The scene of a GLB as a self-contained .gltf: its binary chunk becomes a base64 data URI."""
    (json_length,) = struct.unpack_from("<I", glb, 12)
    document = json.loads(glb[20 : 20 + json_length])
    binary_at = 20 + json_length
    (binary_length,) = struct.unpack_from("<I", glb, binary_at)
    binary = glb[binary_at + 8 : binary_at + 8 + binary_length]
    document["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(binary).decode()
    return json.dumps(document, indent=2).encode()


# --- grids: large scenes for the benchmarks and the tests -----------------------------------------------------------


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

    chunk = BinaryChunk()
    accessors: list[dict[str, Any]] = [
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
    material: dict[str, Any] = {"name": "grid", "pbrMetallicRoughness": {"metallicFactor": 0.0, "roughnessFactor": 0.9}}
    document: dict[str, Any] = {"asset": {"version": "2.0", "generator": "Metascene samples"}}
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
    return assemble_glb(document, chunk)
