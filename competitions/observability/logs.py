"""Production's log lines: one JSON object per line, with the request id or the Celery task id where known.

``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``; ``request_id`` inside a web request
(``frontend.observability.RequestMetricsMiddleware`` takes it from ``X-Request-ID`` or makes one), ``task_id``
inside a Celery task; ``exception`` with the traceback when there is one. Anything passed in ``extra=`` that JSON
can hold is kept. Local and test settings keep the plain lines.
"""

import json
import logging
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("metascene_request_id", default=None)

# The attributes every LogRecord has: not copied as extra fields.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# A request id taken from a client is kept only when it looks like one.
_REQUEST_ID_MAX_LENGTH = 64


def request_id_from(header: str | None) -> str:
    """The request's id: the proxy's ``X-Request-ID`` when it is short printable text, otherwise a new one."""
    if header and len(header) <= _REQUEST_ID_MAX_LENGTH and header.isprintable() and header.isascii():
        return header
    return uuid.uuid4().hex


def _task_id() -> str | None:
    # Imported on use: the web processes log without Celery's task machinery.
    from celery import current_task

    # A proxy to the task running now: false outside a task.
    if not current_task:
        return None
    return getattr(current_task.request, "id", None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current_request = request_id.get()
        if current_request:
            line["request_id"] = current_request
        task = _task_id()
        if task:
            line["task_id"] = task
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)
