"""``manage.py check_asset``: the pre-flight check prints the verdict an upload would get, exits 0 for ready and 1
for rejected, and with ``--json`` writes exactly one JSON object on stdout."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from competitions.pipeline.samples import box_glb
from tests.factories import CompetitionFactory
from tests.pipeline import hostile

REPO = Path(__file__).resolve().parents[1]


def command_line(*args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check_asset`` in its own process, as a person runs it: its exit status, stdout and stderr."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metascene.settings.test",
        "METASCENE_TEST_RUN_ID": settings.TEST_RUN_ID,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check_asset", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def check(*args: str) -> tuple[str, int]:
    """The command run here: its stdout and exit status (1 when it raised the rejection)."""
    out = StringIO()
    try:
        call_command("check_asset", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


@pytest.fixture
def box(tmp_path: Path) -> Path:
    path = tmp_path / "box.glb"
    path.write_bytes(box_glb())
    return path


@pytest.fixture
def truncated(tmp_path: Path) -> Path:
    return hostile.truncated_glb(tmp_path / "truncated.glb")


@pytest.fixture
def min_mismatch(tmp_path: Path) -> Path:
    """The box with a wrong accessor minimum: an error the validator reports, but the file still loads."""
    document, binary = hostile.glb_parts(box_glb())
    document["accessors"][0]["min"] = [-0.4, 0.0, -0.5]
    path = tmp_path / "min-mismatch.glb"
    path.write_bytes(hostile.glb_bytes(document, binary))
    return path


def test_json_for_a_valid_glb_is_one_ready_object_and_the_exit_status_is_0(box: Path) -> None:
    run = command_line(str(box), "--json")

    assert run.returncode == 0, run.stderr
    verdict = json.loads(run.stdout)
    assert (verdict["status"], verdict["messages"]) == ("ready", [])
    assert (verdict["stats"]["triangles"], verdict["stats"]["vertices"], verdict["stats"]["draw_calls"]) == (12, 24, 1)
    assert "artifacts" not in verdict


def test_json_for_a_truncated_glb_is_one_rejected_object_and_the_exit_status_is_1(truncated: Path) -> None:
    run = command_line(str(truncated), "--json")

    assert run.returncode == 1, run.stderr
    verdict = json.loads(run.stdout)
    assert verdict["status"] == "rejected"
    [message] = verdict["messages"]
    assert message.keys() == {"severity", "code", "message", "pointer"}
    assert (message["severity"], message["code"]) == ("error", "GLB_UNEXPECTED_END_OF_CHUNK_DATA")


def test_plain_words_group_the_messages_by_severity_and_say_what_to_fix(truncated: Path) -> None:
    out, status = check(str(truncated))

    assert status == 1
    assert out.splitlines()[0] == "Rejected: truncated.glb cannot be accepted as it is."
    assert "Errors (fix these): 1" in out
    assert "GLB_UNEXPECTED_END_OF_CHUNK_DATA" in out and "upload it again" in out


def test_plain_words_for_a_ready_file_show_its_statistics(box: Path) -> None:
    out, status = check(str(box))

    assert status == 0
    assert out.splitlines()[0] == "Ready: box.glb passes every check."
    assert "  triangles: 12" in out.splitlines()


def test_render_writes_thumbnails_into_the_folder_and_lists_them_in_the_json(box: Path, tmp_path: Path) -> None:
    out, status = check(str(box), "--json", "--render", str(tmp_path / "renders"))

    verdict = json.loads(out)
    assert status == 0
    assert verdict["artifacts"]["hero"] == str(tmp_path / "renders" / "hero.webp")
    assert (tmp_path / "renders" / "hero.webp").is_file() and (tmp_path / "renders" / "viewer.glb").is_file()


@pytest.mark.django_db
def test_a_competitions_rules_apply_when_it_is_named(box: Path) -> None:
    CompetitionFactory(slug="tiny-scenes", max_triangles=10)

    out, status = check(str(box), "--json", "--competition", "tiny-scenes")

    verdict = json.loads(out)
    assert (status, verdict["status"]) == (1, "rejected")
    assert [m["severity"] for m in verdict["messages"]] == ["error"]
    assert "12" in verdict["messages"][0]["message"]


@pytest.mark.django_db
def test_an_unknown_competition_is_refused(box: Path) -> None:
    with pytest.raises(CommandError, match="no-such-competition"):
        call_command("check_asset", str(box), "--competition", "no-such-competition")


def test_a_loadable_file_with_validator_errors_is_rejected_under_the_default_strict_policy(min_mismatch: Path) -> None:
    out, status = check(str(min_mismatch), "--json")

    assert (status, json.loads(out)["status"]) == (1, "rejected")


def test_lenient_accepts_a_loadable_file_showing_its_errors_as_warnings(min_mismatch: Path) -> None:
    out, status = check(str(min_mismatch), "--json", "--lenient")

    verdict = json.loads(out)
    assert (status, verdict["status"]) == (0, "ready")
    assert {m["code"] for m in verdict["messages"]} >= {"ACCESSOR_MIN_MISMATCH"}
    assert {m["severity"] for m in verdict["messages"]} == {"warning"}


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no-such.glb"):
        call_command("check_asset", str(tmp_path / "no-such.glb"))
