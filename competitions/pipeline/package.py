"""What judges view and download: a viewer-ready GLB, meshopt-compressed by gltfpack, textures capped.

``package_viewer`` takes a .glb or a .gltf (its buffers and images are embedded first) and writes one GLB, under a
temporary name then renamed, so a rerun overwrites and a killed run leaves nothing half written. It touches no
pixels beyond scaling down textures over the cap. ``ViewerPackaging`` is the same in two halves, so the rendering
stage draws its thumbnails while gltfpack works. The blind copy (``blind.package_blind``) is made from this copy.
"""

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from competitions.pipeline.gltf_io import (
    Document,
    GltfError,
    glb_bytes,
    parse_glb,
    repack,
    sniff_mime,
    write_atomically,
)
from competitions.pipeline.report import Message, gettext_noop, info, warning

logger = logging.getLogger(__name__)

GLTFPACK = Path(__file__).resolve().parent / "node" / "node_modules" / "gltfpack" / "cli.js"
GLTFPACK_TIMEOUT_S = 300


# --- Viewer copy --------------------------------------------------------------------------------------------


def capped_image(data: bytes, cap: int) -> bytes | None:
    """The image scaled down so neither side exceeds ``cap``, in its own format; None when it already fits or
    cannot be decoded here (KTX2 and other GPU formats are left alone)."""
    mime = sniff_mime(data)
    if mime not in ("image/png", "image/jpeg", "image/webp"):
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) <= cap:
                return None
            if mime == "image/jpeg":
                image.draft("RGB", (cap, cap))
            mode = image.mode
            if mode not in ("L", "LA", "RGB", "RGBA", "I;16"):  # palettes, CMYK, 1-bit: resample in RGB(A)
                mode = "RGBA" if "A" in mode or "transparency" in image.info else "RGB"
            converted = image.convert(mode) if image.mode != mode else image.copy()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    converted.thumbnail((cap, cap), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if mime == "image/png":
        converted.save(out, "PNG", compress_level=6)
    elif mime == "image/jpeg":
        converted.save(out, "JPEG", quality=90, optimize=True)
    else:
        converted.save(out, "WEBP", quality=90)
    return out.getvalue()


def run_gltfpack(source: Path, target: Path, *options: str) -> str | None:
    """Runs gltfpack on ``source`` (a GLB) with ``options`` (default ``-cc``: meshopt compression) and checks that
    ``target`` is a readable GLB; returns None, or the reason it could not."""
    running = start_gltfpack(source, target, *options)
    return running if isinstance(running, str) else finish_gltfpack(running, target)


def start_gltfpack(source: Path, target: Path, *options: str) -> "subprocess.Popen[str] | str":
    """gltfpack started on ``source`` in its own process (the caller works meanwhile, then ``finish_gltfpack``), or
    the reason it could not start."""
    node = shutil.which("node")
    if node is None:
        return "Node.js is not installed"
    if not GLTFPACK.is_file():
        return f"gltfpack is not installed ({GLTFPACK} is missing)"
    command = [node, str(GLTFPACK), "-i", str(source), "-o", str(target), *(options or ("-cc",))]
    try:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as error:
        return f"gltfpack could not start: {error}"


def finish_gltfpack(process: "subprocess.Popen[str]", target: Path) -> str | None:
    """Waits for a ``start_gltfpack`` process; None when ``target`` is a readable GLB, else the reason."""
    try:
        stdout, stderr = process.communicate(timeout=GLTFPACK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return f"gltfpack ran longer than {GLTFPACK_TIMEOUT_S} seconds"
    if process.returncode != 0 or not target.is_file():
        return f"gltfpack failed: {(stderr or stdout).strip()[-500:]}"
    try:
        parse_glb(target.read_bytes())
    except (GltfError, ValueError) as error:
        return f"gltfpack wrote an unreadable file: {error}"
    return None


def package_viewer(
    scene: Path,
    out: Path,
    *,
    texture_cap: int = 2048,
    root: Path | None = None,
    messages: list[Message] | None = None,
) -> Path:
    """Writes ``out``: ``scene`` as one GLB for the browser viewer, textures larger than ``texture_cap`` scaled
    down (PNG, JPEG and WebP stay in their format) and geometry meshopt-compressed by gltfpack
    (EXT_meshopt_compression, which <model-viewer> decodes) unless that makes the file bigger, as it can for a tiny
    scene. When gltfpack is missing or fails the uncompressed GLB is written instead and a warning is appended to
    ``messages``; either way ``out`` is a valid GLB. Returns ``out``."""
    return ViewerPackaging(scene, out, texture_cap=texture_cap, root=root, messages=messages).finish()


class ViewerPackaging:
    """``package_viewer`` in two halves, so the caller can draw thumbnails while gltfpack compresses: made, it has
    written gltfpack's input and started it; ``finish()`` waits and writes ``out``. A ``with`` block (or
    ``cancel()``) stops gltfpack and removes its files when the caller fails meanwhile."""

    def __init__(
        self,
        scene: Path,
        out: Path,
        *,
        texture_cap: int = 2048,
        root: Path | None = None,
        messages: list[Message] | None = None,
    ) -> None:
        self.out = Path(out)
        self.messages = messages if messages is not None else []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._folder = tempfile.TemporaryDirectory(prefix=".package-", dir=self.out.parent)
        self._target = Path(self._folder.name) / "viewer-out.glb"
        self._unpacked: bytes | None = None
        document = Document.load(Path(scene), root=root)
        one_glb = _is_one_glb(document)
        replacements: dict[int, bytes] = {}
        if one_glb:
            replacements = _capped_images(document.json, document.glb_binary or b"", texture_cap, self.messages)
        if one_glb and not replacements:  # everything inside and nothing to scale down: gltfpack reads it as it is
            self._source = Path(scene)
            self._document = document
        else:
            parts, binary = document.embedded()
            if not one_glb:  # its images are in buffer views only now
                replacements = _capped_images(parts, binary, texture_cap, self.messages)
            self._unpacked = _glb_of(parts, binary, replacements)
            self._source = Path(self._folder.name) / "viewer-in.glb"
            self._source.write_bytes(self._unpacked)
        self._running = start_gltfpack(self._source, self._target)

    @property
    def unpacked(self) -> bytes:
        """The scene as one uncompressed GLB (textures capped): gltfpack's input, and the copy written when it
        fails or gains nothing."""
        if self._unpacked is None:
            self._unpacked = _glb_of(*self._document.embedded())
        return self._unpacked

    def __enter__(self) -> "ViewerPackaging":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def cancel(self) -> None:
        if not isinstance(self._running, str) and self._running.poll() is None:
            self._running.kill()
            self._running.communicate()
        self._folder.cleanup()

    def finish(self) -> Path:
        """Waits for gltfpack and writes ``out`` (compressed, or as it was with a warning); returns ``out``."""
        try:
            running = self._running
            failure = running if isinstance(running, str) else finish_gltfpack(running, self._target)
            if failure is None:
                packed = self._target.read_bytes()
                if len(packed) <= self._source.stat().st_size:
                    return write_atomically(self.out, packed)
                return write_atomically(self.out, self.unpacked)
        finally:
            self._folder.cleanup()
        logger.warning("Viewer copy %s left uncompressed: %s", self.out, failure)
        self.messages.append(
            warning(
                "FORMAT_VIEWER_UNCOMPRESSED",
                gettext_noop(
                    "The viewer copy could not be compressed, so judges download it at full size. The file itself "
                    "is fine; the packager said: %(detail)s"
                ),
                detail=str(failure),
            )
        )
        return write_atomically(self.out, self.unpacked)


def _glb_of(parts: dict[str, Any], binary: bytes, replacements: dict[int, bytes] | None = None) -> bytes:
    """One GLB of an embedded document: its buffer views repacked (``replacements`` swapped in), nothing else."""
    parts, binary = repack(parts, binary, replacements)
    return glb_bytes(parts, binary if parts.get("buffers") else None)


def _is_one_glb(document: Document) -> bool:
    """Whether ``document`` is a GLB holding all its data: no buffer or image read from a URI."""
    buffers, images = document.items("buffers"), document.items("images")
    return document.glb_binary is not None and not any("uri" in item for item in [*buffers, *images])


def _capped_images(document: dict[str, Any], binary: bytes, cap: int, messages: list[Message]) -> dict[int, bytes]:
    """{buffer view: smaller image} for the embedded textures larger than ``cap``, each noted in ``messages``."""
    replacements: dict[int, bytes] = {}
    for index, image in enumerate(document.get("images", [])):
        view = image.get("bufferView")
        if not isinstance(view, int) or view in replacements:
            continue
        entry = document["bufferViews"][view]
        start = entry.get("byteOffset", 0)
        smaller = capped_image(binary[start : start + entry["byteLength"]], cap)
        if smaller is not None:
            replacements[view] = smaller
            messages.append(
                info(
                    "TEXTURE_RESIZED_FOR_VIEWER",
                    gettext_noop(
                        "Texture %(index)s was scaled down to at most %(cap)s pixels a side in the viewer copy; "
                        "the original file keeps it at full size."
                    ),
                    f"/images/{index}",
                    index=index,
                    cap=cap,
                )
            )
    return replacements
