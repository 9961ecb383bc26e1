"""Fail when a Python or JavaScript module of ours is over the agreed size (400 lines).

    python scripts/check_module_size.py [--max-lines 400] [PATH ...]

STYLE.md: a module over ~400 lines becomes a package with modules named for what they hold. Migrations (generated)
and third-party files (virtualenv, node_modules, the vendored static copies made at install) are not ours and are
not counted. Run by `make lint`, hence by CI.
"""

import argparse
import sys
from pathlib import Path

ROOTS = ("competitions", "frontend", "platform", "tests", "bench", "scripts", "manage.py")
SUFFIXES = {".py", ".js"}
NOT_OURS = {".venv", "node_modules", "vendor", "migrations", "__pycache__", "static_root"}


def modules(roots: list[Path]) -> list[Path]:
    """Every .py and .js file under the roots that is ours, sorted."""
    found: list[Path] = []
    for root in roots:
        candidates = [root] if root.is_file() else root.rglob("*")
        for path in candidates:
            if path.suffix in SUFFIXES and path.is_file() and not NOT_OURS.intersection(path.parts):
                found.append(path)
    return sorted(found)


def oversized(paths: list[Path], max_lines: int) -> list[tuple[Path, int]]:
    """The modules with more than ``max_lines`` lines, with their line counts."""
    counts = ((path, len(path.read_text(encoding="utf-8").splitlines())) for path in paths)
    return [(path, lines) for path, lines in counts if lines > max_lines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-lines", type=int, default=400)
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(root) for root in ROOTS])
    args = parser.parse_args(argv)
    too_big = oversized(modules([path for path in args.paths if path.exists()]), args.max_lines)
    for path, lines in too_big:
        print(f"{path}: {lines} lines, over {args.max_lines}: split it by concept (STYLE.md, Layout)")
    if too_big:
        return 1
    print(f"No module over {args.max_lines} lines.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
