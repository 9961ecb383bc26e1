"""Revisions for the processing tests: received from an upload, or ready and current as if processed earlier, and
a clock moved ahead as if a worker had been gone that long."""

from datetime import timedelta

import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from competitions.models import Entry, EntryRevision
from competitions.pipeline.samples import box_glb
from competitions.services import entries, processing
from tests.factories import EntryRevisionFactory

from .conftest import glb_upload

Status = EntryRevision.Status


def received(entry: Entry, user: User, content: bytes | None = None) -> EntryRevision:
    return entries.revision_receive(entry=entry, user=user, upload=glb_upload(content))


def ready_and_current(entry: Entry) -> EntryRevision:
    """A revision processed earlier: ready, and the entry's current revision."""
    number = (entry.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = EntryRevisionFactory(entry=entry, number=number, status=Status.READY, stats={"triangles": 12})
    Entry.objects.filter(pk=entry.pk).update(current_revision=revision)
    return revision


def truncated_glb() -> bytes:
    return box_glb()[:-100]


def later(seconds: float) -> time_machine.travel:
    """Travel ``seconds`` ahead of now, without the clock ticking, as if the worker had been gone that long."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def past_lease(stage: str) -> time_machine.travel:
    return later(processing.lease_seconds(stage) + 1)
