"""Thumbnails of a glTF scene with a real rasterizer: moderngl on EGL, which is Mesa's llvmpipe on a CPU-only
machine and the GPU's driver where there is one.

``render_views`` writes a 3/4 hero view (1280x720) and front, right and top views (512x512); ``render_turntable``
a looping 36-frame animated WebP, drawn from a simplified proxy when the scene is large; ``render_all`` does both
with one OpenGL context. Every image is lit the same way (a key, a fill and a rim light fixed to the camera, over a
sky/ground ambient) on the same light grey gradient, and framed from the scene's vertices so the model fills the
picture. File names are fixed (hero.webp, hero.png, front.webp, ..., turntable.webp) and each file is written
under a temporary name and renamed, so a rerun overwrites and a killed run leaves no half-written image.

The OpenGL backend is EGL unless ``METASCENE_GL_BACKEND`` names another one (``default`` lets moderngl choose, for
a desktop with GLX but no EGL).
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import moderngl
import numpy as np
from PIL import Image

from competitions.pipeline.gltf_scene import TRIANGLES, Material, Primitive, Scene, load_scene
from competitions.pipeline.proxy import simplified

HERO_SIZE = (1280, 720)
VIEW_SIZE = (512, 512)
TURNTABLE_FRAMES = 36
TURNTABLE_MS_PER_FRAME = 100
# The turntable draws a proxy of about this many triangles when the scene has more.
PROXY_TRIANGLES = 50_000
# Above this many triangles a CPU rasterizer antialiases by supersampling instead of multisampling.
SUPERSAMPLE_TRIANGLES = 15_000
VIEWS = ("hero", "front", "side", "top")
FORMATS = ("webp", "png")
# The background: a vertical gradient in sRGB, light at the top. ``is_blank`` compares against it.
BACKGROUND_TOP = (238, 240, 243)
BACKGROUND_BOTTOM = (196, 201, 209)
# How much the line around the silhouette darkens the background.
OUTLINE_STRENGTH = 0.45
_FOV_Y = math.radians(30.0)
_MARGIN = 0.08  # fraction of the frame left free on each side
_WEBP_QUALITY = 88
_TURNTABLE_QUALITY = 80

_VERTEX_SHADER = """
#version 330
uniform mat4 u_modelview;
uniform mat4 u_projection;
uniform mat3 u_normal_matrix;
in vec3 in_position;
in vec3 in_normal;
in vec2 in_uv;
in vec2 in_uv_emissive;
in vec4 in_colour;
out vec3 v_position;
out vec3 v_normal;
out vec2 v_uv;
out vec2 v_uv_emissive;
out vec4 v_colour;
void main() {
    vec4 position = u_modelview * vec4(in_position, 1.0);
    v_position = position.xyz;
    v_normal = u_normal_matrix * in_normal;
    v_uv = in_uv;
    v_uv_emissive = in_uv_emissive;
    v_colour = in_colour;
    gl_Position = u_projection * position;
}
"""

_FRAGMENT_SHADER = """
#version 330
uniform vec4 u_base_colour;
uniform bool u_use_texture;
uniform sampler2D u_texture;
uniform ivec2 u_wrap;
uniform bool u_use_emissive_texture;
uniform sampler2D u_emissive_texture;
uniform ivec2 u_emissive_wrap;
uniform vec3 u_emissive;
uniform bool u_use_colour;
uniform bool u_use_normal;
uniform bool u_lit;
uniform int u_alpha_mode;  // 0 opaque, 1 mask, 2 blend
uniform float u_alpha_cutoff;
uniform float u_specular;
uniform float u_shininess;
in vec3 v_position;
in vec3 v_normal;
in vec2 v_uv;
in vec2 v_uv_emissive;
in vec4 v_colour;
out vec4 f_colour;

// The sampler's wrap modes, done here so mirrored repeat works and mipmaps see the unwrapped derivatives.
float wrap(float t, int mode) {
    if (mode == 1) return clamp(t, 0.0, 1.0);
    if (mode == 2) { float m = mod(t, 2.0); return m > 1.0 ? 2.0 - m : m; }
    return fract(t);
}
vec4 sample_wrapped(sampler2D image, vec2 uv, ivec2 modes) {
    vec2 wrapped = vec2(wrap(uv.x, modes.x), wrap(uv.y, modes.y));
    return textureGrad(image, wrapped, dFdx(uv), dFdy(uv));
}

