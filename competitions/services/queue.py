"""How the services start background work: Celery tasks sent by name, so nothing below ``competitions.tasks``
imports it (the tasks call the services; the services never call the tasks).

The Celery app routes each name to its queue (settings.CELERY_TASK_ROUTES: validation on "validation", rendering and
the turntable on "rendering"), and the worker that runs a task applies its time limits (CELERY_TASK_ANNOTATIONS).
Results are not stored: the revision's row records the outcome. Callers send after commit
(``transaction.on_commit``), so a worker never looks for a row that is not there yet.
"""

import logging

from celery import current_app
from django.core.cache import cache

logger = logging.getLogger(__name__)

# The names competitions.tasks registers its tasks under.
VALIDATE_REVISION = "competitions.tasks.validate_revision"
RENDER_REVISION = "competitions.tasks.render_revision"
RENDER_EXTRAS = "competitions.tasks.render_extras"
BUILD_EXPORT_ARCHIVE = "competitions.tasks.build_export_archive"
REFRESH_DASHBOARD_SCORES = "competitions.tasks.refresh_dashboard_scores"
# A dashboard asks for its round's score figures again at most this often, however many organisers watch it.
DASHBOARD_REFRESH_SECONDS = 30


def _send(name: str, argument: int, what: str) -> bool:
    """Send the task ``name`` with its one argument; whether it was sent. A broker that is down is logged as
    "Could not send <what>", not raised."""
    try:
        current_app.send_task(name, args=(argument,), ignore_result=True)
    except Exception:
        logger.exception("Could not send %s", what)
        return False
    return True


def revision_task_send(task: str, revision_id: int) -> bool:
    """Send the task ``task`` (one of the names above) for the revision; whether it was sent.

    A broker that is down is logged, not raised: the revision is in the database, and the sweep queues a stage
    again (the turntable is best effort: the revision is ready without it).
    """
    return _send(task, revision_id, f"{task} for revision {revision_id}")


def export_task_send(job_id: int) -> bool:
    """Send the build of an export archive; whether it was sent. A broker that is down is logged, not raised: the
    job stays pending, and the exports page offers to ask again."""
    return _send(BUILD_EXPORT_ARCHIVE, job_id, f"the build of export {job_id}")


def dashboard_scores_send(round_id: int) -> bool:
    """Ask a worker to bring the dashboard's score figures of the round up to date
    (``selectors.dashboard.round_scores_refresh``); at most once per ``DASHBOARD_REFRESH_SECONDS`` per round.
    Whether it was sent; a broker that is down is logged, and the dashboard keeps showing the last figures."""
    if not cache.add(f"dashboard-scores-asked:{round_id}", True, DASHBOARD_REFRESH_SECONDS):
        return False
    return _send(REFRESH_DASHBOARD_SCORES, round_id, f"the dashboard scores of round {round_id}")
