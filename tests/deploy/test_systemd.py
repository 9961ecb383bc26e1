"""The systemd units of deploy/systemd/: parsed as INI, each ExecStart a real command of this repository (the
worker template for each queue), all wanted by metascene.target; and `systemd-analyze verify` accepts them where
systemd is installed (paths under /opt/metascene pointed at this checkout, whose virtualenv has the programs)."""

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.deployfiles import DEPLOY, REPO, celery_queues, command_problems, option

UNITS = DEPLOY / "systemd"
ROOT = "/opt/metascene"
SERVICES = sorted(path.name for path in UNITS.glob("*.service"))


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def exec_start(name: str, instance: str = "") -> list[str]:
    """The ExecStart of a unit as a command line of this checkout: the unit's Environment= expanded, %i the
    instance, the virtualenv's programs by their names."""
    service = unit(name)["Service"]
    environment = dict(pair.split("=", 1) for pair in shlex.split(service.get("Environment", "")))
    line = service["ExecStart"].replace("%i", instance)
    line = re.sub(r"\$\{(\w+)\}", lambda match: environment[match.group(1)], line)
    argv = shlex.split(line)
    return [Path(argv[0]).name if argv[0].startswith(f"{ROOT}/.venv/bin/") else argv[0], *argv[1:]]


def instances(name: str) -> list[str]:
    return sorted(celery_queues()) if name.endswith("@.service") else [""]


@pytest.mark.parametrize("name", SERVICES)
def test_each_unit_runs_a_real_command_as_the_metascene_user(name: str) -> None:
    service = unit(name)["Service"]
    for instance in instances(name):
        assert command_problems(exec_start(name, instance)) == []
    assert service["User"] == "metascene" and service["WorkingDirectory"] == ROOT
    assert service["EnvironmentFile"] == "/etc/metascene/metascene.env"
    assert unit(name)["Install"]["WantedBy"] == "metascene.target"
    assert unit(name)["Unit"]["PartOf"] == "metascene.target"


def test_the_worker_template_serves_the_queue_of_its_instance() -> None:
    for queue in celery_queues():
        argv = exec_start("metascene-worker@.service", queue)
        assert option(argv, "-Q") == queue and option(argv, "-n") == f"{queue}@%H"
    # A warm shutdown finishes the running stage: longer than its hard time limit (12 minutes by default).
    assert unit("metascene-worker@.service")["Service"]["TimeoutStopSec"] == "13min"


def test_the_target_wants_every_process_and_one_worker_per_queue() -> None:
    wanted = set(unit("metascene.target")["Unit"]["Wants"].split())
    expected = {name for name in SERVICES if "@" not in name}
    expected |= {f"metascene-worker@{queue}.service" for queue in celery_queues()}
    assert wanted == expected
    assert exec_start("metascene-beat.service")[3] == "beat"
    assert exec_start("metascene-web.service")[:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]


def verify(folder: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(folder / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def units_for_this_checkout(folder: Path) -> list[str]:
    """Copies of the units whose /opt/metascene is this checkout, with the worker template's instances."""
    names = []
    for path in UNITS.iterdir():
        (folder / path.name).write_text(path.read_text().replace(ROOT, str(REPO)))
        names.append(path.name)
    for queue in sorted(celery_queues()):
        (folder / f"metascene-worker@{queue}.service").symlink_to(folder / "metascene-worker@.service")
        names.append(f"metascene-worker@{queue}.service")
    return sorted(names)


needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed (the structural checks ran)"
)


@needs_systemd
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    result = verify(tmp_path, units_for_this_checkout(tmp_path))
    # Unknown users and the missing EnvironmentFile are the machine's, not the units'; systemd does not check them.
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_systemd
def test_systemd_analyze_fails_a_broken_unit(tmp_path: Path) -> None:
    names = units_for_this_checkout(tmp_path)
    web = tmp_path / "metascene-web.service"
    web.write_text(web.read_text().replace(".venv/bin/gunicorn", ".venv/bin/gunicorm").replace("Restart=", "Restrat="))
    result = verify(tmp_path, names)
    assert result.returncode != 0
    assert "gunicorm" in result.stderr and "Restrat" in result.stderr
