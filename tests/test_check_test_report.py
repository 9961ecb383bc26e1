"""scripts/check_test_report.py, CI's guard against a suite that passes because the tests that matter were skipped,
run on small hand-written JUnit reports."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_test_report.py"

PASSED = '<testcase classname="{module}" name="{name}" time="0.1"/>'
SKIPPED = (
    '<testcase classname="{module}" name="{name}" time="0"><skipped type="pytest.skip" message="{message}"/></testcase>'
)
FAILED = '<testcase classname="{module}" name="{name}" time="0.1"><failure message="assert 1 == 2"/></testcase>'


def report(tmp_path: Path, *cases: str) -> Path:
    path = tmp_path / "report.xml"
    body = "\n".join(cases)
    path.write_text(f'<?xml version="1.0"?><testsuites><testsuite name="pytest">{body}</testsuite></testsuites>')
    return path


def check(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_every_required_test_passed_passes(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.test_worker", name="test_one"),
        PASSED.format(module="tests.test_worker", name="test_two"),
        PASSED.format(module="tests.services.test_teams", name="test_three"),
    )

    result = check(path, "--require", "tests.test_worker", "--require", "tests.services")

    assert result.returncode == 0, result.stderr
    assert "tests.test_worker: 2 passed, 0 skipped" in result.stdout


def test_one_skipped_test_in_a_required_module_fails_even_when_the_others_passed(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.test_worker", name="test_one"),
        SKIPPED.format(module="tests.test_worker", name="test_two", message="Redis is down"),
    )

    result = check(path, "--require", "tests.test_worker")

    assert result.returncode == 1
    assert "tests.test_worker.test_two: Redis is down" in result.stderr


def test_a_skip_in_a_package_module_counts_against_the_required_package(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.pipeline.test_render", name="test_one"),
        SKIPPED.format(module="tests.pipeline.test_inspect.TestSamples", name="test_two[Box]", message="no samples"),
    )

    result = check(path, "--require", "tests.pipeline")

    assert result.returncode == 1
    assert "tests.pipeline.test_inspect.TestSamples.test_two[Box]" in result.stderr


def test_a_missing_required_module_fails(tmp_path):
    path = report(tmp_path, PASSED.format(module="tests.test_settings", name="test_one"))

    result = check(path, "--require", "tests.test_settings", "--require", "tests.browser")

    assert result.returncode == 1
    assert "tests.browser: no test of it passed" in result.stderr


def test_a_module_whose_name_only_starts_like_the_required_one_does_not_count(tmp_path):
    path = report(tmp_path, PASSED.format(module="tests.test_worker_kill", name="test_one"))

    result = check(path, "--require", "tests.test_worker")

    assert result.returncode == 1
    assert "tests.test_worker: no test of it passed" in result.stderr


def test_a_skip_outside_the_required_modules_is_allowed(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.test_settings", name="test_one"),
        SKIPPED.format(module="tests.test_samples", name="test_two", message="no samples"),
    )

    assert check(path, "--require", "tests.test_settings").returncode == 0


@pytest.mark.parametrize(
    "name",
    ["tests.test_worker_kill.test_redelivery", "tests/test_worker_kill.py::test_redelivery"],
    ids=["dotted", "node id"],
)
def test_a_skip_named_with_its_reason_is_allowed(tmp_path, name):
    path = report(
        tmp_path,
        PASSED.format(module="tests.test_worker_kill", name="test_sweep"),
        SKIPPED.format(module="tests.test_worker_kill", name="test_redelivery", message="Needs Redis"),
    )

    result = check(path, "--require", "tests.test_worker_kill", "--allow-skip", name, "the filesystem broker")

    assert result.returncode == 0, result.stderr
    assert "1 skips allowed here" in result.stdout


def test_allowing_one_skip_does_not_allow_another(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.services.test_teams", name="test_one"),
        SKIPPED.format(module="tests.services.test_audit", name="test_trigger", message="PostgreSQL only"),
        SKIPPED.format(module="tests.services.test_audit", name="test_purge", message="PostgreSQL only"),
    )

    result = check(
        path, "--require", "tests.services", "--allow-skip", "tests.services.test_audit.test_trigger", "PostgreSQL"
    )

    assert result.returncode == 1
    assert "test_purge" in result.stderr and "test_trigger" not in result.stderr


def test_a_module_whose_only_tests_are_allowed_to_skip_still_fails(tmp_path):
    path = report(tmp_path, SKIPPED.format(module="tests.browser.test_journey", name="test_one", message="no chromium"))

    result = check(path, "--require", "tests.browser", "--allow-skip", "tests.browser.test_journey.test_one", "why")

    assert result.returncode == 1


def test_an_allowed_skip_needs_a_reason(tmp_path):
    path = report(tmp_path, PASSED.format(module="tests.test_settings", name="test_one"))

    result = check(path, "--require", "tests.test_settings", "--allow-skip", "tests.test_settings.test_one", " ")

    assert result.returncode == 2
    assert "needs a reason" in result.stderr


def test_a_failed_test_fails_the_report(tmp_path):
    path = report(
        tmp_path,
        PASSED.format(module="tests.test_settings", name="test_one"),
        FAILED.format(module="tests.test_samples", name="test_two"),
    )

    result = check(path, "--require", "tests.test_settings")

    assert result.returncode == 1
    assert "1 failed" in result.stderr
