"""The stages chained over one file: what the ``check_asset`` command and the Celery tasks run.

Two halves, so the tasks can run them on different queues (and machines):

- ``validate_stage``: unpack -> convert (OBJ/STL/PLY) -> validate -> inspect. Decides ready or rejected.
- ``render_stage``: thumbnails and the packaged copies of a scene that passed, into a folder of fixed file names.

``check.check_asset`` runs both, each in the sandbox's child process by default. The ``*_job`` functions are the
sandbox's entry points: JSON in, JSON out, paths as strings.

The stage modules (trimesh, numpy, moderngl) are imported where they are used, so that the web process and the
worker's own process, which only hand paths to the sandbox, never load them.
"""

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .limits import Limits
from .report import AssetRejected, Message, apply_policy, has_errors
from .sandbox import Budget, Emit
from .unpack import Bundle

READY, REJECTED = "ready", "rejected"
# What a sandbox child imports before its job (see sandbox.run_in_sandbox's ``preload``).
VALIDATION_MODULES = (
    "competitions.pipeline.run",
    "competitions.pipeline.unpack",
    "competitions.pipeline.convert",
    "competitions.pipeline.validate",
    "competitions.pipeline.inspect",
)
RENDERING_MODULES = (
    "competitions.pipeline.run",
    "competitions.pipeline.unpack",
    "competitions.pipeline.convert",
    "competitions.pipeline.render:warm_up",
    "competitions.pipeline.package",
    "competitions.pipeline.blind",
)
# The viewer and blind copies alone (``packaging_job``): gltfpack and little else.
PACKAGING_MODULES = (
    "competitions.pipeline.run",
    "competitions.pipeline.unpack",
    "competitions.pipeline.package",
    "competitions.pipeline.blind",
)
VIEWER_NAME = "viewer.glb"
BLIND_NAME = "blind.glb"
StageCallback = Callable[[str], None]


