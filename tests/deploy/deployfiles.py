"""Readers and checks of the deployment files in deploy/, shared by the tests of tests/deploy/.

Each ``*_problems`` function returns what is wrong (empty when all is well), so that a test can show it passes on
the real files and fails on a broken copy.
"""

import importlib.util
import re
import runpy
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
# The Kubernetes version the manifests are validated against (kubernetes-validate's offline schemas).
KUBERNETES_VERSION = "1.33.0"
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
# Shell words that end one command inside `sh -c "..."`.
SHELL_OPERATORS = {";", "&&", "||", "|", "do", "done", "then", "fi"}


def yaml_files() -> list[Path]:
    """Every YAML file of the repository outside installed packages and generated folders."""
    skip = {".venv", "node_modules", "var", ".git", "test-artifacts"}
    found = [*REPO.glob("*.yaml"), *REPO.glob(".*.yaml"), *REPO.glob("*.yml")]
    for path in REPO.rglob("*.y*ml"):
        if not skip.intersection(path.relative_to(REPO).parts):
            found.append(path)
    return sorted(set(found))


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization_resources(folder: Path) -> Iterator[Path]:
    """The files a kustomization names, following folders (other kustomizations) down."""
    for entry in documents(folder / "kustomization.yaml")[0]["resources"]:
        target = (folder / entry).resolve()
        if target.is_dir():
            yield from kustomization_resources(target)
        else:
            yield target


def manifests(folder: Path) -> list[dict[str, Any]]:
    """The objects a kustomization deploys (before its patches)."""
    return [doc for path in kustomization_resources(folder) for doc in documents(path)]


def by_kind(objects: Iterable[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def celery_queues() -> set[str]:
    """The queues the settings route tasks to."""
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a one-line shell script: split at ;, &&, ||, | and the loop words, without the
    redirections and the sleeps."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    words = list(lexer)
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in {">", ">>", "<", "2>", "&>"}:
            skip = True  # the redirection's file
        elif word in SHELL_OPERATORS or (not commands[-1] and word in {"until", "while", "if", "sleep"}):
            commands.append([] if word != "sleep" else ["sleep"])
        else:
            commands[-1].append(word)
    return [command for command in commands if command and command[0] != "sleep"]


def command_problems(argv: list[str]) -> list[str]:
    """What is wrong with a Metascene process's command line: it must run a management command that exists (with
    options its parser takes), the Celery app on the settings' queues, or gunicorn with a configuration that
    exists and names the WSGI module."""
    if not argv:
        return ["empty command"]
    program = Path(argv[0]).name
    if program == "sh" and argv[1:2] == ["-c"]:
        return [problem for command in shell_commands(argv[2]) for problem in command_problems(command)]
    if program.startswith("python"):
        return _manage_problems(argv)
    if program == "celery":
        return _celery_problems(argv)
    if program == "gunicorn":
        return _gunicorn_problems(argv)
    return [f"{argv[0]!r} is not a Metascene program (python manage.py, celery or gunicorn)"]


def _manage_problems(argv: list[str]) -> list[str]:
    if argv[1:2] == ["-c"]:
        return []  # an inline health check
    if argv[1:2] != ["manage.py"] or len(argv) < 3:
        return [f"{shlex.join(argv)}: expected python manage.py COMMAND"]
    name, arguments = argv[2], argv[3:]
    commands = get_commands()
    if name not in commands:
        return [f"manage.py has no command {name!r}"]
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(arguments)
    except SystemExit:
        return [f"manage.py {name} does not take {shlex.join(arguments)}"]
    return []


def _celery_problems(argv: list[str]) -> list[str]:
    if option(argv, "-A") != "metascene" or importlib.util.find_spec("metascene.celery") is None:
        return [f"{shlex.join(argv)}: expected -A metascene (platform/metascene/celery.py)"]
    from metascene.celery import app

    if app.main != "metascene":
        return ["metascene.celery.app is not the Metascene app"]
    verb = argv[argv.index("-A") + 2] if len(argv) > argv.index("-A") + 2 else ""
    if verb == "worker":
        queues = (option(argv, "-Q") or "").split(",")
        unknown = set(queues) - celery_queues()
        problems = [f"worker queue(s) {sorted(unknown)} are not in CELERY_TASK_ROUTES"] if unknown else []
        concurrency = option(argv, "-c")
        if concurrency is not None and not concurrency.isdigit():
            problems.append(f"worker concurrency {concurrency!r} is not a number")
        if option(argv, "-n") is None:
            problems.append("worker without a node name (-n QUEUE@%h): its health check cannot address it")
        return problems
    if verb in {"beat", "inspect"}:
        return []
    return [f"celery {verb!r}: expected worker, beat or inspect"]


def _gunicorn_problems(argv: list[str]) -> list[str]:
    config = option(argv, "--config") or option(argv, "-c")
    if config is None or not (REPO / config).is_file():
        return [f"{shlex.join(argv)}: expected --config deploy/gunicorn.conf.py"]
    values = runpy.run_path(str(REPO / config))
    module = str(values.get("wsgi_app", "")).partition(":")[0]
    folder = REPO / str(values.get("pythonpath", ""))
    if not (folder / Path(*module.split("."))).with_suffix(".py").is_file():
        return [f"{config}: wsgi_app {values.get('wsgi_app')!r} is not a module under {folder}"]
    return []


def worker_name(argv: list[str]) -> str:
    """The node name's prefix of a worker command (``-n validation@%h`` gives ``validation``)."""
    return (option(argv, "-n") or "").partition("@")[0]


def required_production_env() -> set[str]:
    """The environment variables production settings read without a default: the start fails without them."""
    source = (REPO / "platform/metascene/settings/production.py").read_text()
    return set(re.findall(r'env\.\w+\("(\w+)"\)', source))


def makefile_system_packages() -> list[str]:
    match = re.search(r"^SYSTEM_PACKAGES\s*:=\s*(.+)$", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile has no SYSTEM_PACKAGES"
    return match.group(1).split()
