"""The layer contracts of pyproject.toml (import-linter), run as CI runs them: kept by the code as it is, and broken
by an import that goes the wrong way, so `make lint` fails on it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (make install)")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "platform")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python packages and pyproject.toml, without node_modules and static files."""
    root = tmp_path_factory.mktemp("code")
    ignore = shutil.ignore_patterns("node_modules", "static", "templates", "__pycache__", "*.glb", "*.png")
    for package in ("competitions", "frontend", "platform"):
        shutil.copytree(ROOT / package, root / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_with_module(root: Path, dotted: str, source: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on the copy with one more module in it, removed again after."""
    path = root.joinpath(*dotted.split(".")).with_suffix(".py")
    path.write_text(source, encoding="utf-8")
    try:
        return lint_imports(root)
    finally:
        path.unlink()


def test_the_code_keeps_every_contract(copy_of_the_code: Path) -> None:
    result = lint_imports(copy_of_the_code)

    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_a_pipeline_module_that_imports_django_breaks_a_contract(copy_of_the_code: Path) -> None:
    result = lint_with_module(copy_of_the_code, "competitions.pipeline.probe", "import django.db\n")

    assert result.returncode == 1
    assert "competitions.pipeline is not allowed to import django" in result.stdout
    assert "competitions.pipeline.probe -> django" in result.stdout


def test_a_service_that_imports_the_tasks_breaks_a_contract(copy_of_the_code: Path) -> None:
    result = lint_with_module(copy_of_the_code, "competitions.services.probe", "from competitions import tasks\n")

    assert result.returncode == 1
    assert "competitions.services.probe -> competitions.tasks" in result.stdout
