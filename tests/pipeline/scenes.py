"""Scenes the stage tests need beyond ``competitions.pipeline.samples``: the primitive-modes scene the validator's
counts are checked against, a cube as OBJ (with its .mtl and texture), STL and PLY, and boxes that carry their
colour in a texture or in vertex colours."""

import json
import math
import struct
from typing import Any

from competitions.pipeline.samples import (
    ARRAY_BUFFER,
    BOX_FACES,
    ELEMENT_ARRAY_BUFFER,
    FLOAT,
    LINES,
    POINTS,
    TRIANGLE_FAN,
    TRIANGLE_STRIP,
    TRIANGLES,
    UNSIGNED_BYTE,
    UNSIGNED_SHORT,
    BinaryChunk,
    assemble_glb,
    checkerboard_png,
    unit_box,
)

# What the Khronos validator reports for ``primitive_modes_glb()``: it counts every primitive of every mesh as
# declared (a mesh drawn by two nodes counts once), triangles by mode (strips and fans n - 2, points and lines 0).
PRIMITIVE_MODES_COUNTS = {"triangles": 25, "vertices": 60, "draw_calls": 7, "meshes": 2, "nodes": 3}


def primitive_modes_glb() -> bytes:
    """A scene that exercises how triangles are counted: a box mesh drawn by two nodes (12 triangles, 24 vertices),
    and a mesh of six primitives over one 6-vertex accessor: non-indexed triangles (2), a strip (4), a fan (4),
    lines (0), points (0) and an indexed strip of 5 indices (3). Counts in ``PRIMITIVE_MODES_COUNTS``."""
    box_positions, box_normals, box_indices = unit_box()
    hexagon = [(math.cos(a * math.pi / 3), 0.0, math.sin(a * math.pi / 3)) for a in range(6)]
    hexagon_bytes = b"".join(struct.pack("<3f", *p) for p in hexagon)
    chunk = BinaryChunk()
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
    return assemble_glb(document, chunk)


def textured_cube_obj_files(texture_name: str = "crate.png") -> dict[str, bytes]:
    """A textured unit cube as Wavefront OBJ: ``crate.obj``, its ``crate.mtl`` (one material with a base-colour
    map and a diffuse colour) and a PNG texture: 12 triangles, what a zipped OBJ upload holds."""
    lines = ["# Metascene samples", "mtllib crate.mtl", "o crate"]
    uv_corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    faces = []
    for face, (normal, corners) in enumerate(BOX_FACES):
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
    positions, _normals, indices = unit_box()
    corners = [struct.unpack_from("<3f", positions, 12 * i) for i in range(24)]
    order = struct.unpack(f"<{len(indices) // 2}H", indices)
    records = []
    for t in range(0, len(order), 3):
        a, b, c = (corners[i] for i in order[t : t + 3])
        normal = BOX_FACES[order[t] // 4][0]
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

# Corner UVs of each face of ``BOX_FACES``: the whole image on every face, upright when seen from outside.
_FACE_UVS = [(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0)]
# COLOR_0 of each face of ``vertex_coloured_box_glb``: +X red, -X green, +Y blue, -Y white, +Z yellow, -Z magenta.
VERTEX_COLOURED_BOX_FACES = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (255, 255, 0), (255, 0, 255)]


def _outward_box() -> tuple[bytes, bytes, bytes]:
    """``unit_box``'s vertices with every triangle counter-clockwise seen from outside, as glTF's front faces are
    (a renderer that culls back faces shows these boxes from outside)."""
    positions, normals, _ = unit_box()
    indices = [base + i for base in range(0, 24, 4) for i in (0, 1, 2, 0, 2, 3)]
    return positions, normals, struct.pack(f"<{len(indices)}H", *indices)


def _box_document(
    chunk: BinaryChunk, attributes: dict[str, tuple[bytes, int, str, bool]], material: dict[str, Any]
) -> dict[str, Any]:
    positions, normals, indices = _outward_box()
    vertex_count = len(positions) // 12
    views = [
        chunk.add(positions, ARRAY_BUFFER),
        chunk.add(normals, ARRAY_BUFFER),
        chunk.add(indices, ELEMENT_ARRAY_BUFFER),
    ]
    accessors: list[dict[str, Any]] = [
        {"bufferView": views[0], "componentType": FLOAT, "count": vertex_count, "type": "VEC3",
         "min": [-0.5, -0.5, -0.5], "max": [0.5, 0.5, 0.5]},
        {"bufferView": views[1], "componentType": FLOAT, "count": vertex_count, "type": "VEC3"},
        {"bufferView": views[2], "componentType": UNSIGNED_SHORT, "count": len(indices) // 2, "type": "SCALAR"},
    ]  # fmt: skip
    for data, component, kind, normalized in attributes.values():
        accessor: dict[str, Any] = {
            "bufferView": chunk.add(data, ARRAY_BUFFER),
            "componentType": component,
            "count": vertex_count,
            "type": kind,
        }
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
    chunk = BinaryChunk()
    uvs = b"".join(struct.pack("<2f", *uv) for _ in BOX_FACES for uv in _FACE_UVS)
    material = {
        "name": "cube-material",
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0, "roughnessFactor": 0.8},
    }
    document = _box_document(chunk, {"TEXCOORD_0": (uvs, FLOAT, "VEC2", False)}, material)
    document["images"] = [{"name": "cube-texture", "bufferView": chunk.add(texture), "mimeType": mime_type}]
    document["samplers"] = [{"magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071}]
    document["textures"] = [{"source": 0, "sampler": 0}]
    return assemble_glb(document, chunk)


def vertex_coloured_box_glb() -> bytes:
    """A unit cube resting on the ground whose faces are coloured by COLOR_0 alone (``VERTEX_COLOURED_BOX_FACES``)
    over a white material: 12 triangles, 24 vertices."""
    chunk = BinaryChunk()
    colours = b"".join(struct.pack("<4B", *rgb, 255) for rgb in VERTEX_COLOURED_BOX_FACES for _ in range(4))
    material = {"name": "cube-material", "pbrMetallicRoughness": {"metallicFactor": 0.0, "roughnessFactor": 0.8}}
    return assemble_glb(_box_document(chunk, {"COLOR_0": (colours, UNSIGNED_BYTE, "VEC4", True)}, material), chunk)


def unpadded_glb(glb: bytes) -> bytes:
    """The same scene with its JSON chunk cut to its exact length: the chunk lengths are no longer multiples of 4
    and the BIN chunk follows straight after."""
    (json_length,) = struct.unpack_from("<I", glb, 12)
    document = glb[20 : 20 + json_length].rstrip(b" ")
    rest = glb[20 + json_length :]
    if len(document) % 4 == 0:
        document = json.dumps(json.loads(document), indent=1).encode()
    if len(document) % 4 == 0:
        document += b"\n"
    body = struct.pack("<II", len(document), 0x4E4F534A) + document + rest
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body