void main() {
    vec4 albedo = u_base_colour;
    if (u_use_texture) albedo *= sample_wrapped(u_texture, v_uv, u_wrap);
    if (u_use_colour) albedo *= v_colour;
    if (u_alpha_mode == 1 && albedo.a < u_alpha_cutoff) discard;
    float alpha = u_alpha_mode == 2 ? albedo.a : 1.0;
    vec3 emissive = u_emissive;
    if (u_use_emissive_texture) emissive *= sample_wrapped(u_emissive_texture, v_uv_emissive, u_emissive_wrap).rgb;

    vec3 colour = albedo.rgb;
    if (u_lit) {
        vec3 view = normalize(-v_position);
        vec3 normal = u_use_normal ? v_normal : cross(dFdx(v_position), dFdy(v_position));
        normal = length(normal) > 0.0 ? normalize(normal) : view;
        if (u_use_normal ? !gl_FrontFacing : dot(normal, view) < 0.0) normal = -normal;
        // Studio lights fixed to the camera: key from the upper left, fill from the right, rim from behind.
        vec3 key = normalize(vec3(-0.6, 0.7, 0.38));
        vec3 fill = normalize(vec3(0.75, 0.1, 0.45));
        vec3 rim = normalize(vec3(0.3, 0.6, -0.75));
        float sky = 0.5 + 0.5 * normal.y;
        vec3 ambient = mix(vec3(0.15, 0.145, 0.14), vec3(0.30, 0.31, 0.34), sky);
        float key_light = max(dot(normal, key), 0.0);
        float fill_light = 0.5 * dot(normal, fill) + 0.5;
        float rim_light = max(dot(normal, rim), 0.0);
        vec3 light = ambient + vec3(1.0, 0.98, 0.95) * 0.78 * key_light
            + vec3(0.85, 0.9, 1.0) * 0.22 * fill_light * fill_light + 0.25 * rim_light;
        float highlight = pow(max(dot(normal, normalize(key + view)), 0.0), u_shininess);
        colour = albedo.rgb * light + u_specular * key_light * highlight;
    }
    colour += emissive;
    // Soft shoulder instead of clipping, then sRGB.
    colour = colour / (1.0 + 0.12 * colour);
    f_colour = vec4(pow(clamp(colour, 0.0, 1.0), vec3(1.0 / 2.2)), alpha);
}
"""

_BACKGROUND_VERTEX = """
#version 330
in vec2 in_position;
out float v_height;
void main() { v_height = in_position.y * 0.5 + 0.5; gl_Position = vec4(in_position, 0.999, 1.0); }
"""

_BACKGROUND_FRAGMENT = """
#version 330
uniform vec3 u_top;
uniform vec3 u_bottom;
in float v_height;
out vec4 f_colour;
void main() { f_colour = vec4(mix(u_bottom, u_top, v_height), 0.0); }
"""

_GL_MODES = {
    0: moderngl.POINTS,
    1: moderngl.LINES,
    2: moderngl.LINE_LOOP,
    3: moderngl.LINE_STRIP,
    4: moderngl.TRIANGLES,
}
_SRGB8_ALPHA8 = 0x8C43
_GL = TypeVar("_GL")  # any moderngl object


class RenderUnavailable(RuntimeError):
    """No OpenGL context could be made on this machine: a setup problem, not the file's fault."""


def create_context() -> moderngl.Context:
    """A headless OpenGL 3.3 context on EGL, or on the backend named by ``METASCENE_GL_BACKEND``."""
    backend = os.environ.get("METASCENE_GL_BACKEND", "egl").strip()
    try:
        if backend in ("", "default"):
            ctx = moderngl.create_standalone_context(require=330)
        else:
            ctx = moderngl.create_standalone_context(backend=backend, require=330)
    except Exception as error:  # moderngl raises plain Exceptions for a missing library or driver
        raise RenderUnavailable(
            f"No OpenGL 3.3 context on backend {backend or 'default'!r}: {error}. Install Mesa's EGL "
            "(apt-get install libegl1 libgl1-mesa-dri libegl-mesa0) or set METASCENE_GL_BACKEND."
        ) from error
    return ctx


# --- Cameras ------------------------------------------------------------------------------------------------


