"""The floors of the asset pipeline: what the reference tools take on one file, each as a whole process.

    .venv/bin/python bench/floors.py SCENE.glb          prints each floor's seconds (best of 2)
    .venv/bin/python bench/floors.py --hero-draw SCENE.glb   the bare hero draw itself (what the first runs)

The floors: the Khronos glTF-Validator alone (``node validate.mjs``), a bare ``trimesh.load`` (a Python process that
imports trimesh and loads the file), a bare moderngl hero draw that includes its load (trimesh load, one EGL
context, the triangles uploaded once and drawn once at 1280x720 with a one-light shader, the pixels read back),
and gltfpack alone (``gltfpack -cc``, meshopt compression, as the viewer copy is made). No pipeline code is used:
these are what anyone would run by hand, the bar the pipeline's stages are measured against.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NODE_DIR = REPO / "competitions" / "pipeline" / "node"
VALIDATOR = NODE_DIR / "validate.mjs"
GLTFPACK = NODE_DIR / "node_modules" / "gltfpack" / "cli.js"
FLOORS = ("validator alone", "trimesh load", "hero draw", "gltfpack alone")

VERTEX = """
#version 330
uniform mat4 mvp;
in vec3 position;
in vec3 normal;
out vec3 v_normal;
void main() { gl_Position = mvp * vec4(position, 1.0); v_normal = normal; }
"""
FRAGMENT = """
#version 330
in vec3 v_normal;
out vec4 colour;
void main() {
    float light = max(dot(normalize(v_normal), normalize(vec3(0.4, 0.8, 0.5))), 0.0);
    colour = vec4(vec3(0.2 + 0.8 * light), 1.0);
}
"""


def hero_draw(path: Path) -> None:
    """Load ``path`` with trimesh and draw it once at 1280x720 on EGL: the bare draw the render stage is held to."""
    import moderngl
    import numpy as np
    import trimesh

    mesh = trimesh.load(str(path), force="mesh", process=False)
    assert isinstance(mesh, trimesh.Trimesh)
    vertices = np.asarray(mesh.vertices, dtype="f4")
    normals = np.asarray(mesh.vertex_normals, dtype="f4")
    faces = np.asarray(mesh.faces, dtype="i4")
    options: dict[str, Any] = {"backend": "egl"}
    ctx = moderngl.create_standalone_context(require=330, **options)
    program = ctx.program(vertex_shader=VERTEX, fragment_shader=FRAGMENT)
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    centre, radius = (low + high) / 2, float(np.linalg.norm(high - low)) / 2 or 1.0
    eye = centre + np.array([1.0, 0.8, 1.2]) * radius * 1.6
    forward = (centre - eye) / np.linalg.norm(centre - eye)
    side = np.cross(forward, [0.0, 1.0, 0.0])
    side /= np.linalg.norm(side)
    up = np.cross(side, forward)
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = side, up, -forward
    view[:3, 3] = -view[:3, :3] @ eye
    near, far, f = radius * 0.05, radius * 10, 1 / np.tan(np.radians(22.5))
    projection = np.array(
        [[f / (1280 / 720), 0, 0, 0], [0, f, 0, 0], [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
         [0, 0, -1, 0]]
    )  # fmt: skip
    mvp = program["mvp"]
    assert isinstance(mvp, moderngl.Uniform)
    mvp.write((projection @ view).T.astype("f4").tobytes())
    vbo = ctx.buffer(np.hstack([vertices, normals]).astype("f4").tobytes())
    ibo = ctx.buffer(faces.tobytes())
    vao = ctx.vertex_array(program, [(vbo, "3f 3f", "position", "normal")], index_buffer=ibo)
    fbo = ctx.simple_framebuffer((1280, 720), samples=0)
    fbo.use()
    ctx.enable(moderngl.DEPTH_TEST)
    fbo.clear(0.9, 0.9, 0.9, 1.0)
    vao.render(moderngl.TRIANGLES)
    fbo.read(components=3)


def _whole_process(command: list[str], runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        best = min(best, time.perf_counter() - started)
    return best


def floors(scene: Path, runs: int = 2) -> dict[str, float]:
    """Seconds of each floor on ``scene``, each the best of ``runs`` whole processes."""
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="metascene-floors-") as scratch:
        packed = Path(scratch) / "packed.glb"
        return {
            "validator alone": _whole_process(["node", str(VALIDATOR), str(scene), str(scene.parent)], runs),
            "trimesh load": _whole_process(
                [python, "-c", "import sys, trimesh; trimesh.load(sys.argv[1])", str(scene)], runs
            ),
            "hero draw": _whole_process([python, str(Path(__file__).resolve()), "--hero-draw", str(scene)], runs),
            "gltfpack alone": _whole_process(["node", str(GLTFPACK), "-i", str(scene), "-o", str(packed), "-cc"], runs),
        }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--hero-draw":
        hero_draw(Path(sys.argv[2]))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    figures = floors(Path(sys.argv[1]))
    for name in FLOORS:
        print(f"{name:<16} {figures[name]:6.2f} s")
    print(f"{'sum':<16} {sum(figures.values()):6.2f} s  ({len(os.sched_getaffinity(0))} cores)")


if __name__ == "__main__":
    main()
