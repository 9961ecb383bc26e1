"""scripts/check_module_size.py: CI fails on a module of ours over 400 lines, and only on ours."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import check_module_size  # noqa: E402


def write_lines(path: Path, count: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * count, encoding="utf-8")
    return path


def test_a_module_over_the_limit_fails_with_its_name_and_size(tmp_path, capsys):
    write_lines(tmp_path / "pkg" / "big.py", 401)
    write_lines(tmp_path / "pkg" / "small.py", 400)

    assert check_module_size.main([str(tmp_path)]) == 1

    out = capsys.readouterr().out
    assert "big.py: 401 lines, over 400" in out
    assert "small.py" not in out


def test_javascript_counts_but_vendored_and_generated_files_do_not(tmp_path, capsys):
    write_lines(tmp_path / "static" / "js" / "upload.js", 500)
    write_lines(tmp_path / "static" / "vendor" / "library.min.js", 5000)
    write_lines(tmp_path / "node_modules" / "tus" / "index.js", 5000)
    write_lines(tmp_path / "app" / "migrations" / "0001_initial.py", 900)

    assert check_module_size.main([str(tmp_path)]) == 1

    out = capsys.readouterr().out
    assert "upload.js" in out
    assert "vendor" not in out and "node_modules" not in out and "migrations" not in out


def test_a_project_within_the_limit_passes(tmp_path, capsys):
    write_lines(tmp_path / "pkg" / "module.py", 120)

    assert check_module_size.main(["--max-lines", "400", str(tmp_path)]) == 0
    assert "No module over 400 lines." in capsys.readouterr().out
