"""Rendering a GLB while it is validated, on a worker that consumes both queues.

Validation leaves a core idle while the Khronos validator runs in Node, and rendering waits for validation. So a
worker that renders too starts drawing the views of an uploaded GLB in a sandbox of its own as validation starts;
once the file has passed, the viewer and blind copies are packaged (gltfpack) while the views are finished, and the
revision goes from validating to ready in the one task. If the file is rejected, the drawing is cancelled. If the
drawing or the packaging fails in any way, or is stopped by a limit, nothing of it is kept: the revision takes the
usual way, the rendering task on the rendering queue, which decides with its full budget. Only a GLB is drawn
early: other uploads are unpacked or converted first, which is validation's work.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from competitions.pipeline.gltf_io import GLB_MAGIC
from competitions.pipeline.limits import Limits
from competitions.pipeline.run import (
    PACKAGING_MODULES,
    RENDERING_MODULES,
    Rendering,
    limits_to_json,
    rendering_budget,
)
from competitions.pipeline.sandbox import run_in_sandbox

logger = logging.getLogger(__name__)


def is_glb(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == GLB_MAGIC


class RenderingAhead:
    """The views of ``upload`` being drawn in a thread of this process (its sandboxed child does the work), then
    its copies packaged on ``finish``."""

    def __init__(self, upload: Path, folder: Path, limits: Limits, wall_seconds: float) -> None:
        self.cancelled = threading.Event()
        self._limits = limits
        self._deadline = time.monotonic() + wall_seconds  # every job here ends by then, within the task's limit
        self._payload: dict[str, Any] = {
            "upload": str(upload),
            "limits": limits_to_json(limits),
            "workdir": str(folder / "ahead" / "scene"),
            "out_dir": str(folder / "ahead" / "out"),
            "turntable": False,
        }
        self._folder = folder / "ahead"
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rendering-ahead")
        self._views = self._pool.submit(self._run, "rendering_job", RENDERING_MODULES, {"package": False})

    def _run(self, job: str, preload: tuple[str, ...], extra: dict[str, Any]) -> Rendering:
        finished = run_in_sandbox(
            f"competitions.pipeline.run:{job}",
            {**self._payload, **extra},
            rendering_budget(self._limits, max(1.0, self._deadline - time.monotonic())),
            workdir=self._folder / job,
            preload=preload,
            keep_warm=True,
            cancel=self.cancelled,
        )
        return Rendering.from_json(finished.value)

    def finish(self, identifying: list[str]) -> Rendering | None:
        """Package the copies (without ``identifying`` in the blind one) while the views are finished; the views
        and copies, or None when either failed (the reason is logged; the rendering task then does it all)."""
        packaging = self._pool.submit(self._run, "packaging_job", PACKAGING_MODULES, {"identifying": identifying})
        self._pool.shutdown(wait=False)
        views, copies = _outcome(self._views), _outcome(packaging)
        if views is None or copies is None:
            return None
        return Rendering({**views.artifacts, **copies.artifacts}, copies.messages + views.messages, views.cameras)

    def cancel(self) -> None:
        """Stop the drawing and wait until its child is gone."""
        self.cancelled.set()
        self._pool.shutdown(wait=True)


def _outcome(future: "Future[Rendering]") -> Rendering | None:
    try:
        return future.result()
    except Exception as exc:  # a limit, a crash, a cancellation: the rendering task decides, with its full budget
        logger.info("Rendering ahead gave nothing, the rendering task will render: %r", exc)
        return None


def rendering_ahead_start(upload: Path, folder: Path, limits: Limits, *, wall_seconds: float) -> RenderingAhead | None:
    """Start drawing ``upload``'s views under ``folder`` when it is a GLB; None otherwise."""
    return RenderingAhead(upload, folder, limits, wall_seconds) if is_glb(upload) else None