def _basis(direction: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera right, up and back (towards the viewer) vectors for a camera looking along -``direction``."""
    back = direction / np.linalg.norm(direction)
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    return right, np.cross(back, right), back


def _view_matrix(eye: np.ndarray, right: np.ndarray, up: np.ndarray, back: np.ndarray) -> np.ndarray:
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = right, up, back
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def _perspective(fov_y: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(fov_y / 2)
    return np.array(
        [
            [f / aspect, 0, 0, 0],
            [0, f, 0, 0],
            [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
            [0, 0, -1, 0],
        ]
    )


def _orthographic(half_width: float, half_height: float, near: float, far: float) -> np.ndarray:
    return np.array(
        [
            [1 / half_width, 0, 0, 0],
            [0, 1 / half_height, 0, 0],
            [0, 0, -2 / (far - near), -(far + near) / (far - near)],
            [0, 0, 0, 1],
        ]
    )


@dataclass(frozen=True)
class Camera:
    view: np.ndarray  # world to camera, float64
    projection: np.ndarray


def _direction(azimuth_degrees: float, elevation_degrees: float) -> np.ndarray:
    """Unit vector from the model towards the camera; azimuth 0 is the front (+Z), 90 the right (+X)."""
    azimuth, elevation = math.radians(azimuth_degrees), math.radians(elevation_degrees)
    return np.array(
        [math.sin(azimuth) * math.cos(elevation), math.sin(elevation), math.cos(azimuth) * math.cos(elevation)]
    )


def _depth_range(depths: np.ndarray, radius: float) -> tuple[float, float]:
    near = max(float(depths.min()) - 0.05 * radius, 1e-4 * radius)
    far = float(depths.max()) + 0.05 * radius
    return near, max(far, near * 1.01 + 1e-6)


def perspective_camera(
    points: np.ndarray,
    centre: np.ndarray,
    radius: float,
    directions: list[np.ndarray],
    aspect: float,
    *,
    turntable: bool = False,
) -> list[Camera]:
    """Cameras looking at ``points`` from each direction, at the distance where they just fill the frame.

    With ``turntable`` every camera shares one distance and height and stays centred on the vertical axis through
    ``centre``, so the model turns in place instead of breathing. Otherwise each camera is shifted sideways and up
    so the projection of the points is centred exactly."""
    tan_y = math.tan(_FOV_Y / 2) * (1 - 2 * _MARGIN)
    tan_x = tan_y * aspect
    relative = points - centre
    up = np.array([0.0, 1.0, 0.0])
    fits = []
    for direction in directions:
        right, cam_up, back = _basis(direction, up)
        x, y, z = relative @ right, relative @ cam_up, relative @ back
        # Point i is inside the frame when |x - s| <= tan * (d - z): solved exactly for the shift s and distance d.
        a, b = np.max(x + tan_x * z), np.max(-x + tan_x * z)
        c, d = np.max(y + tan_y * z), np.max(-y + tan_y * z)
        fits.append((right, cam_up, back, z, a, b, c, d))
    if turntable:
        a_all = max(max(f[4], f[5]) for f in fits)
        c_all, d_all = max(f[6] for f in fits), max(f[7] for f in fits)
        distance = max(a_all / tan_x, (c_all + d_all) / (2 * tan_y), 1e-6)
        shifts = [(0.0, (c_all - d_all) / 2)] * len(fits)
        distances = [distance] * len(fits)
    else:
        distances = [max((f[4] + f[5]) / (2 * tan_x), (f[6] + f[7]) / (2 * tan_y), 1e-6) for f in fits]
        shifts = [((f[4] - f[5]) / 2, (f[6] - f[7]) / 2) for f in fits]
    cameras = []
    for (right, cam_up, back, z, *_), distance, (sx, sy) in zip(fits, distances, shifts, strict=True):
        eye = centre + sx * right + sy * cam_up + distance * back
        near, far = _depth_range(distance - z, radius)
        cameras.append(Camera(_view_matrix(eye, right, cam_up, back), _perspective(_FOV_Y, aspect, near, far)))
    return cameras


def orthographic_camera(
    points: np.ndarray, centre: np.ndarray, radius: float, direction: np.ndarray, up: np.ndarray, aspect: float
) -> Camera:
    right, cam_up, back = _basis(direction, up)
    relative = points - centre
    x, y, z = relative @ right, relative @ cam_up, relative @ back
    mid_x, mid_y = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
    half_height = max((y.max() - y.min()) / 2, (x.max() - x.min()) / 2 / aspect, 1e-6 * radius, 1e-9)
    half_height /= 1 - 2 * _MARGIN
    eye = centre + mid_x * right + mid_y * cam_up + (z.max() + radius) * back
    near, far = _depth_range(z.max() + radius - z, radius)
    return Camera(_view_matrix(eye, right, cam_up, back), _orthographic(half_height * aspect, half_height, near, far))


# --- Drawing ------------------------------------------------------------------------------------------------


class Renderer:
    """One OpenGL context holding one scene's buffers and textures, drawing it from any camera."""

    def __init__(self, ctx: moderngl.Context, scene: Scene) -> None:
        self.ctx = ctx
        self.scene = scene
        self._owned: list = []  # every OpenGL object made here, freed by release()
        self.program = self._own(ctx.program(vertex_shader=_VERTEX_SHADER, fragment_shader=_FRAGMENT_SHADER))
        self.program["u_texture"].value = 0
        self.program["u_emissive_texture"].value = 1
        background = self._own(ctx.program(vertex_shader=_BACKGROUND_VERTEX, fragment_shader=_BACKGROUND_FRAGMENT))
        background["u_top"].value = tuple(c / 255 for c in BACKGROUND_TOP)
        background["u_bottom"].value = tuple(c / 255 for c in BACKGROUND_BOTTOM)
        quad = self._own(ctx.buffer(np.array([-1, -1, 3, -1, -1, 3], dtype="f4").tobytes()))
        self.background = self._own(ctx.vertex_array(background, [(quad, "2f", "in_position")]))
        self.textures: dict[tuple[int, bool, bool], moderngl.Texture] = {}
        self.arrays = [self._vertex_array(p) for p in scene.primitives]
        self.samples = min(4, ctx.max_samples)
        # On a CPU rasterizer multisampling costs about three times the frame once triangles outnumber pixels;
        # rendering at twice the size and averaging 2x2 blocks gives the same four samples a pixel in less time.
        self.software = any(name in ctx.info["GL_RENDERER"].lower() for name in ("llvmpipe", "softpipe", "swrast"))
        self.supersample = self.software and scene.triangles > SUPERSAMPLE_TRIANGLES
        self._framebuffers: dict[tuple[int, int], tuple[moderngl.Framebuffer, moderngl.Framebuffer]] = {}

    def _own(self, gl_object: _GL) -> _GL:
        self._owned.append(gl_object)
        return gl_object

    def release(self) -> None:
        """Frees this scene's buffers, textures and framebuffers (the context stays)."""
        for gl_object in reversed(self._owned):
            gl_object.release()
        self._owned.clear()

    def _vertex_array(self, primitive: Primitive) -> moderngl.VertexArray:
        ctx = self.ctx
        content = [(self._own(ctx.buffer(primitive.positions.astype("f4").tobytes())), "3f", "in_position")]
        for values, layout, name in (
            (primitive.normals, "3f", "in_normal"),
            (primitive.uv, "2f", "in_uv"),
            (primitive.uv_emissive, "2f", "in_uv_emissive"),
            (primitive.colours, "4f", "in_colour"),
        ):
            if values is not None:
                content.append((self._own(ctx.buffer(values.astype("f4").tobytes())), layout, name))
        indices = self._own(ctx.buffer(primitive.indices.tobytes())) if primitive.indices is not None else None
        return self._own(ctx.vertex_array(self.program, content, index_buffer=indices, index_element_size=4))

    def _texture(self, image_index: int, nearest: bool, mipmaps: bool) -> moderngl.Texture:
        key = (image_index, nearest, mipmaps)
        if key not in self.textures:
            image = self.scene.images[image_index]
            texture = self._own(self.ctx.texture(image.size, 4, image.tobytes(), internal_format=_SRGB8_ALPHA8))
            if mipmaps:
                texture.build_mipmaps()
            magnify = moderngl.NEAREST if nearest else moderngl.LINEAR
            texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR if mipmaps else magnify, magnify)
            if mipmaps and not self.software:  # sharp textures at grazing angles; ten times slower on a CPU
                texture.anisotropy = min(8.0, self.ctx.max_anisotropy)
            self.textures[key] = texture
        return self.textures[key]

    def _framebuffer(self, size: tuple[int, int]) -> tuple[moderngl.Framebuffer, moderngl.Framebuffer]:
        """The framebuffer drawn into and the single-sampled one read back (the same one when supersampling)."""
        if size not in self._framebuffers:
            ctx = self.ctx
            own = self._own
            if self.supersample:
                drawn = own(ctx.framebuffer(own(ctx.renderbuffer(size, 4)), own(ctx.depth_renderbuffer(size))))
                self._framebuffers[size] = (drawn, drawn)
            else:
                samples = self.samples
                colour = own(ctx.renderbuffer(size, 4, samples=samples))
                drawn = own(ctx.framebuffer(colour, own(ctx.depth_renderbuffer(size, samples=samples))))
                resolved = own(ctx.framebuffer(own(ctx.renderbuffer(size, 4))))
                self._framebuffers[size] = (drawn, resolved)
        return self._framebuffers[size]

    def _set_material(self, material: Material, has_colours: bool, has_normals: bool, mode: int) -> None:
        program = self.program
        program["u_base_colour"].value = tuple(float(c) for c in material.colour)
        for texture, flag, wrap, unit in (
            (material.texture, "u_use_texture", "u_wrap", 0),
            (material.emissive_texture, "u_use_emissive_texture", "u_emissive_wrap", 1),
        ):
            program[flag].value = texture is not None
            if texture is not None:
                program[wrap].value = texture.wrap
                self._texture(texture.image, texture.nearest, texture.mipmaps).use(unit)
        program["u_emissive"].value = tuple(float(c) for c in material.emissive)
        program["u_use_colour"].value = has_colours
        program["u_use_normal"].value = has_normals
        program["u_lit"].value = not material.unlit and mode == TRIANGLES
        program["u_alpha_mode"].value = {"MASK": 1, "BLEND": 2}.get(material.alpha_mode, 0)
        program["u_alpha_cutoff"].value = material.alpha_cutoff
        smooth = (1.0 - min(max(material.roughness, 0.0), 1.0)) ** 2
        program["u_specular"].value = 0.04 + 0.4 * smooth
        program["u_shininess"].value = 8.0 + 120.0 * smooth

    def draw(self, camera: Camera, size: tuple[int, int]) -> Image.Image:
        """The scene seen by ``camera`` as an RGB image of ``size``."""
        if self.supersample:
            large = self._draw(camera, (size[0] * 2, size[1] * 2)).astype(np.uint16)
            total = large[0::2, 0::2] + large[1::2, 0::2] + large[0::2, 1::2] + large[1::2, 1::2]
            pixels = total.astype(np.float32) * 0.25
        else:
            pixels = self._draw(camera, size).astype(np.float32)
        return outlined(pixels)

    def _draw(self, camera: Camera, size: tuple[int, int]) -> np.ndarray:
        """RGBA pixels, top row first; alpha is the model's coverage (0 on the background)."""
        ctx = self.ctx
        multisampled, resolved = self._framebuffer(size)
        multisampled.use()
        multisampled.depth_mask = True
        multisampled.clear(*(c / 255 for c in BACKGROUND_TOP), 1.0, depth=1.0)
        ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE | moderngl.BLEND)
        self.background.render(moderngl.TRIANGLES)
        ctx.enable(moderngl.DEPTH_TEST)
        self.program["u_projection"].write(camera.projection.T.astype("f4").tobytes())
        opaque, blended = [], []
        for draw in self.scene.draws:
            modelview = camera.view @ draw.matrix
            primitive = self.scene.primitives[draw.primitive]
            if primitive.material.alpha_mode == "BLEND":
                low, high = primitive.positions.min(axis=0), primitive.positions.max(axis=0)
                depth = (modelview @ np.append((low + high) / 2, 1.0))[2]
                blended.append((depth, draw.primitive, modelview))
            else:
                opaque.append((0.0, draw.primitive, modelview))
        blended.sort(key=lambda item: item[0])  # farthest (most negative z) first
        for batch, blending in ((opaque, False), (blended, True)):
            if blending:
                ctx.enable(moderngl.BLEND)
                # Colour blends over what is behind; alpha accumulates coverage for the outline.
                ctx.blend_func = (
                    moderngl.SRC_ALPHA,
                    moderngl.ONE_MINUS_SRC_ALPHA,
                    moderngl.ONE,
                    moderngl.ONE_MINUS_SRC_ALPHA,
                )
                multisampled.depth_mask = False
            for _, index, modelview in batch:
                self._draw_primitive(self.scene.primitives[index], self.arrays[index], modelview)
        multisampled.depth_mask = True
        if resolved is not multisampled:
            ctx.copy_framebuffer(resolved, multisampled)
        pixels = np.frombuffer(resolved.read(components=4), dtype=np.uint8).reshape(size[1], size[0], 4)
        return pixels[::-1]

    def _draw_primitive(self, primitive: Primitive, array: moderngl.VertexArray, modelview: np.ndarray) -> None:
        ctx = self.ctx
        linear = modelview[:3, :3]
        determinant = np.linalg.det(linear)
        # A node scaled to zero along an axis flattens its mesh: still drawn (a box becomes a plane), with normals
        # from the pseudo-inverse and both sides visible since its winding is undefined.
        singular = abs(determinant) <= 1e-12 * max(float(np.abs(linear).max()), 1e-300) ** 3
        normal_matrix = (np.linalg.pinv(linear) if singular else np.linalg.inv(linear)).T
        self.program["u_modelview"].write(modelview.T.astype("f4").tobytes())
        self.program["u_normal_matrix"].write(normal_matrix.T.astype("f4").tobytes())
        self._set_material(
            primitive.material, primitive.colours is not None, primitive.normals is not None, primitive.mode
        )
        if primitive.material.double_sided or primitive.mode != TRIANGLES or singular:
            ctx.disable(moderngl.CULL_FACE)
        else:
            ctx.enable(moderngl.CULL_FACE)
            ctx.front_face = "ccw" if determinant > 0 else "cw"
        array.render(_GL_MODES[primitive.mode])


