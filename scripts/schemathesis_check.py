"""Fuzz the API against its own OpenAPI schema with schemathesis, on a live server with a scratch database.

    .venv/bin/python scripts/schemathesis_check.py [--max-examples 20] [--seed 1] [--keep]

Migrates a scratch SQLite database in a temporary folder (its media, cache and broker too: nothing of var/ is
touched and no worker picks up its tasks), seeds one person who captains a team with an entry, judges an open
round and organises, starts the development server on a free port with DEBUG off, and runs schemathesis with that
person's token against /api/schema/. Exits non-zero when any check fails: a 5xx, a status code, content type,
header or body the schema does not document. The number of examples per operation keeps it to a few minutes.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# Runs inside `manage.py shell`: the test suite's factories make small valid objects quickly. Prints the token and
# the ids each path parameter should mostly take, so requests reach the views' logic rather than a 404.
SEED = """
import json
from rest_framework.authtoken.models import Token
from competitions.models import UploadSession
from tests.factories import EntryFactory, EntryRevisionFactory, TeamFactory, UserFactory
from tests.services.judging_cast import assign, draft_round, open_round, seat

person = UserFactory(username="fuzz@schemathesis.test", is_staff=True, profile__organisation="Schemathesis")
team = TeamFactory(captain=person)
entry = EntryFactory(team=team, title="Harbour at dusk")
revision = EntryRevisionFactory(entry=entry, uploaded_by=person)
upload = UploadSession.objects.create(entry=entry, user=person, original_name="harbour.glb", size=1000)
round = draft_round(entries=2)
seat(round, person)
open_round(round)
round_entry = round.round_entries.order_by("pk").first()
assign(round_entry, person)
print(json.dumps({
    "token": Token.objects.create(user=person).key,
    "ids": {
        "^/api/entries/[{]id[}]/": [entry.pk],
        "^/api/teams/[{]id[}]/": [team.pk],
        "^/api/revisions/[{]id[}]/": [revision.pk],
        "^/api/uploads/[{]id[}]/": [str(upload.pk)],
        "^/api/rounds/[{]id[}]/": [round.pk],
        "^/api/judging/entries/[{]round_entry_id[}]/": [round_entry.pk],
        "^/api/competitions/[{]slug[}]/": [team.competition.slug, round.competition.slug],
    },
}))
"""
# How often a path parameter takes a seeded id; otherwise schemathesis makes one up (mostly a 404).
SEEDED_ID_PROBABILITY = 0.8


def config(seeded: dict[str, list[object]]) -> str:
    """A schemathesis.toml that draws each path's parameter from the seeded ids."""
    lines = []
    for number, (path, values) in enumerate(seeded.items()):
        name = path.rsplit("[{]", 1)[1].split("[}]")[0]
        lines += [
            f"[dictionaries.seeded{number}]",
            f"values = {json.dumps(values)}",
            "",
            "[[operations]]",
            f"include-path-regex = {json.dumps(path)}",
            f'parameters = {{ "path.{name}" = {{ dictionary = "seeded{number}", '
            f"probability = {SEEDED_ID_PROBABILITY} }} }}",
            "",
        ]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=20, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis' random seed, for a repeatable run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (its path is printed)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="metascene-schemathesis-"))
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "metascene.settings.local",
        "DJANGO_DEBUG": "false",
        "METASCENE_VAR_DIR": str(scratch),
        "DJANGO_MEDIA_ROOT": str(scratch / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    server = None
    try:
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        seeded = subprocess.run(
            [*manage, "shell", "--command", SEED], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        token = seed["token"]
        (scratch / "schemathesis.toml").write_text(config(seed["ids"]))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (scratch / "server.log").open("w")
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{base}/api/schema/", 60)
        command = [
            str(Path(PYTHON).with_name("schemathesis")),
            "--no-color",
            "--config-file",
            str(scratch / "schemathesis.toml"),
            "run",
            f"{base}/api/schema/",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
        ]
        print("Running:", " ".join(part if "Token" not in part else "Authorization: Token ***" for part in command))
        hooks = {"SCHEMATHESIS_HOOKS": str(ROOT / "scripts" / "schemathesis_hooks.py")}
        result = subprocess.run(command, cwd=scratch, env={**os.environ, **hooks}, check=False)
        if result.returncode:
            print(f"schemathesis found problems; the server's log is {scratch / 'server.log'}", file=sys.stderr)
            args.keep = True
        return result.returncode
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"Scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
