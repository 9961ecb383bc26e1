"""The stages themselves: validation (unpack, validate, inspect), rendering (views, viewer copy, blind copy) and the
turntable, each run in the sandbox's child process while its claim is held, and its outcome recorded on the
revision only while the claim still holds."""

import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from competitions.models import Competition, Entry, EntryRevision, Team
from competitions.observability import metrics
from competitions.pipeline.limits import Limits
from competitions.pipeline.repair import FIXED_ARTIFACT
from competitions.pipeline.report import AssetRejected, Message
from competitions.pipeline.run import (
    PACKAGING_MODULES,
    RENDERING_MODULES,
    VALIDATION_MODULES,
    Rendering,
    Validation,
    limits_to_json,
    rendering_budget,
    validation_budget,
)
from competitions.pipeline.sandbox import prestart, run_in_sandbox
from competitions.services import notifications, queue
from competitions.services.processing.claims import (
    RENDERING,
    VALIDATION,
    claim_kept,
    new_claim,
    revision_claim,
    stage_recorder,
)
from competitions.services.processing.files import artifacts_store, local_upload, workdir
from competitions.services.processing.rendering_ahead import rendering_ahead_start

logger = logging.getLogger(__name__)

Status = EntryRevision.Status
Stage = EntryRevision.Stage
# Made after the revision is ready; judging does without them.
EXTRAS = ("turntable",)


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


def stage_seconds(stage: str) -> int:
    """Wall-clock seconds the stage's sandboxed child may run."""
    return settings.METASCENE_STAGE_TIME_LIMITS[stage]["stage"]


def stage_processes_prestart(*, queues: list[str], wait: float = 60) -> None:
    """Start the warm sandbox children of the stages this worker consumes (``queues``: "validation", "rendering")
    and wait up to ``wait`` seconds for them to be ready, so that its first upload finds trimesh, numpy and moderngl
    imported and Mesa warmed up, as every later one does."""
    modules: list[tuple[str, ...]] = [
        m for stage, m in ((VALIDATION, VALIDATION_MODULES), (RENDERING, RENDERING_MODULES)) if stage in queues
    ]
    if VALIDATION in queues and RENDERING in queues:
        modules.append(PACKAGING_MODULES)  # rendering_ahead's
    for preload in modules:
        prestart(preload)  # all started at once, then waited for
    for preload in modules:
        if not prestart(preload, wait=wait):
            logger.warning("The sandbox child for %s was not ready within %s s", preload[0], wait)


# --- Validation ----------------------------------------------------------------------------------------------------


def revision_validate(
    *, revision_id: int, claim: str, queue_rendering: bool = True, render_here: bool = False
) -> EntryRevision | None:
    """Claim the revision's validation, run unpack/validate/inspect in the sandbox and record the verdict.

    Rejected (the file's fault, a limit included) ends here with the messages; a file that passed moves on to
    rendering with its report and statistics, and its rendering is queued after commit (unless
    ``queue_rendering`` is false). With ``render_here`` (a worker that renders too), a GLB is drawn while it is
    validated and packaged once it has passed, and the revision is ready when this returns (``rendering_ahead``);
    if that fails, rendering is queued as usual. Returns None, changing nothing, when the validation is not this
    task's to do: the revision is finished, or a live worker holds it. Raises on our own failures (the task decides
    on retries).
    """
    if not revision_claim(revision_id=revision_id, claim=claim, stage=VALIDATION):
        return None
    revision = EntryRevision.objects.select_related("entry__team__competition").get(pk=revision_id)
    limits = limits_for(revision.entry.team.competition)
    started = time.monotonic()
    rendered: dict[str, str] | None = None
    cameras: list[dict[str, str]] = []
    with workdir(revision) as folder, claim_kept(revision_id, claim):
        upload = local_upload(revision, folder)
        ahead = None
        if render_here:
            # Its budget ends before this task's time limit, so a slow drawing gives way to the rendering task.
            ahead = rendering_ahead_start(upload, folder, limits, wall_seconds=stage_seconds(VALIDATION))
        payload = {"upload": str(upload), "workdir": str(folder), "limits": limits_to_json(limits)}
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:validation_job",
                payload,
                validation_budget(limits, stage_seconds(VALIDATION)),
                workdir=folder,
                on_event=stage_recorder(revision_id, claim),
                preload=VALIDATION_MODULES,
                keep_warm=True,
            )
            validation = Validation.from_json(finished.value)
        except AssetRejected as exc:
            validation = Validation(exc.messages, {}, None)
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
        if ahead is not None and validation.rejected:
            ahead.cancel()
        elif ahead is not None:
            rendering = ahead.finish(identifying_words(revision.entry.team))
            if rendering is not None:
                rendered, cameras = artifacts_store(revision, rendering.artifacts), rendering.cameras
                validation = Validation(validation.messages + rendering.messages, validation.stats, validation.scene)
        # The re-padded copy of a file refused only for padding, offered on the entry page (entries.revision_use_fixed).
        fixed = artifacts_store(revision, {FIXED_ARTIFACT: validation.fixed}) if validation.fixed else {}
    metrics.stage_finished(VALIDATION, started)
    if validation.rejected:
        return _reject(revision, claim, validation.messages, validation.stats, artifacts=fixed)
    passed = _pass_to_rendering(revision, claim, validation, queue_rendering=queue_rendering and rendered is None)
    if passed is None or rendered is None:
        return passed
    # Rendered here: take the rendering stage with the same claim (nothing queued it) and finish it.
    if not revision_claim(revision_id=revision_id, claim=claim, stage=RENDERING):
        return None
    return _mark_ready(passed, claim, rendered, validation.messages, queue_extras=True, cameras=cameras)


