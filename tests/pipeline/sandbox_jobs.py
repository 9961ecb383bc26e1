"""Stage jobs that misbehave on purpose, run by tests/pipeline/test_sandbox.py in the sandbox's child process."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from competitions.pipeline.report import AssetRejected, error
from competitions.pipeline.sandbox import Emit

GB = 1024**3


def echo(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    for stage in payload.get("stages", []):
        emit({"stage": stage})
    return {"echo": payload["value"], "pid": os.getpid()}


def allocate_ten_gigabytes(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    block = bytearray(10 * GB)
    return {"allocated": len(block)}


def touch_memory_gradually(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Grows in 64 MB steps, each page written, until stopped."""
    blocks = []
    while True:
        blocks.append(b"\1" * (64 * 1024**2))
        time.sleep(0.01)


def spin(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    while True:
        pass


def sleep(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    time.sleep(payload["seconds"])
    return {}


def reject(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    raise AssetRejected([error("FORMAT_MISMATCH", "The file is not what it claims to be.", "/asset")])


def fail(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    raise KeyError("a bug of ours")


def segfault(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


def start_a_child_then_spin(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Starts a long ``sleep`` of its own (as a stage starts Node), reports its pid, then spins."""
    child = subprocess.Popen(["sleep", "600"])
    emit({"child_pid": child.pid})
    while True:
        pass


def wait_on_a_spinning_child(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    """Waits, idle, on a process of its own that spins (as validation waits on Node)."""
    subprocess.run([sys.executable, "-c", "while True: pass"], check=False)
    return {}


WARMED_UP = False


def warm_up() -> None:
    global WARMED_UP
    WARMED_UP = True


def warm_up_that_fails() -> None:
    raise RuntimeError("no GPU here")


def was_warmed_up(payload: dict[str, Any], emit: Emit) -> dict[str, Any]:
    return {"warmed_up": WARMED_UP}
