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
"""

import logging
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import DatabaseError, connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import Competition, Entry, EntryRevision, Team
from competitions.pipeline.limits import Limits
from competitions.pipeline.report import AssetRejected, Message
from competitions.pipeline.run import (
    RENDERING_MODULES,
    VALIDATION_MODULES,
    Rendering,
    Validation,
    limits_to_json,
    rendering_budget,
    validation_budget,
)
from competitions.pipeline.sandbox import run_in_sandbox
from competitions.selectors import organiser_emails

logger = logging.getLogger(__name__)

Status = EntryRevision.Status
Stage = EntryRevision.Stage
# The two halves of processing, each a Celery queue and a claim of its own.
VALIDATION, RENDERING = "validation", "rendering"
# Made after the revision is ready; judging does without them.
EXTRAS = ("turntable",)

FAILED_AFTER_ATTEMPTS = (
    "We could not process this file after %(attempts)d attempts. The problem is on our side, not in your file; "
    "the organisers have been told."
)
FAILED_INTERNAL = (
    "An internal error stopped processing. The problem is on our side, not in your file; the organisers have been told."
)
FAILED_TOO_LONG = "Processing took too long and was stopped; the organisers have been told."


def limits_for(competition: Competition | None = None) -> Limits:
    """The budgets a file is checked against in ``competition``; without one, a new competition's default rules.

    The only place where a competition's asset rules become pipeline ``Limits``.
    """
    competition = competition or Competition()
    return Limits(
        max_upload_bytes=competition.max_upload_bytes,
        max_triangles=competition.max_triangles,
        max_texture_size=competition.max_texture_size,
        max_materials=competition.max_materials,
        max_draw_calls=competition.max_draw_calls,
        allowed_extensions=tuple(competition.allowed_extensions) or None,
        policy=competition.validation_policy,
        formats=tuple(competition.allowed_formats),
    )


def new_claim() -> str:
    """A claim for work done outside a Celery task (the demo seed, tests)."""
    return uuid.uuid4().hex


def stage_seconds(stage: str) -> int:
    """Wall-clock seconds the stage's sandboxed child may run."""
    return settings.METASCENE_STAGE_TIME_LIMITS[stage]["stage"]


def lease_seconds(stage: str) -> int:
    """How long a claim on the stage holds after it was last renewed. The task holding it renews it every
    METASCENE_CLAIM_RENEW_SECONDS while it runs, so only a claim whose worker died (or is stuck past every limit)
    runs out."""
    return settings.METASCENE_CLAIM_LEASE_SECONDS


def revision_renew_claim(*, revision_id: int, claim: str) -> bool:
    """Extend the lease of ``claim`` on the revision's current stage; False when the task no longer holds it."""
    return (
        EntryRevision.objects.filter(pk=revision_id, claimed_by=claim)
        .exclude(status__in=EntryRevision.FINAL_STATUSES)
        .update(claimed_at=timezone.now())
        == 1
    )


