"""CSV downloads cannot smuggle formulas into an organiser's spreadsheet: the helper, then both scores downloads."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from competitions.models import Criterion, Round, RoundEntry, Score, ScoreSheet
from competitions.services.csv_export import csv_lines, spreadsheet_safe
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\tTab team", "\rReturn team"]


@pytest.mark.parametrize("cell", [*FORMULA_NAMES, "-2+3", "=1", "-", "-1.5e3", "+1.5", "-١٢"])
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_a_leading_quote(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-1.50", "-3", "7.50", "0", "Aurora", "", "元宇宙 Lab", "a=b", "Team -1"])
def test_plain_numbers_and_ordinary_text_are_written_unchanged(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_csv_lines_start_with_a_byte_order_mark_and_neutralise_every_cell() -> None:
    lines = list(csv_lines([["team", "value"], ["=1+1", "-1.50"]]))

    assert lines == ["\ufeff", "team,value\r\n", "'=1+1,-1.50\r\n"]


@pytest.fixture
def organiser(db: None) -> User:
    return UserFactory(is_staff=True)


@pytest.fixture
def round_of_formula_teams(db: None) -> Round:
    """An open round whose five entries belong to teams named like formulas, each scored -1.5 by one judge."""
    round = RoundFactory(status=Round.Status.OPEN)
    track = TrackFactory(competition=round.competition)
    criterion = CriterionFactory(round=round, scale_min=-5, scale_max=10, step=Decimal("0.5"))
    judge = JudgeFactory()
    for number, name in enumerate(FORMULA_NAMES):
        team = TeamFactory(competition=round.competition, name=name)
        entry = ready_entry(track, team=team, title=f"Scene {number}")
        revision = entry.current_revision
        assert revision is not None
        round_entry = RoundEntry.objects.create(
            round=round,
            entry=entry,
            track=track,
            revision=revision,
            sha256=revision.sha256,
            blind_code=f"CODE{number}",
        )
        round.assignments.create(judge=judge, round_entry=round_entry)
        sheet = ScoreSheet.objects.create(
            round=round,
            judge=judge,
            round_entry=round_entry,
            sha256=round_entry.sha256,
            status=ScoreSheet.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Score.objects.create(sheet=sheet, criterion=criterion, value=Decimal("-1.5"), comment="")
    return round


def _console_download(organiser: User, round: Round) -> bytes:
    client = Client()
    client.force_login(organiser)
    response = client.get(reverse("frontend:organise-scores-csv", kwargs={"pk": round.pk}))
    assert response.status_code == 200
    return response.getvalue()  # the whole streamed body


def _api_download(organiser: User, round: Round) -> bytes:
    token, _created = Token.objects.get_or_create(user=organiser)
    response = Client().get(f"/api/rounds/{round.pk}/scores.csv", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    return response.getvalue()  # the whole streamed body


@pytest.mark.parametrize("download", [_console_download, _api_download], ids=["console", "api"])
def test_scores_download_neutralises_formula_team_names_and_keeps_scores_as_numbers(
    download: Callable[[User, Round], bytes], organiser: User, round_of_formula_teams: Round
) -> None:
    content = download(organiser, round_of_formula_teams)

    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert sorted(row["team"] for row in rows) == sorted("'" + name for name in FORMULA_NAMES)
    assert {row["value"] for row in rows} == {"-1.50"}
    assert {row["weight"] for row in rows} == {str(Criterion.objects.get().weight)}
