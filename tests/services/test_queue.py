"""The services send tasks by name (``competitions.services.queue``): each name is a task the worker registers,
routed to its stage's queue, and a broker that is down is logged, not raised."""

from unittest import mock

import pytest
from celery import Task
from kombu.exceptions import OperationalError
from metascene.celery import app as celery_app

from competitions import tasks
from competitions.services import queue


@pytest.mark.parametrize(
    ("name", "task", "queue_name"),
    [
        (queue.VALIDATE_REVISION, tasks.validate_revision, "validation"),
        (queue.RENDER_REVISION, tasks.render_revision, "rendering"),
        (queue.RENDER_EXTRAS, tasks.render_extras, "rendering"),
    ],
)
def test_each_task_the_services_send_is_a_registered_task_routed_to_its_queue(
    name: str, task: Task, queue_name: str
) -> None:
    route = celery_app.amqp.router.route({}, name, (1,), {})

    assert (celery_app.tasks[name], route["queue"].name) == (task, queue_name)


def test_a_task_is_sent_by_name_with_the_revision_id() -> None:
    with mock.patch.object(celery_app, "send_task") as send_task:
        sent = queue.revision_task_send(queue.RENDER_REVISION, 7)

    [call] = send_task.call_args_list
    assert (sent, call.args, call.kwargs["args"]) == (True, (queue.RENDER_REVISION,), (7,))


def test_a_broker_that_is_down_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with mock.patch.object(celery_app, "send_task", side_effect=OperationalError("Connection refused")):
        sent = queue.revision_task_send(queue.VALIDATE_REVISION, 7)

    assert sent is False
    assert "Could not send competitions.tasks.validate_revision for revision 7" in caplog.text