@contextmanager
def claim_kept(revision_id: int, claim: str) -> Iterator[None]:
    """Renew the claim from a background thread while the block runs (the stage's sandboxed child).

    The thread lives in the process that runs the task, so a worker killed with SIGKILL (or a pool process ended by
    the hard time limit) stops renewing at once and its lease runs out. Inside a transaction (the tests'), there is
    nothing to renew for others to see, and the thread's writes would wait on the transaction's lock: no thread.
    """
    if transaction.get_connection().in_atomic_block:
        yield
        return
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.METASCENE_CLAIM_RENEW_SECONDS):
                try:
                    if not revision_renew_claim(revision_id=revision_id, claim=claim):
                        return
                except DatabaseError:
                    logger.warning("Could not renew the claim on revision %s; trying again", revision_id)
        finally:
            # The thread's own connection: closed here, so no process forked later inherits it open.
            connections.close_all()

    thread = threading.Thread(target=renew, name=f"claim-{revision_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def _free(stage: str, now: datetime, claim: str | None = None) -> Q:
    """The stage is free to take: never claimed, claimed by a worker that stopped renewing its lease (it died), or
    claimed by ``claim``."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=lease_seconds(stage)))
    return free | Q(claimed_by=claim) if claim else free


def _claimable(stage: str, now: datetime, claim: str | None = None) -> Q:
    if stage == VALIDATION:
        return Q(status=Status.RECEIVED) | (Q(status=Status.VALIDATING) & _free(stage, now, claim))
    return Q(status=Status.RENDERING) & _free(stage, now, claim)


def revision_claim(*, revision_id: int, claim: str, stage: str = VALIDATION) -> bool:
    """Take ``stage`` of the revision for the task ``claim``, counting the attempt; False if it is not to be taken.

    One conditional UPDATE, so two workers given the same id never both work on it: validation moves a received
    revision to validating; rendering takes a revision that validation passed on. A stage held by a dead worker
    (its lease ran out) or by ``claim`` itself is taken over. A revision whose stage has
    used up its attempts is failed here instead, and the organisers are told.
    """
    if not claim:
        raise ValueError("A claim needs a non-empty task id.")
    now = timezone.now()
    claimable = Q(pk=revision_id) & _claimable(stage, now, claim)
    fields: dict[str, Any] = {"attempts": F("attempts") + 1, "claimed_by": claim, "claimed_at": now}
    if stage == VALIDATION:
        fields.update(
            status=Status.VALIDATING,
            stage=Stage.UNPACK,
            status_changed_at=Case(When(status=Status.RECEIVED, then=Value(now)), default=F("status_changed_at")),
        )
    else:
        fields["stage"] = Stage.RENDER
    max_attempts = settings.METASCENE_MAX_PROCESSING_ATTEMPTS
    if EntryRevision.objects.filter(claimable, attempts__lt=max_attempts).update(**fields) == 1:
        return True
    _fail_where(
        claimable & Q(attempts__gte=max_attempts),
        reason=FAILED_AFTER_ATTEMPTS % {"attempts": max_attempts},
        detail=f"{stage} was claimed {max_attempts} times without finishing; its workers died or gave up.",
    )
    return False


def revision_set_stage(*, revision_id: int, claim: str, stage: str) -> None:
    """Show the entrant which stage the worker holding the revision has reached."""
    EntryRevision.objects.filter(pk=revision_id, claimed_by=claim).exclude(
        status__in=EntryRevision.FINAL_STATUSES
    ).update(stage=stage)


def revision_attempts_exhausted(*, revision_id: int) -> bool:
    """Whether the revision's current stage has used up its attempts (a retry would be failed at once)."""
    attempts = EntryRevision.objects.filter(pk=revision_id).values_list("attempts", flat=True).first()
    return attempts is not None and attempts >= settings.METASCENE_MAX_PROCESSING_ATTEMPTS


# --- Validation ----------------------------------------------------------------------------------------------------


def revision_validate(*, revision_id: int, claim: str, queue_rendering: bool = True) -> EntryRevision | None:
    """Claim the revision's validation, run unpack/validate/inspect in the sandbox and record the verdict.

    Rejected (the file's fault, a limit included) ends here with the messages; a file that passed moves on to
    rendering with its report and statistics, and its rendering is queued after commit (unless
    ``queue_rendering`` is false). Returns None, changing nothing, when the validation is not this task's to do:
    the revision is finished, or a live worker holds it. Raises on our own failures (the task decides on retries).
    """
    if not revision_claim(revision_id=revision_id, claim=claim, stage=VALIDATION):
        return None
    revision = EntryRevision.objects.select_related("entry__team__competition").get(pk=revision_id)
    limits = limits_for(revision.entry.team.competition)
    with _workdir(revision) as workdir, claim_kept(revision_id, claim):
        payload = {
            "upload": str(_local_upload(revision, workdir)),
            "workdir": str(workdir),
            "limits": limits_to_json(limits),
        }
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:validation_job",
                payload,
                validation_budget(limits, stage_seconds(VALIDATION)),
                workdir=workdir,
                on_event=_stage_recorder(revision_id, claim),
                preload=VALIDATION_MODULES,
                keep_warm=True,
            )
            validation = Validation.from_json(finished.value)
        except AssetRejected as exc:
            validation = Validation(exc.messages, {}, None)
    if validation.rejected:
        return _reject(revision, claim, validation.messages, validation.stats)
    return _pass_to_rendering(revision, claim, validation, queue=queue_rendering)


