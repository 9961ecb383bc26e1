"""The sandbox runs a stage in a child process within memory, CPU and wall-clock budgets: a stage stopped by a
budget is the file's fault (rejected, with a LIMIT_ code), anything else that kills it is ours (a stage that hung
included: out of wall clock with an idle process tree), and the parent, a worker, lives on either way."""

import os
import threading
import time
from pathlib import Path

import psutil
import pytest

from competitions.pipeline.report import AssetRejected
from competitions.pipeline.sandbox import (
    Budget,
    Finished,
    SandboxCancelled,
    SandboxCrashed,
    SandboxError,
    SandboxHung,
    prestart,
    run_in_sandbox,
)

MB = 1024**2
BUDGET = Budget(memory_bytes=1024 * MB, cpu_seconds=2, wall_seconds=20)


def run(job: str, budget: Budget = BUDGET, workdir: Path | None = None, **payload: object) -> Finished:
    assert workdir is not None
    return run_in_sandbox(f"tests.pipeline.sandbox_jobs:{job}", dict(payload), budget, workdir=workdir)


def rejected_codes(job: str, workdir: Path, budget: Budget = BUDGET, **payload: object) -> list[str]:
    with pytest.raises(AssetRejected) as rejection:
        run(job, budget, workdir, **payload)
    return [message.code for message in rejection.value.messages]


def test_a_stage_returns_its_result_from_a_child_process(tmp_path: Path) -> None:
    finished = run_in_sandbox("tests.pipeline.sandbox_jobs:echo", {"value": [1, "two"]}, BUDGET, workdir=tmp_path)

    assert finished.value["echo"] == [1, "two"]
    assert finished.value["pid"] != os.getpid()
    assert finished.peak_rss_bytes > 0


def test_the_stages_progress_events_reach_the_parent_in_order(tmp_path: Path) -> None:
    events: list[dict] = []

    run_in_sandbox(
        "tests.pipeline.sandbox_jobs:echo",
        {"value": 1, "stages": ["unpack", "validate", "inspect"]},
        BUDGET,
        workdir=tmp_path,
        on_event=events.append,
    )

    assert events == [{"stage": "unpack"}, {"stage": "validate"}, {"stage": "inspect"}]


def test_a_stage_that_allocates_ten_gigabytes_is_rejected_for_memory_and_the_parent_lives(tmp_path: Path) -> None:
    codes = rejected_codes("allocate_ten_gigabytes", tmp_path)

    assert codes == ["LIMIT_MEMORY"]
    assert run("echo", workdir=tmp_path, value="still here").value["echo"] == "still here"


def test_a_stage_limited_by_private_memory_that_allocates_ten_gigabytes_is_rejected(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=2, wall_seconds=20, address_space=False)

    assert rejected_codes("allocate_ten_gigabytes", tmp_path, budget) == ["LIMIT_MEMORY"]


def test_a_stage_whose_memory_grows_page_by_page_past_the_budget_is_stopped(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=512 * MB, cpu_seconds=20, wall_seconds=30, address_space=False)

    assert rejected_codes("touch_memory_gradually", tmp_path, budget) == ["LIMIT_MEMORY"]


def test_a_stage_that_spins_is_stopped_at_its_cpu_budget(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=1, wall_seconds=30)

    assert rejected_codes("spin", tmp_path, budget) == ["LIMIT_CPU_TIME"]


def test_a_stage_that_hangs_is_stopped_at_its_wall_clock_limit_as_our_fault_not_the_files(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=10, wall_seconds=1)

    with pytest.raises(SandboxHung, match="hung"):
        run("sleep", budget, tmp_path, seconds=60)


def test_a_stage_that_works_until_its_wall_clock_runs_out_is_rejected_as_a_heavy_file(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=10, wall_seconds=1.5)

    assert rejected_codes("spin", tmp_path, budget) == ["LIMIT_TIME"]


def test_a_stage_waiting_on_a_busy_process_of_its_own_is_busy_not_hung(tmp_path: Path) -> None:
    """As validation waits on Node: the CPU of the whole process tree counts."""
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=10, wall_seconds=2)

    assert rejected_codes("wait_on_a_spinning_child", tmp_path, budget) == ["LIMIT_TIME"]


