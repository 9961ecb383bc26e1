"""The judging API: the organisers' round actions (leaderboard, CSV, assignment, publishing), the public results,
the 409 body and the schema (cast in conftest)."""

import pytest

from competitions.api.exceptions import exception_handler
from competitions.exceptions import StaleVersion
from competitions.models import Assignment
from competitions.services import judging

from .conftest import entry_of, submit_all

pytestmark = pytest.mark.django_db


def test_organiser_reads_the_leaderboard_and_the_scores_csv(client_for, blind_round, jules, oscar):
    submit_all(client_for(jules), blind_round)
    client = client_for(oscar)

    leaderboard = client.get(f"/api/rounds/{blind_round.pk}/leaderboard/")
    csv_response = client.get(f"/api/rounds/{blind_round.pk}/scores.csv")

    assert leaderboard.status_code == 200
    assert "Aurora Collective" in leaderboard.content.decode()
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response.streaming_content).decode()
    assert text.startswith("\ufefftrack,entry_code,team,")
    assert entry_of(blind_round, "Aurora Collective").blind_code in text
    assert "7.5" in text


def test_organiser_assigns_the_round(client_for, blind_round, oscar, olga):
    response = client_for(oscar).post(f"/api/rounds/{blind_round.pk}/assign/")

    # Comet's entry, the only one without a judge, goes to Olga: Jules is conflicted with Comet
    assert response.status_code == 200
    comet = Assignment.objects.get(round=blind_round, round_entry=entry_of(blind_round, "Comet Studio"))
    assert comet.judge == olga


def test_results_are_public_only_once_published(anonymous, client_for, blind_round, jules, oscar):
    slug = blind_round.competition.slug
    submit_all(client_for(jules), blind_round)
    judging.round_close(round=blind_round, actor=oscar)
    assert anonymous.get(f"/api/competitions/{slug}/results/").json() == []

    published = client_for(oscar).post(f"/api/rounds/{blind_round.pk}/publish/")
    results = anonymous.get(f"/api/competitions/{slug}/results/")

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert results.status_code == 200
    rows = results.json()
    assert [row["rank"] for row in rows][:1] == [1]
    assert {row["team"] for row in rows} >= {"Aurora Collective", "Nebula Works"}
    assert rows[0]["award"] == "first"


def test_publishing_a_published_round_again_is_refused_with_a_code(client_for, blind_round, jules, oscar):
    submit_all(client_for(jules), blind_round)
    client = client_for(oscar)
    judging.round_close(round=blind_round, actor=oscar)
    assert client.post(f"/api/rounds/{blind_round.pk}/publish/").status_code == 200

    again = client.post(f"/api/rounds/{blind_round.pk}/publish/")

    assert again.status_code == 400
    assert again.json()["code"] == "not_publishable"


def test_stale_version_raised_anywhere_is_a_409_with_the_rule_error_body():
    response = exception_handler(StaleVersion("Saved elsewhere.", code="stale_version"), {})

    assert response is not None
    assert response.status_code == 409
    assert response.data == {"code": "stale_version", "detail": "Saved elsewhere.", "field": None, "version": None}


def test_results_of_an_unknown_competition_are_404(anonymous):
    assert anonymous.get("/api/competitions/no-such-thing/results/").status_code == 404


# --- Schema ---------------------------------------------------------------------------------------------------


def test_schema_documents_the_judging_endpoints(anonymous):
    paths = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    for path in [
        "/api/judging/assignments/",
        "/api/judging/entries/{round_entry_id}/",
        "/api/judging/entries/{round_entry_id}/sheet/",
        "/api/judging/entries/{round_entry_id}/sheet/submit/",
        "/api/rounds/{id}/leaderboard/",
        "/api/rounds/{id}/publish/",
        "/api/rounds/{id}/assign/",
        "/api/rounds/{id}/scores.csv",
        "/api/competitions/{slug}/results/",
    ]:
        assert path in paths, path
    assert "409" in paths["/api/judging/entries/{round_entry_id}/sheet/"]["put"]["responses"]
    assert "empty draft" in paths["/api/judging/entries/{round_entry_id}/sheet/"]["get"]["description"]
