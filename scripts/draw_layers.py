"""Draw the layers of the code, as pyproject.toml's import-linter contracts state them, into docs/layers.svg.

    python scripts/draw_layers.py [--output docs/layers.svg] [--check]

The picture is generated from the contracts CI enforces (`lint-imports`), so it cannot drift from them:
tests/test_draw_layers.py fails when the committed SVG differs from what this script draws. Each band is a layer;
a layer may import the layers below it, never those above; modules side by side in one band may import each
other. ``--check`` exits 1 when the file on disk is out of date.
"""

import argparse
import sys
import textwrap
import tomllib
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "layers.svg"

# What each module holds, shown under its name. A module the contracts name but this list does not is drawn
# with its name only.
ROLES = {
    "metascene": "settings, URLs, Celery app, WSGI",
    "frontend": "page views, forms, templates, static JS",
    "competitions.api": "DRF views, serializers, tus wire format",
    "competitions.admin": "Django admin, judging read-only",
    "competitions.management": "manage.py commands, demo data",
    "competitions.tasks": "Celery tasks: load by id, call a service",
    "competitions.services": "every write: rules, locks, on_commit",
    "competitions.selectors": "every permission-aware read",
    "competitions.models": "fields, constraints, choices",
    "competitions.pipeline": "3D file work: plain Python, no Django",
}

WIDTH = 760
BAND_HEIGHT = 64
GAP = 22
MARGIN = 20
TITLE_HEIGHT = 36


def contracts(pyproject: Path = ROOT / "pyproject.toml") -> list[dict]:
    """The import-linter contracts of pyproject.toml."""
    with pyproject.open("rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def layers(all_contracts: list[dict]) -> list[list[str]]:
    """The bands of the (first) layers contract, top first, each a list of the modules that share it."""
    contract = next(c for c in all_contracts if c["type"] == "layers")
    return [[name.strip() for name in layer.replace("|", ":").split(":")] for layer in contract["layers"]]


def forbidden(all_contracts: list[dict]) -> list[tuple[str, list[str]]]:
    """Each forbidden contract's source modules and what they may not import."""
    rules = [c for c in all_contracts if c["type"] == "forbidden"]
    return [(", ".join(c["source_modules"]), list(c["forbidden_modules"])) for c in rules]


def _text(x: float, y: float, text: str, size: int, weight: str = "normal", fill: str = "#1b1f24") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def svg(bands: list[list[str]], rules: list[tuple[str, list[str]]]) -> str:
    """The picture: one band per layer with an arrow down between bands, then the forbidden imports as notes."""
    note_lines = [
        line
        for source, targets in rules
        for line in textwrap.wrap(f"{source} never imports: {', '.join(targets)}", width=110)
    ]
    height = TITLE_HEIGHT + len(bands) * (BAND_HEIGHT + GAP) - GAP + 2 * MARGIN + 18 * len(note_lines)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(WIDTH / 2, MARGIN + 12, "Metascene layers: each imports only the layers below it", 15, "bold"),
    ]
    inner = WIDTH - 2 * MARGIN
    for index, band in enumerate(bands):
        top = MARGIN + TITLE_HEIGHT + index * (BAND_HEIGHT + GAP)
        box_width = (inner - 10 * (len(band) - 1)) / len(band)
        for position, module in enumerate(band):
            left = MARGIN + position * (box_width + 10)
            parts.append(
                f'<rect x="{left:.0f}" y="{top}" width="{box_width:.0f}" height="{BAND_HEIGHT}" rx="8" '
                f'fill="#eef4fb" stroke="#3c6e9f"/>'
            )
            center = left + box_width / 2
            parts.append(_text(center, top + 27, module, 14, "bold"))
            role = ROLES.get(module, "")
            if role:
                parts.append(_text(center, top + 47, role, 11, fill="#44505c"))
        if index < len(bands) - 1:
            x, y = WIDTH / 2, top + BAND_HEIGHT
            parts.append(f'<line x1="{x:.0f}" y1="{y + 2}" x2="{x:.0f}" y2="{y + GAP - 6}" stroke="#3c6e9f"/>')
            parts.append(
                f'<polygon points="{x - 5:.0f},{y + GAP - 9} {x + 5:.0f},{y + GAP - 9} {x:.0f},{y + GAP - 2}" '
                f'fill="#3c6e9f"/>'
            )
    notes_top = MARGIN + TITLE_HEIGHT + len(bands) * (BAND_HEIGHT + GAP) - GAP + 18
    for index, line in enumerate(note_lines):
        parts.append(_text(WIDTH / 2, notes_top + 18 * index, line, 11, fill="#8a1c1c"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not what the contracts draw")
    args = parser.parse_args(argv)
    all_contracts = contracts()
    drawn = svg(layers(all_contracts), forbidden(all_contracts))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != drawn:
            print(f"{args.output} is out of date: run python scripts/draw_layers.py")
            return 1
        print(f"{args.output} matches the contracts.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(drawn, encoding="utf-8")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
