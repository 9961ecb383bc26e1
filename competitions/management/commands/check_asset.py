"""``manage.py check_asset PATH [--render DIR] [--json] [--competition SLUG] [--lenient]``: the pre-flight check.

Runs the same unpack, validate and inspect stages as the workers (and render and package, into DIR), here and now,
in the same sandbox with the same limits: a new competition's default rules, or those of ``--competition``.
Entrants use it before uploading; organisers use it to explain a rejection.

Prints the verdict in plain words grouped by severity, or with ``--json`` exactly one JSON object on stdout:
``{"status": "ready" | "rejected", "messages": [...], "stats": {...}}`` (and "artifacts" with ``--render``).
Logs go to stderr. Exit status 0 for ready, 1 for rejected.
"""

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from competitions.models import Competition
from competitions.pipeline.check import CheckResult, check_asset
from competitions.pipeline.report import ERROR, INFO, WARNING
from competitions.pipeline.run import READY
from competitions.services.processing import RENDERING, VALIDATION, limits_for, stage_seconds

# Statistics worth a line in the plain-words verdict, in this order.
SHOWN_STATS = ("triangles", "vertices", "draw_calls", "meshes", "materials", "textures", "nodes", "animations")


class Command(BaseCommand):
    help = "Check a 3D file as an upload is checked: prints ready or rejected, with every message and statistic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A .glb, a .zip (glTF, GLB or OBJ with its files), .stl or .ply.")
        parser.add_argument("--render", metavar="DIR", type=Path, help="Also render thumbnails and packages here.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of plain words.")
        parser.add_argument("--competition", metavar="SLUG", help="Check against this competition's asset rules.")
        parser.add_argument(
            "--lenient", action="store_true", help="Apply the lenient validation policy whatever the rules say."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(_("There is no file at %(path)s.") % {"path": path})
        competition = None
        if options["competition"]:
            competition = Competition.objects.filter(slug=options["competition"]).first()
            if competition is None:
                raise CommandError(_("No competition has the slug “%(slug)s”.") % {"slug": options["competition"]})
        limits = limits_for(competition)
        if options["lenient"]:
            limits = dataclasses.replace(limits, policy="lenient")
        render_dir = options["render"].resolve() if options["render"] else None
        wall = max(stage_seconds(VALIDATION), stage_seconds(RENDERING))
        with tempfile.TemporaryDirectory(prefix="metascene-check-") as workdir:
            result = check_asset(
                path.resolve(), limits, workdir=Path(workdir), render_dir=render_dir, wall_seconds=wall
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            self._explain(path, result)
        if result.status != READY:
            raise CommandError(_("%(name)s was rejected.") % {"name": path.name}, returncode=1)

    def _explain(self, path: Path, result: CheckResult) -> None:
        if result.status == READY:
            self.stdout.write(self.style.SUCCESS(_("Ready: %(name)s passes every check.") % {"name": path.name}))
        else:
            self.stdout.write(
                self.style.ERROR(_("Rejected: %(name)s cannot be accepted as it is.") % {"name": path.name})
            )
        headings = {ERROR: _("Errors (fix these)"), WARNING: _("Warnings"), INFO: _("Notes")}
        for severity, heading in headings.items():
            messages = [m for m in result.messages if m.severity == severity]
            if not messages:
                continue
            self.stdout.write(f"\n{heading}: {len(messages)}")
            for message in messages:
                where = _(" (at %(pointer)s)") % {"pointer": message.pointer} if message.pointer else ""
                self.stdout.write(f"  {message.code}{where}: {message.message}")
        shown = [(name, result.stats[name]) for name in SHOWN_STATS if name in result.stats]
        if shown:
            self.stdout.write("\n" + _("Statistics"))
            for name, value in shown:
                self.stdout.write(f"  {name.replace('_', ' ')}: {value:,}")
            if result.stats.get("size"):
                size = " x ".join(f"{extent:g}" for extent in result.stats["size"])
                self.stdout.write("  " + _("size: %(size)s m") % {"size": size})
        if result.artifacts:
            self.stdout.write("\n" + _("Rendered:"))
            for name, artifact in result.artifacts.items():
                self.stdout.write(f"  {name}: {artifact}")
