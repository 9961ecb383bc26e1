"""A glTF scene flattened into what a rasterizer draws: primitives (numpy arrays), their materials, and one world
matrix per placement of a primitive. Used by the render stage; knows nothing about OpenGL."""

import io
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from competitions.pipeline.gltf_io import MESHOPT_EXTENSIONS, Document, GltfError, glb_bytes
from competitions.pipeline.package import run_gltfpack  # the packager owns the gltfpack runner

# glTF primitive modes, which are also OpenGL's.
POINTS, LINES, LINE_LOOP, LINE_STRIP, TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN = range(7)
# Wrap modes as the fragment shader numbers them.
WRAP_REPEAT, WRAP_CLAMP, WRAP_MIRROR = 0, 1, 2
_GL_WRAP = {10497: WRAP_REPEAT, 33071: WRAP_CLAMP, 33648: WRAP_MIRROR}
# Textures are decoded at most this large: thumbnails never show more texels.
MAX_TEXTURE_SIZE = 2048
_MAX_NODE_DEPTH = 512


@dataclass
class TextureRef:
    image: int
    wrap: tuple[int, int] = (WRAP_REPEAT, WRAP_REPEAT)
    nearest: bool = False
    mipmaps: bool = True


@dataclass
class Material:
    colour: np.ndarray = field(default_factory=lambda: np.ones(4, np.float32))  # linear RGBA
    texture: TextureRef | None = None
    emissive: np.ndarray = field(default_factory=lambda: np.zeros(3, np.float32))
    emissive_texture: TextureRef | None = None
    alpha_mode: str = "OPAQUE"
    alpha_cutoff: float = 0.5
    double_sided: bool = False
    unlit: bool = False
    metallic: float = 1.0
    roughness: float = 1.0


@dataclass
class Primitive:
    mode: int
    positions: np.ndarray  # (n, 3) float32
    material: Material
    normals: np.ndarray | None = None  # (n, 3) float32
    uv: np.ndarray | None = None  # (n, 2) float32, base colour texture coordinates, transform applied
    uv_emissive: np.ndarray | None = None
    colours: np.ndarray | None = None  # (n, 4) float32, linear
    indices: np.ndarray | None = None  # (m,) uint32; triangle lists only for triangle modes

    @property
    def triangles(self) -> int:
        if self.mode != TRIANGLES:
            return 0
        return (len(self.indices) if self.indices is not None else len(self.positions)) // 3


@dataclass
class Draw:
    primitive: int
    matrix: np.ndarray  # (4, 4) float64, local to world


@dataclass
class SceneCamera:
    """A camera the scene's author placed: the glTF camera object as written (its "type" and its "perspective" or
    "orthographic" fields, unchecked) and the world matrix of the node carrying it. ``name`` is the camera's name,
    else its node's, else ""."""

    name: str
    source: dict
    matrix: np.ndarray  # (4, 4) float64, camera to world


@dataclass
class Scene:
    primitives: list[Primitive]
    draws: list[Draw]
    images: dict[int, Image.Image]
    # The cameras of the default scene in scene-graph order (depth first, children in order).
    cameras: list[SceneCamera] = field(default_factory=list)

    @property
    def triangles(self) -> int:
        return sum(self.primitives[d.primitive].triangles for d in self.draws)

    def sample_points(self, limit: int = 200_000) -> np.ndarray:
        """World-space vertex positions, evenly thinned to about ``limit``, for framing the camera."""
        total = sum(len(self.primitives[d.primitive].positions) for d in self.draws)
        step = max(1, math.ceil(total / limit))
        points = []
        for draw in self.draws:
            positions = self.primitives[draw.primitive].positions[::step].astype(np.float64)
            if len(positions):
                points.append(positions @ draw.matrix[:3, :3].T + draw.matrix[:3, 3])
        return np.concatenate(points) if points else np.zeros((0, 3))