@transaction.atomic
def _pass_to_rendering(
    revision: EntryRevision, claim: str, validation: Validation, *, queue: bool
) -> EntryRevision | None:
    now = timezone.now()
    moved = EntryRevision.objects.filter(pk=revision.pk, status=Status.VALIDATING, claimed_by=claim).update(
        status=Status.RENDERING,
        stage=Stage.RENDER,
        report={"messages": [m.to_dict() for m in validation.messages]},
        stats=validation.stats,
        # Rendering counts its own attempts.
        attempts=0,
        claimed_by="",
        claimed_at=None,
        queued_at=now,
        status_changed_at=now,
    )
    if not moved:
        return None
    if queue:
        transaction.on_commit(lambda: queue_stage(RENDERING, revision.pk))
    return EntryRevision.objects.get(pk=revision.pk)


def _reject(
    revision: EntryRevision, claim: str, messages: list[Message], stats: dict[str, Any]
) -> EntryRevision | None:
    """The file is at fault: record its messages. The entry keeps its current revision."""
    now = timezone.now()
    rejected = EntryRevision.objects.filter(
        pk=revision.pk, status__in=(Status.VALIDATING, Status.RENDERING), claimed_by=claim
    ).update(
        status=Status.REJECTED,
        report={"messages": [m.to_dict() for m in messages]},
        stats=stats,
        processed_at=now,
        status_changed_at=now,
        claimed_by="",
        claimed_at=None,
    )
    return EntryRevision.objects.get(pk=revision.pk) if rejected else None


# --- Rendering -----------------------------------------------------------------------------------------------------


def revision_render(*, revision_id: int, claim: str, queue_extras: bool = True) -> EntryRevision | None:
    """Claim the revision's rendering, make what judging needs (views, viewer GLB, blind copy) in the sandbox,
    store it at ``artifact_folder(revision)`` and mark the revision ready.

    Ready makes it the entry's current revision if it is newer than the current one; the turntable is queued
    after commit (unless ``queue_extras`` is false). A file that passed validation but breaks a limit while
    rendering is rejected. Returns None, changing nothing, when the rendering is not this task's to do.
    """
    if not revision_claim(revision_id=revision_id, claim=claim, stage=RENDERING):
        return None
    revision = EntryRevision.objects.select_related("entry__team__competition").get(pk=revision_id)
    limits = limits_for(revision.entry.team.competition)
    with _workdir(revision) as workdir, claim_kept(revision_id, claim):
        payload = _rendering_payload(revision, limits, workdir)
        payload.update(identifying=identifying_words(revision.entry.team), turntable=False)
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:rendering_job",
                payload,
                rendering_budget(limits, stage_seconds(RENDERING)),
                workdir=workdir,
                on_event=_stage_recorder(revision_id, claim),
                preload=RENDERING_MODULES,
                keep_warm=True,
            )
        except AssetRejected as exc:
            return _reject(revision, claim, _report_messages(revision) + exc.messages, revision.stats)
        rendering = Rendering.from_json(finished.value)
        artifacts = _store_artifacts(revision, rendering.artifacts)
    messages = _report_messages(revision) + rendering.messages
    return _mark_ready(revision, claim, artifacts, messages, queue_extras=queue_extras)


