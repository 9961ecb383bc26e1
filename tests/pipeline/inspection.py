"""What the inspect stage's tests share: scene files written where a test wants them, and a GLB with its JSON
edited."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pipeline import hostile


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def with_document(glb: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """``glb`` with its JSON document changed in place by ``edit``."""
    document, binary = hostile.glb_parts(glb)
    edit(document)
    return hostile.glb_bytes(document, binary)
