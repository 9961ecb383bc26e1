"""Everything a worker does to one file, here and now: the ``check_asset`` command's pipeline.

``check_asset`` runs both halves of ``run`` (validation, then rendering when asked), each in the sandbox's child
process by default, and returns one ``CheckResult``.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .limits import Limits
from .report import AssetRejected, Message
from .run import (
    READY,
    REJECTED,
    RENDERING_MODULES,
    VALIDATION_MODULES,
    Rendering,
    Validation,
    limits_to_json,
    render_stage,
    rendering_budget,
    validate_stage,
    validation_budget,
)
from .sandbox import run_in_sandbox


@dataclass(frozen=True)
class CheckResult:
    status: str  # "ready" | "rejected"
    messages: list[Message]
    stats: dict[str, Any]
    artifacts: dict[str, Path]

    def to_json(self) -> dict[str, Any]:
        """The ``check_asset --json`` object; artifacts only when something was rendered."""
        data: dict[str, Any] = {
            "status": self.status,
            "messages": [m.to_dict() for m in self.messages],
            "stats": self.stats,
        }
        if self.artifacts:
            data["artifacts"] = {name: str(path) for name, path in self.artifacts.items()}
        return data


def check_asset(
    path: Path,
    limits: Limits,
    *,
    workdir: Path,
    render_dir: Path | None = None,
    sandboxed: bool = True,
    wall_seconds: float | None = None,
) -> CheckResult:
    """Everything a worker does to ``path``, here and now: the verdict, with thumbnails and packaged copies in
    ``render_dir`` when one is given and the file passed.

    ``sandboxed`` (the default) runs each half in a child process within ``limits``' memory and CPU budgets and
    ``wall_seconds`` (default: twice the CPU budget), exactly as the workers do; without it the stages run in this
    process, which is only for trusted files.
    """
    wall = wall_seconds if wall_seconds is not None else 2.0 * limits.cpu_seconds
    try:
        if sandboxed:
            payload = {"upload": str(path), "workdir": str(workdir), "limits": limits_to_json(limits)}
            finished = run_in_sandbox(
                "competitions.pipeline.run:validation_job",
                payload,
                validation_budget(limits, wall),
                workdir=workdir,
                preload=VALIDATION_MODULES,
            )
            validation = Validation.from_json(finished.value)
        else:
            validation = validate_stage(path, limits, workdir=workdir)
    except AssetRejected as exc:
        return CheckResult(REJECTED, exc.messages, {}, {})
    if validation.scene is None:
        return CheckResult(REJECTED, validation.messages, validation.stats, {})
    if render_dir is None:
        return CheckResult(READY, validation.messages, validation.stats, {})
    try:
        rendering = _render(validation.scene, validation.root, render_dir, limits, sandboxed=sandboxed, wall=wall)
    except AssetRejected as exc:
        return CheckResult(REJECTED, validation.messages + exc.messages, validation.stats, {})
    return CheckResult(READY, validation.messages + rendering.messages, validation.stats, rendering.artifacts)


def _render(
    scene: Path, root: Path | None, render_dir: Path, limits: Limits, *, sandboxed: bool, wall: float
) -> Rendering:
    if not sandboxed:
        return render_stage(scene, render_dir, root=root)
    with tempfile.TemporaryDirectory(prefix="metascene-render-") as scratch:
        payload = {"scene": str(scene), "root": str(root) if root else None, "out_dir": str(render_dir)}
        finished = run_in_sandbox(
            "competitions.pipeline.run:rendering_job",
            payload,
            rendering_budget(limits, wall),
            workdir=Path(scratch),
            preload=RENDERING_MODULES,
        )
    return Rendering.from_json(finished.value)