def outlined(pixels: np.ndarray) -> Image.Image:
    """The RGB image of RGBA ``pixels`` (float, 0-255) with a soft dark line just outside the model's silhouette,
    found from the alpha channel (coverage), so a white model stays legible on the light background."""
    coverage = pixels[..., 3] / 255.0
    height, width = coverage.shape
    radius = max(1, round(min(width, height) / 400))
    padded = np.pad(coverage, radius, mode="edge")
    grown = coverage.copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if 0 < dx * dx + dy * dy <= radius * radius + radius:
                np.maximum(grown, padded[radius + dy : radius + dy + height, radius + dx : radius + dx + width], grown)
    shade = 1.0 - OUTLINE_STRENGTH * (grown - coverage)
    return Image.fromarray((pixels[..., :3] * shade[..., None] + 0.5).astype(np.uint8))


# --- Framing ------------------------------------------------------------------------------------------------


class Framing:
    """Where the model is: sampled world-space vertices, the centre of their bounding box and its half diagonal."""

    def __init__(self, scene: Scene) -> None:
        points = scene.sample_points()
        points = points[np.all(np.isfinite(points), axis=1)]
        if len(points) == 0:  # nothing to draw: any camera will do
            points = np.zeros((1, 3))
        low, high = points.min(axis=0), points.max(axis=0)
        self.points = points
        self.centre = (low + high) / 2
        self.radius = max(float(np.linalg.norm(high - low)) / 2, 1e-6)

    def hero(self) -> Camera:
        aspect = HERO_SIZE[0] / HERO_SIZE[1]
        return perspective_camera(self.points, self.centre, self.radius, [_direction(40, 22)], aspect)[0]

    def orthographic(self, name: str) -> Camera:
        direction, up = {
            "front": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
            "side": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
            "top": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
        }[name]
        aspect = VIEW_SIZE[0] / VIEW_SIZE[1]
        return orthographic_camera(self.points, self.centre, self.radius, np.array(direction), np.array(up), aspect)

    def turntable(self, frames: int, aspect: float) -> list[Camera]:
        directions = [_direction(40 + 360 * k / frames, 20) for k in range(frames)]
        return perspective_camera(self.points, self.centre, self.radius, directions, aspect, turntable=True)