@transaction.atomic
def _pass_to_rendering(
    revision: EntryRevision, claim: str, validation: Validation, *, queue_rendering: bool
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
    if queue_rendering:
        transaction.on_commit(lambda: queue.revision_task_send(queue.RENDER_REVISION, revision.pk))
    return EntryRevision.objects.get(pk=revision.pk)


def _reject(
    revision: EntryRevision,
    claim: str,
    messages: list[Message],
    stats: dict[str, Any],
    *,
    artifacts: dict[str, str] | None = None,
) -> EntryRevision | None:
    """The file is at fault: record its messages (and, for a file refused only for padding, its fixed copy in
    ``artifacts``). The entry keeps its current revision."""
    now = timezone.now()
    rejected = EntryRevision.objects.filter(
        pk=revision.pk, status__in=(Status.VALIDATING, Status.RENDERING), claimed_by=claim
    ).update(
        status=Status.REJECTED,
        report={"messages": [m.to_dict() for m in messages]},
        stats=stats,
        artifacts=artifacts or {},
        processed_at=now,
        status_changed_at=now,
        claimed_by="",
        claimed_at=None,
    )
    if not rejected:
        return None
    metrics.revision_rejected(
        stage=VALIDATION if revision.status == Status.VALIDATING else RENDERING,
        error_codes=[message.code for message in messages if message.severity == "error"],
    )
    # The team is told once the verdict is committed (robust: a mail failure never undoes the verdict).
    transaction.on_commit(lambda: notifications.revision_outcome_notify(revision_id=revision.pk), robust=True)
    return EntryRevision.objects.get(pk=revision.pk)


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
    started = time.monotonic()
    with workdir(revision) as folder, claim_kept(revision_id, claim):
        payload = _rendering_payload(revision, limits, folder)
        payload.update(identifying=identifying_words(revision.entry.team), turntable=False)
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:rendering_job",
                payload,
                rendering_budget(limits, stage_seconds(RENDERING)),
                workdir=folder,
                on_event=stage_recorder(revision_id, claim),
                preload=RENDERING_MODULES,
                keep_warm=True,
            )
        except AssetRejected as exc:
            metrics.stage_finished(RENDERING, started)
            return _reject(revision, claim, _report_messages(revision) + exc.messages, revision.stats)
        rendering = Rendering.from_json(finished.value)
        artifacts = artifacts_store(revision, rendering.artifacts)
    metrics.stage_finished(RENDERING, started)
    messages = _report_messages(revision) + rendering.messages
    return _mark_ready(revision, claim, artifacts, messages, queue_extras=queue_extras, cameras=rendering.cameras)


@transaction.atomic
def _mark_ready(
    revision: EntryRevision,
    claim: str,
    artifacts: dict[str, str],
    messages: list[Message],
    *,
    queue_extras: bool,
    cameras: list[dict[str, str]] | None = None,
) -> EntryRevision | None:
    """Ready, with the ``artifacts`` stored and, in ``stats["cameras"]``, the label and viewer bookmark of each of
    the scene's own cameras drawn as a view (none: no such key)."""
    now = timezone.now()
    stats = {key: value for key, value in (revision.stats or {}).items() if key != "cameras"}
    ready = EntryRevision.objects.filter(pk=revision.pk, status=Status.RENDERING, claimed_by=claim).update(
        status=Status.READY,
        stage=Stage.PACKAGE,
        report={**revision.report, "messages": [m.to_dict() for m in messages]},
        stats={**stats, "cameras": cameras} if cameras else stats,
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
        transaction.on_commit(lambda: queue.revision_task_send(queue.RENDER_EXTRAS, revision.pk))
    transaction.on_commit(lambda: notifications.revision_outcome_notify(revision_id=revision.pk), robust=True)
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
    started = time.monotonic()
    with workdir(revision) as folder:
        try:
            finished = run_in_sandbox(
                "competitions.pipeline.run:turntable_job",
                _rendering_payload(revision, limits, folder),
                rendering_budget(limits, stage_seconds(RENDERING)),
                workdir=folder,
                preload=RENDERING_MODULES,
                keep_warm=True,
            )
        except AssetRejected as exc:
            logger.warning("No turntable for revision %s: %s", revision_id, exc)
            return None
        stored = artifacts_store(revision, Rendering.from_json(finished.value).artifacts)
    metrics.stage_finished("turntable", started)
    with transaction.atomic():
        locked = EntryRevision.objects.select_for_update().get(pk=revision_id)
        locked.artifacts = {**locked.artifacts, **stored}
        locked.save(update_fields=["artifacts"])
    return locked


def _rendering_payload(revision: EntryRevision, limits: Limits, folder: Path) -> dict[str, Any]:
    return {
        "upload": str(local_upload(revision, folder)),
        "limits": limits_to_json(limits),
        "workdir": str(folder / "scene"),
        "out_dir": str(folder / "out"),
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
