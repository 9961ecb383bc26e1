"""Read a pytest JUnit XML report and fail unless tests ran, none failed, and the required modules really ran.

    python scripts/check_test_report.py REPORT.xml [--require tests.test_worker ...]

pytest already fails on a failed test and exits 5 when it collects none; this also catches a suite whose
important tests were all skipped (no worker, no browser), which would otherwise pass.
"""

import argparse
import sys
import xml.etree.ElementTree as ET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--require", action="append", default=[], help="a test module that must pass, not skip")
    args = parser.parse_args()

    cases = ET.parse(args.report).getroot().iter("testcase")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    passed_modules: set[str] = set()
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            counts["failed"] += 1
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
            passed_modules.add(case.get("classname", ""))
    print(f"Test report {args.report}:")
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")

    problems = []
    if counts["passed"] == 0:
        problems.append("no test passed")
    if counts["failed"]:
        problems.append(f"{counts['failed']} failed")
    for module in args.require:
        if not any(name == module or name.startswith(module + ".") for name in passed_modules):
            problems.append(f"no test in {module} passed (skipped or missing)")
    for problem in problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