# --- Files --------------------------------------------------------------------------------------------------


def _save(image: Image.Image, path: Path) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    if path.suffix == ".webp":
        image.save(temporary, "WEBP", quality=_WEBP_QUALITY, method=4)
    else:
        image.save(temporary, "PNG", compress_level=6)
    os.replace(temporary, path)
    return path


def _save_turntable(frames: list[Image.Image], path: Path) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    frames[0].save(
        temporary,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=TURNTABLE_MS_PER_FRAME,
        loop=0,
        quality=_TURNTABLE_QUALITY,
        method=2,
    )
    os.replace(temporary, path)
    return path


def _views(ctx, scene: Scene, framing: Framing, out_dir: Path, formats: tuple[str, ...], pool) -> dict:
    """Draws the four views; their files are encoded on ``pool`` while the next view is drawn."""
    renderer = Renderer(ctx, scene)
    futures = {}
    try:
        for name in VIEWS:
            if name == "hero":
                image = renderer.draw(framing.hero(), HERO_SIZE)
            else:
                image = renderer.draw(framing.orthographic(name), VIEW_SIZE)
            for extension in formats:
                futures[f"{name}.{extension}"] = pool.submit(_save, image, out_dir / f"{name}.{extension}")
    finally:
        renderer.release()  # the full scene's memory goes back before the turntable's proxy is made
    return futures