@dataclass(frozen=True)
class Validation:
    """The verdict of the validation half. ``scene`` is the glTF/GLB to render (its files inside ``root``); None
    when the file is rejected. ``fixed``: for a GLB rejected only for padding and alignment, the same scene
    re-padded, which passes every check (see ``repair``)."""

    messages: list[Message]
    stats: dict[str, Any]
    scene: Path | None
    root: Path | None = None
    fixed: Path | None = None

    @property
    def rejected(self) -> bool:
        return self.scene is None

    def to_json(self) -> dict[str, Any]:
        return {
            "messages": [m.to_dict() for m in self.messages],
            "stats": self.stats,
            "scene": str(self.scene) if self.scene else None,
            "root": str(self.root) if self.root else None,
            "fixed": str(self.fixed) if self.fixed else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Validation":
        scene, root, fixed = data.get("scene"), data.get("root"), data.get("fixed")
        messages = [Message.from_dict(m) for m in data["messages"]]
        return cls(
            messages,
            data["stats"],
            Path(scene) if scene else None,
            Path(root) if root else None,
            Path(fixed) if fixed else None,
        )


@dataclass(frozen=True)
class Rendering:
    """What the rendering half made ({artifact name: path}) and what it has to say (a texture scaled down for the
    viewer, a viewer copy left uncompressed); ``cameras``: the label and viewer bookmark of each of the scene's own
    cameras drawn as a view ("camera-1", ...; see ``render.scene_cameras``)."""

    artifacts: dict[str, Path]
    messages: list[Message]
    cameras: list[dict[str, str]] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "artifacts": {name: str(path) for name, path in self.artifacts.items()},
            "messages": [m.to_dict() for m in self.messages],
            "cameras": self.cameras,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Rendering":
        artifacts = {name: Path(path) for name, path in data["artifacts"].items()}
        return cls(artifacts, [Message.from_dict(m) for m in data["messages"]], data.get("cameras", []))


def _ignore(stage: str) -> None:
    pass


def prepare_scene(upload: Path, limits: Limits, *, workdir: Path) -> Bundle:
    """The upload laid out under ``workdir`` as a glTF or GLB bundle: unpacked, and converted when it is OBJ, STL
    or PLY. For a file that passed validation (the rendering half); raises AssetRejected."""
    from .unpack import unpack

    return _converted(unpack(upload, workdir, limits), limits, workdir)


def _converted(bundle: Bundle, limits: Limits, workdir: Path) -> Bundle:
    if bundle.kind in ("glb", "gltf"):
        return bundle
    from .convert import convert_to_glb  # trimesh: imported only for a file that needs it

    converted = convert_to_glb(bundle, workdir / "converted", limits=limits)
    return Bundle(root=converted.parent, scene=converted, kind="glb")


def validate_stage(
    upload: Path, limits: Limits, *, workdir: Path, on_stage: StageCallback = _ignore, repair: bool = True
) -> Validation:
    """Unpack, validate (an OBJ, STL or PLY before and after its conversion to GLB) and inspect ``upload``;
    rejected when any message is an error after the policy. A GLB rejected only for padding and alignment comes
    back with ``fixed``, the same scene re-padded, when that passes these same checks (``repair`` False: not tried).

    The file's own faults come back as messages, never as exceptions. ``on_stage`` hears "unpack", "validate" and
    "inspect" as each begins.
    """
    from .inspect import inspect
    from .unpack import unpack
    from .validate import validate

    stats: dict[str, Any] = {}
    messages: list[Message] = []
    try:
        on_stage("unpack")
        bundle = unpack(upload, workdir, limits)
        on_stage("validate")
        if bundle.kind not in ("glb", "gltf"):
            # What can be checked before trimesh reads the file: the OBJ's .mtl and textures, the PLY's header.
            messages = validate(bundle, limits)
            if has_errors(messages):
                return Validation(apply_policy(messages, limits.policy), stats, None)
            bundle = _converted(bundle, limits, workdir)
        messages = messages + validate(bundle, limits)
        if not has_errors(messages):
            on_stage("inspect")
            stats, found = inspect(bundle.scene, limits, root=bundle.root)
            messages = messages + found
    except AssetRejected as exc:
        return Validation(messages + exc.messages, stats, None)
    messages = apply_policy(messages, limits.policy)
    if has_errors(messages):
        fixed = _repaired(bundle, messages, limits, workdir) if repair else None
        return Validation(messages, stats, None, fixed=fixed)
    return Validation(messages, stats, bundle.scene, bundle.root)


def _repaired(bundle: Bundle, messages: list[Message], limits: Limits, workdir: Path) -> Path | None:
    """The re-padded GLB (``repair.FIXED_NAME`` under ``workdir``) when the file's only errors are padding and
    alignment and the rewrite passes every check; None otherwise."""
    from .repair import FIXED_NAME, is_repairable, repadded_glb

    if bundle.kind != "glb" or not is_repairable(messages):
        return None
    data = repadded_glb(bundle.scene)
    if data is None:
        return None
    fixed = workdir / "repaired" / FIXED_NAME
    fixed.parent.mkdir(parents=True, exist_ok=True)
    fixed.write_bytes(data)
    check = validate_stage(fixed, limits, workdir=workdir / "repair-check", repair=False)
    return None if check.rejected else fixed


def artifact_name(file_name: str) -> str:
    """The artifact key of an output file: WebP images by their view ("hero"), other formats suffixed
    ("hero_png"), packaged copies by their role ("viewer")."""
    path = Path(file_name)
    if path.suffix in (".webp", ".glb"):
        return path.stem
    return f"{path.stem}_{path.suffix.lstrip('.')}"


def render_stage(
    scene: Path,
    out_dir: Path,
    *,
    root: Path | None = None,
    identifying: Sequence[str] = (),
    turntable: bool = True,
    package: bool = True,
    on_stage: StageCallback = _ignore,
) -> Rendering:
    """Hero, front, side and top views (and one per camera of the scene, with their bookmarks: ``cameras``), the
    viewer-ready GLB and the blind copy of ``scene`` (its files inside ``root``), written into ``out_dir`` under
    fixed names, so a rerun overwrites them; with ``turntable``, the turntable too; without ``package``, the views
    alone (``package_stage`` makes the copies). ``identifying`` are the words (team and member names) the blind
    copy must not contain. ``on_stage`` hears "render" and "package".

    gltfpack compresses the viewer copy in its own process while the views are drawn here. The blind copy is the
    compressed copy anonymised: judges of a blind round download a file no larger than the viewer copy.
    """
    from .blind import package_blind
    from .package import ViewerPackaging
    from .render import render_views
    from .render.scene_cameras import CAMERAS_FILE, read_cameras

    messages: list[Message] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        packaging = None
        if package:
            packaging = stack.enter_context(ViewerPackaging(scene, out_dir / VIEWER_NAME, root=root, messages=messages))
        on_stage("render")
        artifacts = {artifact_name(name): path for name, path in render_views(scene, out_dir, root=root).items()}
        cameras = read_cameras(artifacts.pop(artifact_name(CAMERAS_FILE), None))
        if turntable:
            artifacts.update(turntable_stage(scene, out_dir))
        if packaging is None:
            return Rendering(artifacts, messages, cameras)
        on_stage("package")
        artifacts["viewer"] = packaging.finish()
    artifacts["blind"] = package_blind(artifacts["viewer"], out_dir / BLIND_NAME, identifying=list(identifying))
    return Rendering(artifacts, messages, cameras)


def package_stage(
    scene: Path, out_dir: Path, *, root: Path | None = None, identifying: Sequence[str] = ()
) -> Rendering:
    """The viewer copy and the blind copy of ``scene`` in ``out_dir``, as ``render_stage`` makes them, without the
    views."""
    from .blind import package_blind
    from .package import package_viewer

    messages: list[Message] = []
    viewer = package_viewer(scene, out_dir / VIEWER_NAME, root=root, messages=messages)
    blind = package_blind(viewer, out_dir / BLIND_NAME, identifying=list(identifying))
    return Rendering({"viewer": viewer, "blind": blind}, messages)


def turntable_stage(scene: Path, out_dir: Path) -> dict[str, Path]:
    """The 36-frame turntable of ``scene`` in ``out_dir``: what judging can do without, made after the rest."""
    from .render import render_turntable

    return {"turntable": render_turntable(scene, out_dir)}


# --- Sandbox entry points: JSON in, JSON out ---------------------------------------------------------------------


def limits_to_json(limits: Limits) -> dict[str, Any]:
    return dataclasses.asdict(limits)


def limits_from_json(data: dict[str, Any]) -> Limits:
    values = dict(data)
    for name in ("allowed_extensions", "formats"):
        if values.get(name) is not None:
            values[name] = tuple(values[name])
    return Limits(**values)


def _stage_events(emit: Emit) -> StageCallback:
    return lambda stage: emit({"stage": stage})


def validation_job(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """payload: {"upload", "workdir", "limits"}. Returns ``Validation.to_json()``."""
    outcome = validate_stage(
        Path(payload["upload"]),
        limits_from_json(payload["limits"]),
        workdir=Path(payload["workdir"]),
        on_stage=_stage_events(emit),
    )
    return outcome.to_json()


def _scene_of(payload: dict[str, Any]) -> tuple[Path, Path | None]:
    """The scene a rendering job draws, and its bundle's root: given, or prepared again from the upload (the job
    may run on another machine than the validation did, so nothing of that run's working folder is assumed)."""
    if payload.get("scene"):
        return Path(payload["scene"]), Path(payload["root"]) if payload.get("root") else None
    limits = limits_from_json(payload["limits"])
    bundle = prepare_scene(Path(payload["upload"]), limits, workdir=Path(payload["workdir"]))
    return bundle.scene, bundle.root


def rendering_job(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """payload: {"scene", "root"} or {"upload", "limits", "workdir"}; and "out_dir", "identifying", "turntable",
    "package" (default true). Returns ``Rendering.to_json()``."""
    scene, root = _scene_of(payload)
    rendering = render_stage(
        scene,
        Path(payload["out_dir"]),
        root=root,
        identifying=payload.get("identifying", []),
        turntable=payload.get("turntable", True),
        package=payload.get("package", True),
        on_stage=_stage_events(emit),
    )
    return rendering.to_json()


def packaging_job(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """payload: as ``rendering_job``: the viewer and blind copies alone (``package_stage``). Returns
    ``Rendering.to_json()``."""
    scene, root = _scene_of(payload)
    rendering = package_stage(scene, Path(payload["out_dir"]), root=root, identifying=payload.get("identifying", []))
    return rendering.to_json()


def turntable_job(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """payload: as ``rendering_job``. Returns ``Rendering.to_json()`` with the turntable alone."""
    scene, _root = _scene_of(payload)
    return Rendering(turntable_stage(scene, Path(payload["out_dir"])), []).to_json()


def validation_budget(limits: Limits, wall_seconds: float) -> Budget:
    """Unpacking, the Node validator and trimesh live within an address-space limit."""
    return Budget(limits.memory_limit_bytes, limits.cpu_seconds, wall_seconds, address_space=True)


def rendering_budget(limits: Limits, wall_seconds: float) -> Budget:
    """Rendering and packaging are limited by private memory (RLIMIT_DATA), not address space: Mesa's llvmpipe
    and V8's WebAssembly (gltfpack) reserve far more address space than they ever touch."""
    return Budget(limits.memory_limit_bytes, limits.cpu_seconds, wall_seconds, address_space=False)
