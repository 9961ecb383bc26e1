"""Scenes with the entrant's own cameras: two coloured boxes (red at x = -1, blue at x = +1, on the ground) and
glTF camera nodes added to the default scene."""

import math
from typing import Any

from competitions.pipeline.gltf_io import glb_bytes, parse_glb
from competitions.pipeline.samples import Box, scene_glb


def perspective(yfov: float = 0.8, name: str | None = None, **extra: float) -> dict[str, Any]:
    camera: dict[str, Any] = {"type": "perspective", "perspective": {"yfov": yfov, "znear": 0.05, **extra}}
    if name is not None:
        camera["name"] = name
    return camera


def orthographic(ymag: float = 1.5, xmag: float = 2.0, name: str | None = None) -> dict[str, Any]:
    camera: dict[str, Any] = {
        "type": "orthographic",
        "orthographic": {"xmag": xmag, "ymag": ymag, "znear": 0.01, "zfar": 100.0},
    }
    if name is not None:
        camera["name"] = name
    return camera


def turned_about_y(degrees: float) -> list[float]:
    """The quaternion [x, y, z, w] of a turn about +Y."""
    half = math.radians(degrees) / 2
    return [0.0, math.sin(half), 0.0, math.cos(half)]


def turned_about_x(degrees: float) -> list[float]:
    half = math.radians(degrees) / 2
    return [math.sin(half), 0.0, 0.0, math.cos(half)]


def two_boxes_glb(cameras: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> bytes:
    """The two boxes, with one root node per (camera, node) pair carrying that camera; a node may hold
    "children": [node, ...] (nested dicts, each with its own "camera" dict or none)."""
    glb = scene_glb(
        [
            Box(centre=(-1.0, 0.5, 0.0), colour=(0.9, 0.1, 0.1), name="red"),
            Box(centre=(1.0, 0.5, 0.0), colour=(0.1, 0.2, 0.9), name="blue"),
        ]
    )
    document, binary = parse_glb(glb)
    document.setdefault("cameras", [])
    nodes = document["nodes"]

    def add(camera: dict[str, Any] | None, node: dict[str, Any]) -> int:
        node = dict(node)
        children = node.pop("children", [])
        if camera is not None:
            document["cameras"].append(camera)
            node["camera"] = len(document["cameras"]) - 1
        nodes.append(node)
        index = len(nodes) - 1
        if children:
            nodes[index]["children"] = [add(child.pop("camera", None), child) for child in children]
        return index

    roots = [add(camera, node) for camera, node in cameras]
    document["scenes"][document.get("scene", 0)]["nodes"] += roots
    if not document["cameras"]:
        del document["cameras"]
    return glb_bytes(document, binary)