@transaction.atomic
def _mark_ready(
    revision: EntryRevision, claim: str, artifacts: dict[str, str], messages: list[Message], *, queue_extras: bool
) -> EntryRevision | None:
    now = timezone.now()
    ready = EntryRevision.objects.filter(pk=revision.pk, status=Status.RENDERING, claimed_by=claim).update(
        status=Status.READY,
        stage=Stage.PACKAGE,
        report={**revision.report, "messages": [m.to_dict() for m in messages]},
        artifacts=artifacts,
        processed_at=now,
        status_changed_at=now,
        claimed_by="",
        claimed_at=None,
    )
    if not ready:
        return None
    Entry.objects.filter(pk=revision.entry_id).filter(
        Q(current_revision__isnull=True) | Q(current_revision__number__lt=revision.number)
    ).update(current_revision=revision, updated_at=now)
    if queue_extras:
        transaction.on_commit(lambda: queue_extras_for(revision.pk))
    return EntryRevision.objects.get(pk=revision.pk)


def revision_render_extras(*, revision_id: int) -> EntryRevision | None:
    """Add the turntable to a ready revision. Best effort and idempotent: nothing happens when the revision is not
    ready or already has it, and a file too heavy for a turntable keeps its other thumbnails."""
    revision = (
        EntryRevision.objects.select_related("entry__team__competition")
        .filter(pk=revision_id, status=Status.READY)
        .first()
    )
    if revision is None or all(name in revision.artifacts for name in EXTRAS):
        return None
    limits = limits_for(revision.entry.team.competition)
    with _workdir(revision) as workdir:
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:turntable_job",
                _rendering_payload(revision, limits, workdir),
                rendering_budget(limits, stage_seconds(RENDERING)),
                workdir=workdir,
                preload=RENDERING_MODULES,
                keep_warm=True,
            )
        except AssetRejected as exc:
            logger.warning("No turntable for revision %s: %s", revision_id, exc)
            return None
        stored = _store_artifacts(revision, Rendering.from_json(finished.value).artifacts)
    with transaction.atomic():
        locked = EntryRevision.objects.select_for_update().get(pk=revision_id)
        locked.artifacts = {**locked.artifacts, **stored}
        locked.save(update_fields=["artifacts"])
    return locked


def _rendering_payload(revision: EntryRevision, limits: Limits, workdir: Path) -> dict[str, Any]:
    return {
        "upload": str(_local_upload(revision, workdir)),
        "limits": limits_to_json(limits),
        "workdir": str(workdir / "scene"),
        "out_dir": str(workdir / "out"),
    }


def _report_messages(revision: EntryRevision) -> list[Message]:
    return [Message.from_dict(m) for m in revision.report.get("messages", [])]


def identifying_words(team: Team) -> list[str]:
    """What identifies the team in a file: its name and its members' names, organisations, logins and addresses.
    The blind copy judges see must not contain them."""
    words = [team.name]
    for membership in team.memberships.select_related("user__profile"):
        user = membership.user
        profile = getattr(user, "profile", None)
        words += [user.get_full_name(), user.get_username(), user.email]
        if profile is not None:
            words += [profile.display_name, profile.organisation]
    return list(dict.fromkeys(word.strip() for word in words if word and word.strip()))


def artifact_folder(revision: EntryRevision) -> str:
    """Where a revision's outputs are stored: fixed by its ids, so a rerun overwrites rather than adds. Beside the
    entry's uploads (``revisions/<entry id>/<uuid>.<ext>``), in a folder of the revision's own."""
    return f"revisions/{revision.entry_id}/{revision.pk}"