def _turntable(ctx, scene: Scene, framing: Framing, out_dir: Path, frames: int, size: int) -> Path:
    proxy = simplified(scene, PROXY_TRIANGLES) if scene.triangles > PROXY_TRIANGLES else scene
    renderer = Renderer(ctx, proxy)
    try:
        images = [renderer.draw(camera, (size, size)) for camera in framing.turntable(frames, 1.0)]
    finally:
        renderer.release()
    return _save_turntable(images, out_dir / "turntable.webp")


def _render(
    scene: Path, out_dir: Path, formats: tuple[str, ...], turntable: tuple[int, int] | None, root: Path | None
) -> dict[str, Path]:
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"Unknown image formats {sorted(unknown)}; choose from {FORMATS}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded = load_scene(Path(scene), root=root)
    framing = Framing(loaded)
    ctx = create_context()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = _views(ctx, loaded, framing, out_dir, formats, pool) if formats else {}
            paths = {}
            if turntable is not None:
                paths["turntable.webp"] = _turntable(ctx, loaded, framing, out_dir, *turntable)
            return {name: future.result() for name, future in futures.items()} | paths
    finally:
        ctx.release()


def render_views(
    scene: Path, out_dir: Path, *, formats: tuple[str, ...] = FORMATS, root: Path | None = None
) -> dict[str, Path]:
    """Writes hero (1280x720), front, side and top (512x512) views of ``scene`` into ``out_dir`` in each format;
    returns {file name: path}, e.g. {"hero.webp": ..., "hero.png": ..., "front.webp": ...}. A .gltf's files are
    read only from inside ``root`` (the bundle's folder; default: the scene's own folder)."""
    return _render(scene, out_dir, tuple(formats), None, root)


