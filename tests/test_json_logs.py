"""Production settings log one JSON object per line (competitions.observability.logs): time, level, logger,
message, and the request id or the Celery task id where known. Local and test settings keep the plain lines.

Settings are read once per process, so production is tried in a subprocess of its own."""

import json
import logging
import os
import secrets
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from competitions.observability import logs

REPO = Path(__file__).resolve().parents[1]

LOG_SOME_LINES = """
import logging
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from frontend.observability import RequestMetricsMiddleware
from metascene.celery import app

log = logging.getLogger("metascene.check")
log.warning("plain %s", "line", extra={"entry_id": 7})

def view(request):
    log.info("inside the request")
    return HttpResponse("ok")

RequestMetricsMiddleware(view)(RequestFactory().get("/x", HTTP_X_REQUEST_ID="req-42"))

@app.task(name="check.log_in_task")
def log_in_task():
    log.info("inside the task")

log_in_task.apply(task_id="task-99")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("it broke: %s", "ü")
"""


@pytest.fixture(scope="module")
def production_lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The lines LOG_SOME_LINES writes under production settings, logged once for this module's tests."""
    tmp_path = tmp_path_factory.mktemp("production-logs")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="metascene.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="metascene.example.org",
        METASCENE_VAR_DIR=str(tmp_path / "var"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        PYTHONPATH=str(REPO / "platform"),
    )
    result = subprocess.run(
        [sys.executable, "-c", LOG_SOME_LINES], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # Every line is one JSON object: a collector never sees a fragment.
    return [json.loads(line) for line in lines]


def test_production_logs_one_json_object_per_line_with_time_level_logger_message(
    production_lines: list[dict[str, Any]],
) -> None:
    lines = production_lines

    [plain] = [line for line in lines if line["message"] == "plain line"]
    assert (plain["level"], plain["logger"], plain["entry_id"]) == ("WARNING", "metascene.check", 7)
    assert datetime.fromisoformat(plain["time"]).utcoffset() is not None
    assert "request_id" not in plain and "task_id" not in plain


def test_production_log_lines_carry_the_request_id_inside_a_request(production_lines: list[dict[str, Any]]) -> None:
    lines = production_lines

    [inside] = [line for line in lines if line["message"] == "inside the request"]
    assert inside["request_id"] == "req-42"


def test_production_log_lines_carry_the_task_id_inside_a_celery_task(production_lines: list[dict[str, Any]]) -> None:
    lines = production_lines

    [inside] = [line for line in lines if line["message"] == "inside the task"]
    assert inside["task_id"] == "task-99"


def test_production_log_lines_keep_the_traceback_in_one_line(production_lines: list[dict[str, Any]]) -> None:
    lines = production_lines

    [broken] = [line for line in lines if line["message"] == "it broke: ü"]
    assert broken["level"] == "ERROR"
    assert "ZeroDivisionError" in broken["exception"]


def test_test_settings_keep_the_plain_log_lines() -> None:
    logging_settings: dict[str, Any] = settings.LOGGING

    assert logging_settings["formatters"]["plain"]["format"].startswith("%(asctime)s")
    assert logging_settings["handlers"]["console"]["formatter"] == "plain"


def test_a_request_id_from_outside_is_kept_only_when_it_is_short_printable_text() -> None:
    assert logs.request_id_from("abc-123") == "abc-123"
    assert len(logs.request_id_from("x" * 200)) == 32
    assert len(logs.request_id_from("bad\nid")) == 32
    assert len(logs.request_id_from(None)) == 32


def test_the_formatter_writes_a_record_as_json() -> None:
    record = logging.LogRecord("metascene.x", logging.INFO, __file__, 1, "hello %s", ("world",), None)

    line = json.loads(logs.JsonFormatter().format(record))

    assert {key: line[key] for key in ("level", "logger", "message")} == {
        "level": "INFO",
        "logger": "metascene.x",
        "message": "hello world",
    }