def _store_artifacts(revision: EntryRevision, files: dict[str, Path]) -> dict[str, str]:
    """Copy the stage's output files into storage under fixed names; returns {artifact name: storage name}."""
    folder = artifact_folder(revision)
    stored = {}
    for name, path in files.items():
        target = f"{folder}/{path.name}"
        default_storage.delete(target)
        with open(path, "rb") as f:
            stored[name] = default_storage.save(target, File(f))
        if stored[name] != target:  # another worker wrote the same file between our delete and save
            logger.warning("Artifact %s of revision %s stored as %s", target, revision.pk, stored[name])
    return stored


# --- The whole pipeline, here and now ------------------------------------------------------------------------------


def revision_process(*, revision_id: int) -> EntryRevision | None:
    """Validate and, if the file passed, render a received revision in this process, as the two tasks would.

    For the demo seed and tests, where no worker runs: the result is the same as the tasks', and a rerun is a
    no-op. The turntable is queued after commit for a worker. Returns None when the revision was not received.
    """
    claim = new_claim()
    revision = revision_validate(revision_id=revision_id, claim=claim, queue_rendering=False)
    if revision is None or revision.status != Status.RENDERING:
        return revision
    return revision_render(revision_id=revision_id, claim=claim)


# --- Failure -------------------------------------------------------------------------------------------------------


def revision_fail(*, revision_id: int, reason: str, claim: str | None = None, detail: str = "") -> bool:
    """Our fault, not the file's: record ``reason`` for the entrant, keep the report so far, tell the organisers
    after commit. With ``claim``, only while that task holds the revision. The entry keeps its current revision.
    Returns whether the revision was failed (False when it was already finished or another task holds it)."""
    condition = Q(pk=revision_id) & ~Q(status__in=EntryRevision.FINAL_STATUSES)
    if claim:
        condition &= Q(claimed_by=claim)
    return _fail_where(condition, reason=reason, detail=detail)


@transaction.atomic
def _fail_where(condition: Q, *, reason: str, detail: str) -> bool:
    revision = EntryRevision.objects.select_for_update().filter(condition).first()
    if revision is None:
        return False
    now = timezone.now()
    failure = {"severity": "error", "code": "PROCESSING_FAILED", "message": reason, "pointer": ""}
    revision.report = {**revision.report, "messages": [*revision.report.get("messages", []), failure]}
    revision.status = Status.FAILED
    revision.processed_at = now
    revision.status_changed_at = now
    revision.claimed_by = ""
    revision.claimed_at = None
    revision.save(update_fields=["report", "status", "processed_at", "status_changed_at", "claimed_by", "claimed_at"])
    transaction.on_commit(lambda: _tell_organisers(revision.pk, reason, detail))
    return True


def _tell_organisers(revision_id: int, reason: str, detail: str) -> None:
    """Log the failure and email the staff, who run the competition; a mail server that is down changes nothing."""
    revision = EntryRevision.objects.select_related("entry__team__competition").get(pk=revision_id)
    logger.error("Processing revision %s failed: %s %s", revision_id, reason, detail)
    recipients = organiser_emails()
    if not recipients:
        return
    entry = revision.entry
    subject = _("Processing failed: revision %(number)d of “%(entry)s”") % {"number": revision.number, "entry": entry}
    body = _(
        "Revision %(number)d of “%(entry)s” by team “%(team)s” in %(competition)s could not be processed, "
        "through no fault of the file.\n\nReason: %(reason)s\n%(detail)s\n\nThe entry keeps its current revision. "
        "Administration: %(url)s"
    ) % {
        "number": revision.number,
        "entry": entry,
        "team": entry.team,
        "competition": entry.team.competition,
        "reason": reason,
        "detail": detail,
        "url": f"{settings.SITE_URL}/admin/competitions/entryrevision/{revision.pk}/change/",
    }
    send_mail(subject, body, None, recipients, fail_silently=True)


# --- Queueing and the sweep ----------------------------------------------------------------------------------------


