"""deploy/Dockerfile, read as instructions (no Docker daemon here): its base, the system packages it installs
(the Makefile's SYSTEM_PACKAGES, so the two cannot drift), both package-locks installed, everything it copies
present and not excluded by .dockerignore, a non-root user, and the web command of compose.yaml."""

import fnmatch
import re
import shlex

from tests.deploy.deployfiles import DEPLOY, REPO, command_problems, documents, makefile_system_packages

DOCKERFILE = DEPLOY / "Dockerfile"
# In the Makefile for the browser tests only: the image serves the site and never runs them.
TEST_ONLY_PACKAGES = {"chromium"}
Instruction = tuple[str, str]


def instructions(text: str) -> list[Instruction]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n(\s*#.*\n)*", " ", "\n".join(line for line in text.splitlines() if not line.startswith("#")))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            pairs.append((keyword.upper(), " ".join(arguments.split())))
    return pairs


def stages(text: str) -> dict[str, list[Instruction]]:
    """The instructions of each named stage."""
    found: dict[str, list[Instruction]] = {}
    current: list[Instruction] = []
    for keyword, arguments in instructions(text):
        if keyword == "FROM":
            current = found.setdefault(arguments.split(" AS ")[-1], [])
        current.append((keyword, arguments))
    return found


def apt_packages(stage: list[Instruction]) -> set[str]:
    packages: set[str] = set()
    for keyword, arguments in stage:
        for command in arguments.split("&&") if keyword == "RUN" else []:
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                packages |= {word for word in words[words.index("install") + 1 :] if not word.startswith("-")}
    return packages


def package_problems(text: str) -> list[str]:
    """How the runtime stage's packages differ from the Makefile's SYSTEM_PACKAGES (less the test-only ones)."""
    installed = apt_packages(stages(text)["runtime"])
    missing = set(makefile_system_packages()) - TEST_ONLY_PACKAGES - installed
    extra = installed - set(makefile_system_packages()) - {"nodejs"}
    return [f"missing {sorted(missing)}"] * bool(missing) + [f"not in the Makefile: {sorted(extra)}"] * bool(extra)


def test_the_base_is_python_311_slim_bookworm() -> None:
    text = DOCKERFILE.read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    assert [a for k, a in instructions(text) if k == "FROM"] == [
        "${PYTHON_IMAGE} AS node", "${PYTHON_IMAGE} AS runtime"
    ]  # fmt: skip


def test_the_image_installs_the_makefiles_system_packages_and_node() -> None:
    text = DOCKERFILE.read_text()
    assert package_problems(text) == []
    assert "nodejs" in apt_packages(stages(text)["runtime"])
    assert {"nodejs", "npm", "make"} <= apt_packages(stages(text)["node"])


def test_a_package_added_to_the_makefile_alone_is_caught() -> None:
    text = DOCKERFILE.read_text()
    assert package_problems(text.replace(" libegl-mesa0", "")) == ["missing ['libegl-mesa0']"]
    assert package_problems(text.replace(" gettext ", " gettext curl ")) == ["not in the Makefile: ['curl']"]


def test_both_package_locks_are_installed_and_their_modules_copied() -> None:
    node = stages(DOCKERFILE.read_text())["node"]
    runtime = stages(DOCKERFILE.read_text())["runtime"]
    copied = " ".join(a for k, a in node if k == "COPY")
    for lock in ("frontend/package-lock.json", "competitions/pipeline/node/package-lock.json"):
        assert lock in copied and (REPO / lock).is_file()
    assert ("RUN", "make frontend pipeline-node") in node
    from_node = [a.split()[1] for k, a in runtime if k == "COPY" and a.startswith("--from=node")]
    assert from_node == [
        "/build/frontend/node_modules", "/build/frontend/static/vendor",
        "/build/competitions/pipeline/node/node_modules",
    ]  # fmt: skip


def test_translations_and_static_files_are_built_with_the_production_settings() -> None:
    text = DOCKERFILE.read_text()
    env = " ".join(a for k, a in instructions(text) if k == "ENV")
    assert "DJANGO_SETTINGS_MODULE=metascene.settings.production" in env
    run = [a for k, a in stages(text)["runtime"] if k == "RUN" and "compilemessages" in a][0]
    commands = [shlex.split(command) for command in run.split("&&")]
    manage = [[w for w in words if "=" not in w or w.startswith("--")] for words in commands if "manage.py" in words]
    assert [words[2] for words in manage] == ["compilemessages", "collectstatic"]
    assert all(command_problems(words) == [] for words in manage)


def test_what_the_image_copies_exists_and_is_not_ignored() -> None:
    ignored = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    assert {".git", ".venv", "**/node_modules", "var"} <= set(ignored)
    for keyword, arguments in instructions(DOCKERFILE.read_text()):
        if keyword == "COPY" and not arguments.startswith("--from"):
            for source in arguments.split()[:-1]:
                assert (REPO / source).exists(), source
                assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
    needed = ["Makefile", "requirements.txt", "manage.py", "deploy/gunicorn.conf.py", "platform/metascene/wsgi.py"]
    assert not [path for path in needed if any(fnmatch.fnmatch(path, p) or path.startswith(f"{p}/") for p in ignored)]


def test_it_runs_as_a_non_root_user_and_serves_the_web_by_default() -> None:
    runtime = stages(DOCKERFILE.read_text())["runtime"]
    users = [a for k, a in runtime if k == "USER"]
    assert users and users[-1] not in {"0", "root"}
    assert f"--uid {users[-1]}" in " ".join(a for k, a in runtime if k == "RUN")
    command = [a for k, a in runtime if k == "CMD"][-1]
    web = documents(DEPLOY / "compose.yaml")[0]["services"]["web"]["command"]
    assert shlex.split(command.strip("[]").replace(",", " ")) == web
