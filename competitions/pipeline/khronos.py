"""The Khronos glTF-Validator, run in Node by ``node/validate.mjs``, and its report turned into our messages.

``NodeValidator`` starts one Node process per scene; ``ValidatorServer`` keeps one process answering many scenes
(for test suites and batch checks). Both return a ``Running`` at once, so the caller can work while Node does.
Where Node has a permission model (20+), the process may read only its own files and the bundle: a second wall
behind validate.mjs's own refusal of URIs with a scheme, absolute paths and paths that leave the bundle.
"""

import functools
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Protocol

from .report import ERROR, INFO, WARNING, Message, gettext_noop, info, plain_message

NODE_DIR = Path(__file__).resolve().parent / "node"
VALIDATE_SCRIPT = NODE_DIR / "validate.mjs"
MAX_ISSUES = 1000
SEVERITIES = {0: ERROR, 1: WARNING, 2: INFO}  # 3 (hint) is dropped


class ValidatorFailed(RuntimeError):
    """The validator produced no report (Node missing, crash, timeout): our fault, the stage may be retried."""


class Running(Protocol):
    """A validation under way: ``result()`` waits for the report; ``cancel()`` abandons it."""

    def result(self) -> dict[str, Any]: ...

    def cancel(self) -> None: ...


class Validator(Protocol):
    def start(self, scene: Path, root: Path) -> Running: ...


def node_binary() -> str:
    return os.environ.get("METASCENE_NODE") or shutil.which("node") or "node"


@functools.cache
def _permission_flag(node: str) -> str | None:
    """Node's permission-model flag, where this Node has one (20+): a second wall behind validate.mjs's checks."""
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.match(r"v(\d+)\.(\d+)", version.strip())
    major_minor = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if major_minor >= (23, 5):
        return "--permission"
    return "--experimental-permission" if major_minor >= (20, 0) else None


def node_command(*arguments: str, readable: list[Path]) -> list[str]:
    """``node validate.mjs ARGUMENTS``, allowed (where Node supports it) to read only its own files and
    ``readable``."""
    node = node_binary()
    flag = _permission_flag(node)
    folders = [os.path.realpath(p) for p in [NODE_DIR, *readable]]
    if flag is None or any("," in folder for folder in folders):  # Node 20 reads a comma as a list separator
        return [node, str(VALIDATE_SCRIPT), *arguments]
    reads = [f"--allow-fs-read={folder}{os.sep}" for folder in folders]
    return [node, flag, "--no-warnings", *reads, str(VALIDATE_SCRIPT), *arguments]


class NodeValidator:
    """One ``node validate.mjs SCENE ROOT`` per scene: no state shared between files."""

    def __init__(self, *, timeout: float = 300, max_issues: int = MAX_ISSUES) -> None:
        self.timeout, self.max_issues = timeout, max_issues

    def start(self, scene: Path, root: Path) -> "_OneShot":
        command = node_command(str(scene), str(root), str(self.max_issues), readable=[root])
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise ValidatorFailed(f"Node.js cannot be started ({exc}); install Node 20 or newer.") from exc
        return _OneShot(process, self.timeout)


class _OneShot:
    def __init__(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        self.process, self.deadline = process, time.monotonic() + timeout

    def result(self) -> dict[str, Any]:
        try:
            out, err = self.process.communicate(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise ValidatorFailed("The glTF validator did not finish in time.") from None
        if self.process.returncode != 0:
            raise ValidatorFailed(f"The glTF validator failed: {err.decode(errors='replace')[-2000:]}")
        return json.loads(out)

    def cancel(self) -> None:
        self.process.kill()
        self.process.communicate()


class ValidatorServer:
    """One long-lived ``node validate.mjs --serve`` answering requests in turn: no Node start-up per scene. It may
    read only below ``readable``, which must hold every bundle it is given.

    Use as a context manager; call ``result()`` on each started request before starting the next.
    """

    def __init__(self, readable: Path, *, timeout: float = 300, max_issues: int = MAX_ISSUES) -> None:
        self.timeout, self.max_issues = timeout, max_issues
        self.process = subprocess.Popen(
            node_command("--serve", readable=[readable]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._buffer = b""

    def __enter__(self) -> "ValidatorServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def start(self, scene: Path, root: Path) -> "_Request":
        request = {"scene": str(scene), "root": str(root), "maxIssues": self.max_issues}
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        return _Request(self, time.monotonic() + self.timeout)

    def _read_line(self, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                self.process.kill()
                raise ValidatorFailed("The glTF validator did not finish in time.")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ValidatorFailed("The glTF validator stopped unexpectedly.")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line


class _Request:
    def __init__(self, server: ValidatorServer, deadline: float) -> None:
        self.server, self.deadline = server, deadline

    def result(self) -> dict[str, Any]:
        answer = json.loads(self.server._read_line(self.deadline))
        if "error" in answer:
            raise ValidatorFailed(f"The glTF validator failed: {answer['error']}")
        return answer["report"]

    def cancel(self) -> None:
        self.server._read_line(self.deadline)  # keep requests and answers in step


def validator_messages(report: dict[str, Any]) -> list[Message]:
    """The report's issues as messages: the validator's codes and pointers, its words plus what to fix; no hints."""
    issues = report.get("issues", {})
    messages = [
        Message(SEVERITIES[m["severity"]], m["code"], plain_message(m["code"], m["message"]), m.get("pointer", ""))
        for m in issues.get("messages", [])
        if m.get("severity") in SEVERITIES
    ]
    if issues.get("truncated"):
        messages.append(
            info(
                "LIMIT_VALIDATOR_TRUNCATED",
                gettext_noop(
                    "The validator stopped after %(count)s messages; fix these and check again to see the rest."
                ),
                count=len(messages),
            )
        )
    return messages
