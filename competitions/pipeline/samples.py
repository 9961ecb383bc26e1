"""Small, valid glTF 2.0 scenes built from boxes, for the demo data and the tests. No downloads, no numpy.

``scene_glb([Box(...), ...])`` returns the bytes of a GLB with one node, mesh and material per box.
"""

import json
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
        indices += [base, base + 2, base + 1, base, base + 3, base + 2]
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