def test_a_stopped_stage_leaves_none_of_its_own_processes_behind(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=1, wall_seconds=30)
    events: list[dict] = []

    with pytest.raises(AssetRejected):
        run_in_sandbox(
            "tests.pipeline.sandbox_jobs:start_a_child_then_spin", {}, budget, workdir=tmp_path, on_event=events.append
        )

    [event] = events
    assert not psutil.pid_exists(event["child_pid"]) or psutil.Process(event["child_pid"]).status() == "zombie"


def test_a_stage_that_rejects_the_file_passes_its_messages_on(tmp_path: Path) -> None:
    with pytest.raises(AssetRejected) as rejection:
        run("reject", workdir=tmp_path)

    [message] = rejection.value.messages
    assert (message.code, message.pointer) == ("FORMAT_MISMATCH", "/asset")


def test_a_bug_in_a_stage_is_our_fault_with_its_traceback(tmp_path: Path) -> None:
    with pytest.raises(SandboxError) as failure:
        run("fail", workdir=tmp_path)

    assert not isinstance(failure.value, SandboxCrashed)
    assert "KeyError: 'a bug of ours'" in str(failure.value)


def test_a_stage_that_crashes_is_a_crash_of_ours_not_a_rejection(tmp_path: Path) -> None:
    with pytest.raises(SandboxCrashed, match="SIGSEGV"):
        run("segfault", workdir=tmp_path)


def test_each_job_gets_a_fresh_process_even_when_children_are_kept_warm(tmp_path: Path) -> None:
    first = run_in_sandbox("tests.pipeline.sandbox_jobs:echo", {"value": 1}, BUDGET, workdir=tmp_path, keep_warm=True)
    second = run_in_sandbox("tests.pipeline.sandbox_jobs:echo", {"value": 2}, BUDGET, workdir=tmp_path, keep_warm=True)

    assert first.value["pid"] != second.value["pid"]


def test_a_child_prestarted_when_the_worker_starts_runs_the_first_job(tmp_path: Path) -> None:
    preload = ["tests.pipeline.sandbox_slow_import"]
    assert prestart(preload, wait=30)  # imported: ready for its job
    waiting = psutil.Process(os.getpid()).children()
    assert prestart(preload, wait=30)  # one warm child per set of modules, however often asked
    assert psutil.Process(os.getpid()).children() == waiting

    finished = run_in_sandbox(
        "tests.pipeline.sandbox_jobs:echo", {"value": 1}, BUDGET, workdir=tmp_path, preload=preload
    )

    assert finished.value["pid"] in [p.pid for p in waiting]


def test_a_preload_entry_with_a_function_warms_the_child_up_before_its_job(tmp_path: Path) -> None:
    finished = run_in_sandbox(
        "tests.pipeline.sandbox_jobs:was_warmed_up",
        {},
        BUDGET,
        workdir=tmp_path,
        preload=["tests.pipeline.sandbox_jobs:warm_up"],
    )

    assert finished.value == {"warmed_up": True}


def test_a_warm_up_that_fails_leaves_the_job_to_run(tmp_path: Path) -> None:
    preload = ["tests.pipeline.sandbox_jobs:warm_up_that_fails"]

    finished = run_in_sandbox(
        "tests.pipeline.sandbox_jobs:was_warmed_up", {}, BUDGET, workdir=tmp_path, preload=preload
    )

    assert finished.value == {"warmed_up": False}


def test_a_cancelled_job_is_stopped_at_once_and_said_so(tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()

    with pytest.raises(SandboxCancelled):
        run_in_sandbox("tests.pipeline.sandbox_jobs:sleep", {"seconds": 30}, BUDGET, workdir=tmp_path, cancel=cancel)

    assert time.monotonic() - started < 5


def test_the_cpu_a_child_spends_importing_its_modules_is_not_charged_to_the_file(tmp_path: Path) -> None:
    budget = Budget(memory_bytes=1024 * MB, cpu_seconds=1, wall_seconds=30)

    finished = run_in_sandbox(
        "tests.pipeline.sandbox_jobs:echo",
        {"value": "imported"},
        budget,
        workdir=tmp_path,
        preload=["tests.pipeline.sandbox_slow_import"],
    )

    assert finished.value["echo"] == "imported"
    assert finished.cpu_seconds < 1


def test_a_module_that_cannot_be_preloaded_is_our_fault(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="no_such_module"):
        run_in_sandbox(
            "tests.pipeline.sandbox_jobs:echo", {"value": 1}, BUDGET, workdir=tmp_path, preload=["no_such_module"]
        )
