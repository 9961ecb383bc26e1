"""The viewer copy of a GLB made while the same file is validated, on a worker that renders too.

Compressing a large scene (gltfpack) takes about as long as validating it, and validation leaves one of two cores
idle while the Khronos validator runs in Node. So a worker that consumes both queues starts the packaging in a
sandbox of its own as validation starts: if the file passes, the viewer copy is stored with the revision and the
rendering stage only draws the views (``stages.revision_render`` hands it to ``run.render_stage``); if it is
rejected, or validation fails, the packaging is cancelled. Only a GLB is packaged early: other uploads are unpacked
or converted first, which is validation's work.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from competitions.pipeline.limits import Limits
from competitions.pipeline.run import PACKAGING_MODULES, VIEWER_NAME, Rendering, rendering_budget
from competitions.pipeline.sandbox import run_in_sandbox

logger = logging.getLogger(__name__)

GLB_MAGIC = b"glTF"


def is_glb(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == GLB_MAGIC


class EarlyPackaging:
    """The packaging job of ``upload`` running in a thread of this process (its sandboxed child does the work)."""

    def __init__(self, upload: Path, folder: Path, limits: Limits, wall_seconds: float) -> None:
        self.cancelled = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-packaging")
        payload = {"scene": str(upload), "out": str(folder / "early" / VIEWER_NAME)}
        self._future: Future[Rendering] = self._pool.submit(self._run, payload, folder / "early", limits, wall_seconds)
        self._pool.shutdown(wait=False)

    def _run(self, payload: dict[str, str], workdir: Path, limits: Limits, wall_seconds: float) -> Rendering:
        finished = run_in_sandbox(
            "competitions.pipeline.run:packaging_job",
            payload,
            rendering_budget(limits, wall_seconds),
            workdir=workdir,
            preload=PACKAGING_MODULES,
            keep_warm=True,
            cancel=self.cancelled,
        )
        return Rendering.from_json(finished.value)

    def result(self) -> Rendering | None:
        """The viewer copy and its messages once made; None when the packaging failed in any way (rendering then
        packages the file itself, and meets the same trouble as its own)."""
        try:
            return self._future.result()
        except Exception as exc:
            logger.info("Early packaging gave nothing, rendering will package: %r", exc)
            return None

    def cancel(self) -> None:
        """Stop the packaging and wait until its child is gone."""
        self.cancelled.set()
        self.result()


def early_packaging_start(upload: Path, folder: Path, limits: Limits, *, wall_seconds: float) -> EarlyPackaging | None:
    """Start packaging ``upload`` under ``folder`` when it is a GLB; None otherwise."""
    return EarlyPackaging(upload, folder, limits, wall_seconds) if is_glb(upload) else None
