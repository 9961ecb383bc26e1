"""The compliance line of a round: the judged revision held against its competition's asset budgets, and the glTF
validator's verdict, each check pass or fail. What the round does with it (information, a gate, or a scored
criterion: ``Round.compliance``) is the leaderboard's business (``competitions.selectors.leaderboard`` and the
blend in ``competitions.selectors.scoring``).

Processing already rejects a file over budget or with a validator error (under the lenient policy, validator
errors that leave the file loadable become warnings), so a revision judged normally passes. The line matters when
the budgets changed after the revision was checked (they are compared here with the competition's budgets now),
under the lenient policy (the validator's warnings are counted), and for the judges, who see the figures beside
the rubric. The checks, in this order:

- "glTF validator": no error among the Khronos validator's messages in the revision's report (our own checks'
  codes are left out: the budgets below are those); the warnings are counted.
- "Triangles", "Largest texture" (pixels on the longest side of any image; no image passes), "Materials",
  "Draw calls": the measured figure at most the budget (equal to the budget passes, as in processing).
- "File size": the uploaded file's bytes at most the upload limit.
- "glTF extensions", only where the competition lists the extensions it allows: every extension the scene uses
  is listed.

A figure processing did not record fails its check ("not measured"): compliance that cannot be shown is not
assumed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from competitions.models import Competition, EntryRevision, RoundEntry
from competitions.pipeline.report import ERROR, WARNING, is_our_code

VALIDATOR, TRIANGLES, TEXTURE_SIZE, MATERIALS, DRAW_CALLS, FILE_SIZE, EXTENSIONS = (
    "validator", "triangles", "texture_size", "materials", "draw_calls", "file_size", "extensions",
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One check: ``key`` (stable, for code and tests), ``label``, ``measured`` and ``limit`` (the rule: "at most
    2,000,000") in the reader's language, and whether it passed."""

    key: str
    label: str
    measured: str
    limit: str
    passed: bool


@dataclass(frozen=True)
class Compliance:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    @property
    def passed_count(self) -> int:
        return len(self.checks) - len(self.failed)

    @property
    def share(self) -> float:
        """The share of checks passed, 0..1 (1 with no check)."""
        return self.passed_count / len(self.checks) if self.checks else 1.0

    @property
    def failed_text(self) -> str:
        """The failed checks' labels, joined: "Triangles, File size"."""
        return ", ".join(check.label for check in self.failed)


@dataclass(frozen=True)
class Budgets:
    """A competition's asset budgets, as the checks read them (``budgets_of``)."""

    max_triangles: int
    max_texture_size: int
    max_materials: int
    max_draw_calls: int
    max_upload_bytes: int
    allowed_extensions: tuple[str, ...]  # empty: any extension the validator knows


def budgets_of(competition: Competition) -> Budgets:
    return Budgets(
        max_triangles=competition.max_triangles,
        max_texture_size=competition.max_texture_size,
        max_materials=competition.max_materials,
        max_draw_calls=competition.max_draw_calls,
        max_upload_bytes=competition.max_upload_bytes,
        allowed_extensions=tuple(competition.allowed_extensions or ()),
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _budget(key: str, label: str, measured: int | None, limit: int, show: Any = None) -> Check:
    show = show or (lambda n: number_format(n, force_grouping=True))
    rule = _("at most %(limit)s") % {"limit": show(limit)}
    if measured is None:
        return Check(key, label, _("not measured"), rule, passed=False)
    return Check(key, label, show(measured), rule, passed=measured <= limit)


def _validator(report: Mapping[str, Any]) -> Check:
    messages = [m for m in report.get("messages", []) if isinstance(m, dict) and not is_our_code(str(m.get("code")))]
    errors = sum(1 for m in messages if m.get("severity") == ERROR)
    warnings = sum(1 for m in messages if m.get("severity") == WARNING)
    warnings_text = ngettext("%(count)d warning", "%(count)d warnings", warnings) % {"count": warnings}
    if errors:
        errors_text = ngettext("%(count)d error", "%(count)d errors", errors) % {"count": errors}
        measured = _("%(errors)s, %(warnings)s") % {"errors": errors_text, "warnings": warnings_text}
    else:
        measured = _("no errors (%(warnings)s)") % {"warnings": warnings_text}
    return Check(VALIDATOR, _("glTF validator"), measured, _("no errors; warnings allowed"), passed=not errors)


def _largest_texture(stats: Mapping[str, Any]) -> int | None:
    sizes = stats.get("image_sizes")
    if not isinstance(sizes, list):
        return None
    sides = [side for size in sizes if isinstance(size, list) for side in size if _count(side) is not None]
    return max(sides, default=0)


def _extensions(used: Any, allowed: Sequence[str]) -> Check:
    label, limit = _("glTF extensions"), _("only %(names)s") % {"names": ", ".join(allowed)}
    if not isinstance(used, list):
        return Check(EXTENSIONS, label, _("not measured"), limit, passed=False)
    outside = [str(name) for name in used if name not in allowed]
    if outside:
        return Check(EXTENSIONS, label, _("not allowed: %(names)s") % {"names": ", ".join(outside)}, limit, False)
    return Check(EXTENSIONS, label, ", ".join(map(str, used)) or _("none"), limit, passed=True)


def compliance_checks(
    *, stats: Mapping[str, Any], report: Mapping[str, Any], size: int | None, budgets: Budgets
) -> Compliance:
    """The checks of the module docstring over a revision's ``stats``, ``report`` and file ``size`` (bytes). No
    database: labels and figures are in the active language."""

    def bytes_text(n: int) -> str:
        return str(filesizeformat(n))

    checks = [
        _validator(report),
        _budget(TRIANGLES, _("Triangles"), _count(stats.get("triangles")), budgets.max_triangles),
        _budget(
            TEXTURE_SIZE,
            pgettext("compliance check", "Largest texture"),
            _largest_texture(stats),
            budgets.max_texture_size,
            lambda n: _("%(side)s px") % {"side": number_format(n, force_grouping=True)},
        ),
        _budget(MATERIALS, _("Materials"), _count(stats.get("materials")), budgets.max_materials),
        _budget(DRAW_CALLS, _("Draw calls"), _count(stats.get("draw_calls")), budgets.max_draw_calls),
        _budget(FILE_SIZE, _("File size"), size, budgets.max_upload_bytes, bytes_text),
    ]
    if budgets.allowed_extensions:
        checks.append(_extensions(stats.get("extensions_used"), budgets.allowed_extensions))
    return Compliance(tuple(checks))


def round_entry_compliance(round_entry: RoundEntry) -> Compliance:
    """The checks of the revision judged in ``round_entry`` against its competition's budgets now."""
    return revision_compliance(round_entry.revision, budgets_of(round_entry.round.competition))


def revision_compliance(revision: EntryRevision, budgets: Budgets) -> Compliance:
    """``compliance_checks`` of a judged revision against ``budgets`` (``budgets_of`` its competition)."""
    return compliance_checks(
        stats=revision.stats or {}, report=revision.report or {}, size=revision.size, budgets=budgets
    )
