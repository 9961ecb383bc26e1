"""An OBJ's material libraries and the textures they name: each must lie inside the bundle, since the converter
would read them."""

import mmap
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from competitions.pipeline.limits import Limits
from competitions.pipeline.report import WARNING, Message, error, gettext_noop
from competitions.pipeline.unpack import Bundle

from .textures import check_image
from .uris import resolve_uri

_MTL_MAP = re.compile(rb"(?mi)^[ \t]*(?:map_\w+|bump|disp|decal|refl|norm)[ \t]+([^\r\n]+)")


def check_obj(bundle: Bundle, limits: Limits) -> list[Message]:
    """Every .mtl and texture an OBJ names must lie inside the bundle: the converter would read them."""
    root = Path(os.path.realpath(bundle.root))
    messages: list[Message] = []
    with _mapped(bundle.scene) as data:
        libraries = _mtllib_lines(data)
    for library in libraries:
        target, problem = resolve_uri(library, bundle.scene.parent, root, f"mtllib {library}")
        if problem:
            messages.append(_obj_problem(problem))
            continue
        assert target is not None
        if target.stat().st_size > limits.max_json_bytes:
            messages.append(
                error(
                    "JSON_TOO_LARGE",
                    gettext_noop("The material file %(name)s is too large to read."),
                    library,
                    name=library,
                )
            )
            continue
        for match in _MTL_MAP.finditer(target.read_bytes()):
            texture = match.group(1).decode(errors="replace").split()[-1]
            image, problem = resolve_uri(texture, target.parent, root, f"{library}: {texture}")
            if problem:
                messages.append(_obj_problem(problem))
            elif image is not None:
                with open(image, "rb") as f:
                    messages += check_image(f, f"{library}: {texture}", limits)
    return messages


def _mtllib_lines(data: bytes | mmap.mmap) -> list[str]:
    """The names after each ``mtllib`` at the start of a line; found with ``find``, fast on a 500 MB OBJ."""
    names, at = [], data.find(b"mtllib")
    while at >= 0:
        line_start = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
        end = min((i for i in (data.find(b"\n", at), data.find(b"\r", at)) if i >= 0), default=len(data))
        if not data[line_start:at].strip() and data[at + 6 : at + 7] in (b" ", b"\t"):
            names.append(data[at + 6 : end].decode(errors="replace").strip())
        at = data.find(b"mtllib", end)
    return names


def _obj_problem(problem: Message) -> Message:
    # A missing .mtl or texture leaves the model loadable (untextured): a warning; the others are refused reads.
    if problem.code == "URI_MISSING":
        return replace(problem, severity=WARNING)
    return problem


@contextmanager
def _mapped(path: Path) -> Iterator[bytes | mmap.mmap]:
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data