def queue_stage(stage: str, revision_id: int) -> None:
    """Send the stage's task for the revision. A broker that is down is logged, not raised: the revision is in
    the database, and the sweep queues it again."""
    from competitions import tasks

    task = tasks.validate_revision if stage == VALIDATION else tasks.render_revision
    try:
        task.delay(revision_id)
    except Exception:
        logger.exception("Could not queue %s of revision %s; the sweep will queue it again", stage, revision_id)


def queue_extras_for(revision_id: int) -> None:
    from competitions import tasks

    try:
        tasks.render_extras.delay(revision_id)
    except Exception:
        logger.exception("Could not queue the turntable of revision %s", revision_id)


def revisions_requeue(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Queue again every revision whose current stage nobody is working on, and fail those out of attempts.

    Stuck means: received, or validated and waiting for rendering, and queued longer than
    METASCENE_REQUEUE_AFTER_SECONDS ago without a worker claiming it (the message was lost: a broker that was down,
    or a filesystem broker whose worker was killed); or claimed by a worker that died (its lease ran out without
    being renewed) and not queued again since. Returns {stage: revision ids queued}; the tasks
    are sent after commit.
    """
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.METASCENE_REQUEUE_AFTER_SECONDS)
    max_attempts = settings.METASCENE_MAX_PROCESSING_ATTEMPTS
    queued: dict[str, list[int]] = {}
    with transaction.atomic():
        for stage in (VALIDATION, RENDERING):
            statuses = (Status.RECEIVED, Status.VALIDATING) if stage == VALIDATION else (Status.RENDERING,)
            due = Q(last_queued__lt=requeue_before) | Q(claimed_at__isnull=False, last_queued__lte=F("claimed_at"))
            stuck = (
                EntryRevision.objects.annotate(last_queued=Coalesce("queued_at", "created_at"))
                .filter(Q(status__in=statuses) & _free(stage, now))
                .filter(due)
            )
            for revision_id in stuck.filter(attempts__gte=max_attempts).values_list("pk", flat=True):
                _fail_where(
                    Q(pk=revision_id) & Q(status__in=statuses) & _free(stage, now),
                    reason=FAILED_AFTER_ATTEMPTS % {"attempts": max_attempts},
                    detail=f"{stage} was claimed {max_attempts} times without finishing; its workers died.",
                )
            ids = list(stuck.filter(attempts__lt=max_attempts).values_list("pk", flat=True))
            EntryRevision.objects.filter(pk__in=ids).update(queued_at=now)
            queued[stage] = ids

        def send() -> None:
            for stage, ids in queued.items():
                for revision_id in ids:
                    queue_stage(stage, revision_id)

        transaction.on_commit(send)
    if any(queued.values()):
        logger.warning("Queued stuck revisions again: %s", queued)
    return queued


# --- Files ---------------------------------------------------------------------------------------------------------


@contextmanager
def _workdir(revision: EntryRevision) -> Iterator[Path]:
    """A scratch folder for one stage of one revision, removed afterwards."""
    base = settings.METASCENE_WORK_DIR or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"revision-{revision.pk}-", dir=base) as folder:
        yield Path(folder)


def _local_upload(revision: EntryRevision, workdir: Path) -> Path:
    """The uploaded file on this machine's disk: in place for local storage, else copied into ``workdir``.
    Raises FileNotFoundError when storage has lost it (our fault)."""
    try:
        path = Path(revision.file.path)
    except NotImplementedError:  # remote storage
        path = workdir / f"upload{Path(revision.file.name).suffix}"
        with revision.file.open("rb") as source, open(path, "wb") as target:
            for chunk in source.chunks():
                target.write(chunk)
        return path
    path.stat()
    return path


def _stage_recorder(revision_id: int, claim: str) -> Callable[[dict[str, Any]], None]:
    def record(event: dict[str, Any]) -> None:
        if event.get("stage") in Stage.values:
            revision_set_stage(revision_id=revision_id, claim=claim, stage=event["stage"])

    return record
