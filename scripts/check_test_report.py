"""Read a pytest JUnit XML report and fail unless tests ran, none failed, and the required modules ran in full.

    python scripts/check_test_report.py REPORT.xml [--require tests.test_worker ...]
        [--allow-skip tests/test_worker_kill.py::test_name "why this configuration cannot run it" ...]

pytest already fails on a failed test and exits 5 when it collects none; this also catches a suite whose
important tests were skipped (no worker, no browser, no Node.js), which would otherwise pass. A required module
passes only if it is in the report and none of its tests was skipped, except the tests named with
``--allow-skip`` and a reason: the ones a configuration cannot run (PostgreSQL-only tests on SQLite), which CI
lists per configuration so a new skip is a decision someone wrote down, not an accident.
"""

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass
class Module:
    """What the report says about one required module."""

    passed: int = 0
    failed: int = 0
    allowed: int = 0
    skipped: list[str] = field(default_factory=list)  # "test id: skip message"


def test_id(text: str) -> str:
    """The dotted id JUnit gives a test (``tests.test_x.TestClass.test_y[param]``), from that or a pytest node id
    (``tests/test_x.py::TestClass::test_y[param]``)."""
    path, separator, rest = text.partition("::")
    if not separator:
        return text
    return path.removesuffix(".py").replace("/", ".") + "." + rest.replace("::", ".")


def _in_module(case_id: str, module: str) -> bool:
    return case_id.startswith(module + ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--require", action="append", default=[], help="a test module that must run in full")
    parser.add_argument(
        "--allow-skip",
        action="append",
        nargs=2,
        default=[],
        metavar=("TEST", "REASON"),
        help="a test of a required module that may skip here, and why",
    )
    args = parser.parse_args(argv)

    allowed: dict[str, str] = {}
    for name, reason in args.allow_skip:
        if not reason.strip():
            parser.error(f"--allow-skip {name} needs a reason")
        allowed[test_id(name)] = reason

    counts = {"passed": 0, "failed": 0, "skipped": 0}
    modules = {module: Module() for module in args.require}
    for case in ET.parse(args.report).getroot().iter("testcase"):
        case_id = f"{case.get('classname', '')}.{case.get('name', '')}"
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif skipped is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        counts[outcome] += 1
        for module, seen in modules.items():
            if not _in_module(case_id, module):
                continue
            if outcome == "passed":
                seen.passed += 1
            elif outcome == "failed":
                seen.failed += 1
            elif case_id in allowed:
                seen.allowed += 1
            else:
                message = skipped.get("message", "") if skipped is not None else ""
                seen.skipped.append(f"{case_id}: {message}")
    print(f"Test report {args.report}:")
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    for module, seen in modules.items():
        print(f"  {module}: {seen.passed} passed, {len(seen.skipped)} skipped, {seen.allowed} skips allowed here")

    problems = []
    if counts["passed"] == 0:
        problems.append("no test passed")
    if counts["failed"]:
        problems.append(f"{counts['failed']} failed")
    for module, seen in modules.items():
        if seen.passed == 0 and not seen.failed and not seen.skipped:
            problems.append(f"{module}: no test of it passed (not collected, or every test allowed to skip)")
        for skip in seen.skipped:
            problems.append(f"{module}: a required test was skipped: {skip}")
    for problem in problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
