"""What the validate stage's tests share: the budgets, a validator that must not run, and a fresh interpreter to
measure a check's peak memory in. The stage's tests need Node.js and the Khronos validator (``NEEDS_VALIDATOR``)."""

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest

from competitions.pipeline.khronos import NODE_DIR, node_binary
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import ERROR, Message
from competitions.pipeline.unpack import Bundle

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits()

NEEDS_VALIDATOR = pytest.mark.skipif(
    shutil.which(node_binary()) is None or not (NODE_DIR / "node_modules" / "gltf-validator").is_dir(),
    reason="Node.js and the gltf-validator package are needed: run `npm ci` in competitions/pipeline/node",
)


class MustNotRun:
    """A validator that fails the test if the stage starts it."""

    def start(self, scene: Path, root: Path) -> NoReturn:
        raise AssertionError("the validator must not run on this file")


def errors(messages: list[Message]) -> set[str]:
    return {m.code for m in messages if m.severity == ERROR}


def glb_bundle(folder: Path, build: Callable[[Path], Any]) -> Bundle:
    """A bundle of the one GLB that ``build`` writes at ``folder / "scene.glb"`` (returning its path)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Bundle(root=folder, scene=build(folder / "scene.glb"), kind="glb")


def run_isolated(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (so its peak memory is its own) and return the JSON it prints last."""
    prelude = """
        import json, resource
        from pathlib import Path
        from competitions.pipeline.limits import Limits
        from competitions.pipeline.unpack import Bundle
        from competitions.pipeline.validate import validate

        def peak_mb():
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """
    script = textwrap.dedent(prelude) + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
