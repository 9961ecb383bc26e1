"""Processing an uploaded revision, stage by stage, as the Celery tasks drive it.

    received -> validating -> rendering -> ready        (the file passed; thumbnails and viewer copy made)
                         \\-> rejected   (the file is at fault: its messages say what to fix)
    any stage            --> failed     (our fault, after METASCENE_MAX_PROCESSING_ATTEMPTS workers tried)

Each stage is *claimed* by one task with one conditional UPDATE that records the task's id and the time
(``claimed_by``, ``claimed_at``) and counts the attempt; every later write of that stage is conditional on still
holding the claim. So duplicate deliveries, redeliveries after a worker died and the sweep's re-enqueues can
overlap safely: each stage's outcome is recorded once, and a revision becomes ready exactly once. A claim is a
short lease (METASCENE_CLAIM_LEASE_SECONDS) that the working process renews while the stage runs
(``claim_kept``); a worker that was killed stops renewing, its lease runs out within seconds, and the sweep queues
the revision again for the next task, which takes the stage over, counting another attempt. A stage that hangs is
ended by its time limits, which stop the renewals too. A redelivered or retried task keeps its task id, so it
takes its own claim back at once.

The heavy work runs in the sandbox's child process (``competitions.pipeline.sandbox``): a file that exhausts the
memory, CPU or time budget is rejected, and the worker lives on.

The modules: ``claims`` (claims and their leases), ``stages`` (validation, rendering, the turntable), ``files``
(scratch folders and stored outputs), ``failure`` (failed revisions and the organisers' alert) and ``sweep``
(stuck revisions queued again). The next stage's task is sent through ``competitions.services.queue``.
"""

from competitions.services.processing.claims import (
    RENDERING,
    VALIDATION,
    claim_kept,
    lease_seconds,
    new_claim,
    revision_attempts_exhausted,
    revision_claim,
    revision_renew_claim,
    revision_set_stage,
)
from competitions.services.processing.failure import (
    FAILED_AFTER_ATTEMPTS,
    FAILED_INTERNAL,
    FAILED_TOO_LONG,
    revision_fail,
)
from competitions.services.processing.files import artifact_folder
from competitions.services.processing.stages import (
    EXTRAS,
    identifying_words,
    limits_for,
    revision_process,
    revision_render,
    revision_render_extras,
    revision_validate,
    stage_processes_prestart,
    stage_seconds,
)
from competitions.services.processing.sweep import revisions_requeue

__all__ = [
    "EXTRAS",
    "FAILED_AFTER_ATTEMPTS",
    "FAILED_INTERNAL",
    "FAILED_TOO_LONG",
    "RENDERING",
    "VALIDATION",
    "artifact_folder",
    "claim_kept",
    "identifying_words",
    "lease_seconds",
    "limits_for",
    "new_claim",
    "revision_attempts_exhausted",
    "revision_claim",
    "revision_fail",
    "revision_process",
    "revision_render",
    "revision_render_extras",
    "revision_renew_claim",
    "revision_set_stage",
    "revision_validate",
    "revisions_requeue",
    "stage_processes_prestart",
    "stage_seconds",
]
