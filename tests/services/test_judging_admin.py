"""The Django admin shows judging records and changes none of them, even for a superuser: score sheets, scores,
assignments, conflicts, round entries, round results and audit events change only through the services, which
take the locks, check the versions and write the audit log."""

from decimal import Decimal

import pytest
from django.db.models import Model
from django.test import Client

from competitions.models import (
    Assignment,
    AuditEvent,
    Conflict,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
)
from competitions.services import judging, results
from tests.factories import TeamFactory, UserFactory

from .judging_cast import assign, criteria_of, draft_round, open_round, organiser, seat

pytestmark = pytest.mark.django_db

READ_ONLY = [Assignment, AuditEvent, Conflict, RoundEntry, RoundResult, ScoreSheet]


@pytest.fixture
def judged() -> ScoreSheet:
    """A published round with one submitted sheet, and a conflict declared on another team."""
    round = draft_round(entries=1, criteria=2)
    judge = seat(round)
    open_round(round)
    round_entry = round.round_entries.get()
    assign(round_entry, judge)
    values = {criterion.pk: {"value": Decimal("7"), "comment": "Well lit."} for criterion in criteria_of(round)}
    judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=values)
    sheet = judging.sheet_submit(round_entry=round_entry, judge=judge, version=1)
    judging.conflict_declare(
        competition=round.competition, judge=judge, team=TeamFactory(competition=round.competition), actor=organiser()
    )
    judging.round_close(round=round, actor=organiser())
    results.round_publish(round=round, actor=organiser())
    return ScoreSheet.objects.get(pk=sheet.pk)


@pytest.fixture
def superuser_client(judged: ScoreSheet) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _url(model: type[Model], action: str, pk: int | None = None) -> str:
    base = f"/admin/competitions/{model._meta.model_name}/"
    return base + (f"{pk}/{action}/" if pk is not None else f"{action}/")


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model.__name__)
def test_superuser_sees_the_list_and_each_record_without_a_save_button(superuser_client, model):
    row = model.objects.order_by("pk").first()

    listing = superuser_client.get(f"/admin/competitions/{model._meta.model_name}/")
    page = superuser_client.get(_url(model, "change", row.pk))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model.__name__)
def test_superuser_cannot_add_change_or_delete_through_the_admin(superuser_client, model):
    row = model.objects.order_by("pk").first()
    before = model.objects.count()

    assert superuser_client.get(_url(model, "add")).status_code == 403
    assert superuser_client.post(_url(model, "add"), {}).status_code == 403
    assert superuser_client.post(_url(model, "change", row.pk), {}).status_code == 403
    assert superuser_client.get(_url(model, "delete", row.pk)).status_code == 403
    assert superuser_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model.__name__)
def test_the_admins_bulk_delete_action_is_not_offered(superuser_client, model):
    rows = list(model.objects.values_list("pk", flat=True))

    listing = superuser_client.get(f"/admin/competitions/{model._meta.model_name}/")
    superuser_client.post(
        f"/admin/competitions/{model._meta.model_name}/",
        {"action": "delete_selected", "_selected_action": rows, "post": "yes"},
    )

    assert b"delete_selected" not in listing.content
    assert list(model.objects.values_list("pk", flat=True)) == rows


def test_a_score_sheets_page_shows_its_scores_read_only(superuser_client, judged):
    page = superuser_client.get(_url(ScoreSheet, "change", judged.pk))

    assert page.status_code == 200
    assert Score.objects.filter(sheet=judged).count() == 2
    assert b'name="scores-0-value"' not in page.content
    assert b"Well lit." in page.content