def render_turntable(
    scene: Path, out_dir: Path, frames: int = TURNTABLE_FRAMES, size: int = 512, *, root: Path | None = None
) -> Path:
    """Writes turntable.webp: ``frames`` views of ``scene`` turning once around its vertical axis, looping;
    returns its path."""
    return _render(scene, out_dir, (), (frames, size), root)["turntable.webp"]


def render_all(
    scene: Path, out_dir: Path, *, formats: tuple[str, ...] = FORMATS, root: Path | None = None
) -> dict[str, Path]:
    """``render_views`` and ``render_turntable`` with one scene load and one OpenGL context; the result also holds
    "turntable.webp"."""
    return _render(scene, out_dir, tuple(formats), (TURNTABLE_FRAMES, VIEW_SIZE[0]), root)


# --- Checks -------------------------------------------------------------------------------------------------


def background(width: int, height: int) -> np.ndarray:
    """The background gradient as an (height, width, 3) array, as the renderer paints it."""
    t = 1.0 - (np.arange(height, dtype=np.float64) + 0.5) / height
    top, bottom = np.array(BACKGROUND_TOP, float), np.array(BACKGROUND_BOTTOM, float)
    rows = bottom + (top - bottom) * t[:, None]
    return np.broadcast_to(rows[:, None, :], (height, width, 3))


def foreground_fraction(image: Image.Image, tolerance: int = 14) -> float:
    """The share of pixels that differ from the background gradient: how much of the picture the model covers."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    difference = np.abs(pixels - background(image.width, image.height)).max(axis=2)
    return float(np.mean(difference > tolerance))


def is_blank(image_path: Path) -> bool:
    """True when the image (the first frame of an animation) shows nothing but a uniform or background fill."""
    with Image.open(image_path) as image:
        image.seek(0)
        frame = image.convert("RGB")
    if np.asarray(frame, dtype=np.float64).std() < 1.0:
        return True
    return foreground_fraction(frame) < 0.002
