"""The scene on the GPU: a headless OpenGL context, the scene's buffers and textures uploaded once, and drawn from
any camera into an antialiased image."""

import os
from typing import Any, Protocol, TypeVar

import moderngl
import numpy as np
from PIL import Image

from competitions.pipeline.gltf_scene import TRIANGLES, Material, Primitive, Scene

from .camera import Camera
from .environment import EXPOSURE, irradiance_coefficients
from .images import BACKGROUND_BOTTOM, BACKGROUND_TOP, outlined
from .shaders import BACKGROUND_FRAGMENT, BACKGROUND_VERTEX, FRAGMENT_SHADER, VERTEX_SHADER

# Above this many triangles a CPU rasterizer antialiases by supersampling instead of multisampling.
SUPERSAMPLE_TRIANGLES = 15_000

_GL_MODES = {
    0: moderngl.POINTS,
    1: moderngl.LINES,
    2: moderngl.LINE_LOOP,
    3: moderngl.LINE_STRIP,
    4: moderngl.TRIANGLES,
}
_SRGB8_ALPHA8 = 0x8C43


class _Releasable(Protocol):
    def release(self) -> None: ...


_GL = TypeVar("_GL", bound=_Releasable)  # any moderngl object


class RenderUnavailable(RuntimeError):
    """No OpenGL context could be made on this machine: a setup problem, not the file's fault."""


def create_context() -> moderngl.Context:
    """A headless OpenGL 3.3 context on EGL, or on the backend named by ``METASCENE_GL_BACKEND``."""
    backend = os.environ.get("METASCENE_GL_BACKEND", "egl").strip()
    options: dict[str, Any] = {} if backend in ("", "default") else {"backend": backend}
    try:
        ctx = moderngl.create_standalone_context(require=330, **options)
    except Exception as error:  # moderngl raises plain Exceptions for a missing library or driver
        raise RenderUnavailable(
            f"No OpenGL 3.3 context on backend {backend or 'default'!r}: {error}. Install Mesa's EGL "
            "(apt-get install libegl1 libgl1-mesa-dri libegl-mesa0) or set METASCENE_GL_BACKEND."
        ) from error
    return ctx


class Renderer:
    """One OpenGL context holding one scene's buffers and textures, drawing it from any camera."""

    def __init__(self, ctx: moderngl.Context, scene: Scene) -> None:
        self.ctx = ctx
        self.scene = scene
        self._owned: list[_Releasable] = []  # every OpenGL object made here, freed by release()
        self.program = self._own(ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER))
        self.program["u_texture"] = 0
        self.program["u_emissive_texture"] = 1
        self._projection = _uniform(self.program, "u_projection")
        self._modelview = _uniform(self.program, "u_modelview")
        self._normal_matrix = _uniform(self.program, "u_normal_matrix")
        self._view_to_world = _uniform(self.program, "u_view_to_world")
        _uniform(self.program, "u_irradiance").write(irradiance_coefficients().astype("f4").tobytes())
        self.program["u_exposure"] = EXPOSURE
        background = self._own(ctx.program(vertex_shader=BACKGROUND_VERTEX, fragment_shader=BACKGROUND_FRAGMENT))
        background["u_top"] = tuple(c / 255 for c in BACKGROUND_TOP)
        background["u_bottom"] = tuple(c / 255 for c in BACKGROUND_BOTTOM)
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
        program["u_base_colour"] = tuple(float(c) for c in material.colour)
        for texture, flag, wrap, unit in (
            (material.texture, "u_use_texture", "u_wrap", 0),
            (material.emissive_texture, "u_use_emissive_texture", "u_emissive_wrap", 1),
        ):
            program[flag] = texture is not None
            if texture is not None:
                program[wrap] = texture.wrap
                self._texture(texture.image, texture.nearest, texture.mipmaps).use(unit)
        program["u_emissive"] = tuple(float(c) for c in material.emissive)
        program["u_use_colour"] = has_colours
        program["u_use_normal"] = has_normals
        program["u_lit"] = not material.unlit and mode == TRIANGLES
        program["u_alpha_mode"] = {"MASK": 1, "BLEND": 2}.get(material.alpha_mode, 0)
        program["u_alpha_cutoff"] = material.alpha_cutoff
        program["u_roughness"] = min(max(float(material.roughness), 0.0), 1.0)
        program["u_metallic"] = min(max(float(material.metallic), 0.0), 1.0)

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
        red, green, blue = (c / 255 for c in BACKGROUND_TOP)
        multisampled.clear(red, green, blue, 1.0, depth=1.0)
        ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE | moderngl.BLEND)
        self.background.render(moderngl.TRIANGLES)
        ctx.enable(moderngl.DEPTH_TEST)
        self._projection.write(camera.projection.T.astype("f4").tobytes())
        # The view's rotation is orthonormal: its transpose takes view-space directions back to the world.
        self._view_to_world.write(camera.view[:3, :3].astype("f4").tobytes())
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
                # The stub types (source, destination) only; its own docs show this (rgb, then alpha) form.
                ctx.blend_func = (  # type: ignore[assignment]
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
        self._modelview.write(modelview.T.astype("f4").tobytes())
        self._normal_matrix.write(normal_matrix.T.astype("f4").tobytes())
        self._set_material(
            primitive.material, primitive.colours is not None, primitive.normals is not None, primitive.mode
        )
        if primitive.material.double_sided or primitive.mode != TRIANGLES or singular:
            ctx.disable(moderngl.CULL_FACE)
        else:
            ctx.enable(moderngl.CULL_FACE)
            ctx.front_face = "ccw" if determinant > 0 else "cw"
        array.render(_GL_MODES[primitive.mode])


def _uniform(program: moderngl.Program, name: str) -> moderngl.Uniform:
    """The uniform ``name`` of ``program``, to ``write`` raw bytes to (a matrix as float32, column by column)."""
    uniform = program[name]
    assert isinstance(uniform, moderngl.Uniform), f"{name} is not a uniform of the program"
    return uniform