def _quaternion_matrix(x: float, y: float, z: float, w: float) -> np.ndarray:
    norm = math.sqrt(x * x + y * y + z * z + w * w) or 1.0
    x, y, z, w = x / norm, y / norm, z / norm, w / norm
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def node_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T
    matrix = np.eye(4)
    matrix[:3, :3] = _quaternion_matrix(*node.get("rotation", (0, 0, 0, 1))) * np.array(node.get("scale", (1, 1, 1)))
    matrix[:3, 3] = node.get("translation", (0, 0, 0))
    return matrix


def _uv_transform(info: dict) -> np.ndarray | None:
    transform = info.get("extensions", {}).get("KHR_texture_transform")
    if not isinstance(transform, dict):
        return None
    ox, oy = transform.get("offset", (0, 0))
    sx, sy = transform.get("scale", (1, 1))
    angle = transform.get("rotation", 0)
    c, s = math.cos(angle), math.sin(angle)
    translation = np.array([[1, 0, ox], [0, 1, oy], [0, 0, 1]], dtype=np.float64)
    rotation = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]], dtype=np.float64)
    scale = np.array([[sx, 0, 0], [0, sy, 0], [0, 0, 1]], dtype=np.float64)
    return translation @ rotation @ scale


class SceneLoader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.primitives: list[Primitive] = []
        self.draws: list[Draw] = []
        self.cameras: list[SceneCamera] = []
        self.images: dict[int, Image.Image | None] = {}
        self._materials: dict[int, Material] = {}
        self._meshes: dict[int, list[int]] = {}

    # --- Materials and textures ------------------------------------------------------------------------------

    def _texture(self, info: object) -> tuple[TextureRef | None, int, np.ndarray | None]:
        """The texture an info object points at (None when its image cannot be decoded), its texCoord set and its
        KHR_texture_transform."""
        if not isinstance(info, dict):
            return None, 0, None
        textures = self.document.items("textures")
        index = info.get("index")
        if not isinstance(index, int) or not 0 <= index < len(textures):
            return None, 0, None
        texture = textures[index]
        source = texture.get("source")
        extensions = texture.get("extensions", {})
        for name in ("EXT_texture_webp", "KHR_texture_basisu", "MSFT_texture_dds"):
            if isinstance(extensions.get(name), dict) and self._image(extensions[name].get("source")) is not None:
                source = extensions[name]["source"]
                break
        if self._image(source) is None:
            return None, 0, None
        ref = TextureRef(image=source)
        samplers = self.document.items("samplers")
        sampler_index = texture.get("sampler")
        if isinstance(sampler_index, int) and 0 <= sampler_index < len(samplers):
            sampler = samplers[sampler_index]
            ref.wrap = (_GL_WRAP.get(sampler.get("wrapS"), 0), _GL_WRAP.get(sampler.get("wrapT"), 0))
            ref.nearest = sampler.get("magFilter") == 9728
            ref.mipmaps = sampler.get("minFilter") not in (9728, 9729)
        transform = _uv_transform(info)
        tex_coord = info.get("extensions", {}).get("KHR_texture_transform", {}).get("texCoord", info.get("texCoord", 0))
        return ref, tex_coord, transform

    def _image(self, index: object) -> Image.Image | None:
        if not isinstance(index, int):
            return None
        if index not in self.images:
            image = None
            data = self.document.image_bytes(index)
            if data:
                try:
                    with Image.open(io.BytesIO(data)) as opened:
                        opened.draft("RGB", (MAX_TEXTURE_SIZE, MAX_TEXTURE_SIZE))  # JPEG decodes smaller, faster
                        image = opened.convert("RGBA")
                    if max(image.size) > MAX_TEXTURE_SIZE:
                        image.thumbnail((MAX_TEXTURE_SIZE, MAX_TEXTURE_SIZE), Image.Resampling.BILINEAR)
                except (OSError, ValueError, Image.DecompressionBombError):
                    image = None
            self.images[index] = image
        return self.images[index]

    def material(self, index: object) -> tuple[Material, dict]:
        """The material and, for UVs, its texture infos (texCoord set and transform per texture)."""
        materials = self.document.items("materials")
        if not isinstance(index, int) or not 0 <= index < len(materials):
            return Material(), {}
        source = materials[index]
        pbr = source.get("pbrMetallicRoughness", {})
        extensions = source.get("extensions", {})
        colour_info = pbr.get("baseColorTexture")
        colour = pbr.get("baseColorFactor", (1, 1, 1, 1))
        gloss = extensions.get("KHR_materials_pbrSpecularGlossiness")
        if isinstance(gloss, dict) and "pbrMetallicRoughness" not in source:
            colour_info = gloss.get("diffuseTexture")
            colour = gloss.get("diffuseFactor", (1, 1, 1, 1))
        texture, tex_coord, transform = self._texture(colour_info)
        emissive_texture, emissive_coord, emissive_transform = self._texture(source.get("emissiveTexture"))
        emissive = np.array(source.get("emissiveFactor", (0, 0, 0)), np.float32)
        strength = extensions.get("KHR_materials_emissive_strength", {})
        if isinstance(strength, dict):
            emissive = emissive * float(strength.get("emissiveStrength", 1.0))
        if source.get("emissiveTexture") is not None and emissive_texture is None:
            emissive = np.zeros(3, np.float32)  # its texture cannot be drawn: a flat glow would hide the model
        material = Material(
            colour=np.array(colour, np.float32),
            texture=texture,
            emissive=emissive,
            emissive_texture=emissive_texture,
            alpha_mode=source.get("alphaMode", "OPAQUE"),
            alpha_cutoff=float(source.get("alphaCutoff", 0.5)),
            double_sided=bool(source.get("doubleSided", False)),
            unlit="KHR_materials_unlit" in extensions,
            metallic=float(pbr.get("metallicFactor", 1.0)),
            roughness=float(pbr.get("roughnessFactor", 1.0)),
        )
        uv_sets = {"base": (tex_coord, transform), "emissive": (emissive_coord, emissive_transform)}
        return material, uv_sets

    # --- Geometry --------------------------------------------------------------------------------------------

    def _uv(self, attributes: dict, tex_coord: int, transform: np.ndarray | None) -> np.ndarray | None:
        accessor = attributes.get(f"TEXCOORD_{tex_coord}")
        if not isinstance(accessor, int):
            return None
        uv = self.document.floats(accessor)[:, :2]
        if transform is not None:
            uv = (uv.astype(np.float64) @ transform[:2, :2].T + transform[:2, 2]).astype(np.float32)
        return np.ascontiguousarray(uv, np.float32)

    def primitive(self, source: dict) -> Primitive | None:
        attributes = source.get("attributes", {})
        if not isinstance(attributes.get("POSITION"), int):
            return None
        positions = self.document.floats(attributes["POSITION"])[:, :3]
        count = len(positions)
        material, uv_sets = self.material(source.get("material"))
        mode = source.get("mode", TRIANGLES)
        primitive = Primitive(mode=mode, positions=np.ascontiguousarray(positions), material=material)
        if isinstance(attributes.get("NORMAL"), int):
            primitive.normals = np.ascontiguousarray(self.document.floats(attributes["NORMAL"])[:, :3])
        if material.texture is not None:
            primitive.uv = self._uv(attributes, *uv_sets["base"])
            if primitive.uv is None:
                material.texture = None
        if material.emissive_texture is not None:
            primitive.uv_emissive = self._uv(attributes, *uv_sets["emissive"])
            if primitive.uv_emissive is None:
                material.emissive_texture = None
        if isinstance(attributes.get("COLOR_0"), int):
            colours = self.document.floats(attributes["COLOR_0"])
            if colours.shape[1] == 3:
                colours = np.concatenate([colours, np.ones((count, 1), np.float32)], axis=1)
            primitive.colours = np.ascontiguousarray(colours, np.float32)
        if isinstance(source.get("indices"), int):
            indices = self.document.accessor(source["indices"])[:, 0].astype(np.uint32)
        else:
            indices = np.arange(count, dtype=np.uint32)
        if len(indices) and int(indices.max()) >= count:
            raise GltfError("a primitive's index points past its vertices")
        if mode == TRIANGLE_STRIP:
            n = max(len(indices) - 2, 0)
            even = np.arange(n) % 2 == 0
            first = np.where(even, indices[:n], indices[1 : n + 1])
            second = np.where(even, indices[1 : n + 1], indices[:n])
            indices = np.stack([first, second, indices[2 : n + 2]], axis=1).ravel()
            mode = primitive.mode = TRIANGLES
        elif mode == TRIANGLE_FAN:
            n = max(len(indices) - 2, 0)
            indices = np.stack([np.full(n, indices[0] if n else 0), indices[1 : n + 1], indices[2 : n + 2]], 1).ravel()
            mode = primitive.mode = TRIANGLES
        if mode == TRIANGLES:
            indices = indices[: len(indices) // 3 * 3]
        # Without normals the spec asks for flat shading, which the fragment shader does from screen derivatives.
        primitive.indices = np.ascontiguousarray(indices, np.uint32)
        return primitive

    def mesh(self, index: int) -> list[int]:
        if index not in self._meshes:
            meshes = self.document.items("meshes")
            found = []
            if 0 <= index < len(meshes):
                for source in meshes[index].get("primitives", []):
                    try:
                        primitive = self.primitive(source)
                    except (GltfError, KeyError, IndexError, TypeError, ValueError):
                        # A primitive whose data cannot be read (validation reported why) is left out of the
                        # picture; the rest of the scene is still drawn.
                        continue
                    if primitive is not None and len(primitive.positions):
                        self.primitives.append(primitive)
                        found.append(len(self.primitives) - 1)
            self._meshes[index] = found
        return self._meshes[index]

    def load(self) -> Scene:
        nodes = self.document.items("nodes")
        scenes = self.document.items("scenes")
        if scenes:
            chosen = self.document.json.get("scene", 0)
            roots = scenes[chosen if isinstance(chosen, int) and 0 <= chosen < len(scenes) else 0].get("nodes", [])
        else:
            children = {c for node in nodes for c in node.get("children", [])}
            roots = [i for i in range(len(nodes)) if i not in children]
        stack = [(root, np.eye(4), 0) for root in reversed(roots)]
        while stack:
            index, parent, depth = stack.pop()
            if not isinstance(index, int) or not 0 <= index < len(nodes) or depth > _MAX_NODE_DEPTH:
                continue
            node = nodes[index]
            try:
                with np.errstate(all="ignore"):
                    matrix = parent @ node_matrix(node)
            except (ValueError, TypeError):
                continue
            if not np.all(np.isfinite(matrix)):
                continue
            if isinstance(node.get("mesh"), int):
                for primitive in self.mesh(node["mesh"]):
                    self.draws.append(Draw(primitive, matrix))
            self._camera(node, matrix)
            stack.extend((child, matrix, depth + 1) for child in reversed(node.get("children", [])))
        images = {k: v for k, v in self.images.items() if v is not None}
        return Scene(self.primitives, self.draws, images, self.cameras)

    def _camera(self, node: dict, matrix: np.ndarray) -> None:
        cameras = self.document.items("cameras")
        index = node.get("camera")
        if not isinstance(index, int) or not 0 <= index < len(cameras) or not isinstance(cameras[index], dict):
            return
        source = cameras[index]
        names = [n.strip() for n in (source.get("name"), node.get("name")) if isinstance(n, str) and n.strip()]
        self.cameras.append(SceneCamera(names[0] if names else "", source, matrix))


def load_scene(path: Path, *, root: Path | None = None) -> Scene:
    """Every primitive drawn by the file's default scene, with its world matrices and decoded base-colour and
    emissive images. Meshopt-compressed geometry is decoded by gltfpack first (when it is installed)."""
    document = Document.load(path, root=root)
    required = document.json.get("extensionsRequired")
    if isinstance(required, list) and set(required) & set(MESHOPT_EXTENSIONS):
        with tempfile.TemporaryDirectory(prefix="decode-") as folder:
            source, decoded = Path(folder) / "compressed.glb", Path(folder) / "decoded.glb"
            source.write_bytes(glb_bytes(*document.embedded()))
            if run_gltfpack(source, decoded, "-noq") is None:
                document = Document.load(decoded)  # a GLB, read whole: nothing refers back to the folder
    return SceneLoader(document).load()
