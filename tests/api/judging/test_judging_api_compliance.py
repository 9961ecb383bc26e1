"""The judging API's leaderboard with a compliance gate and the outlier flag's evidence (cast in conftest)."""

import pytest

from competitions.models import Round

from .conftest import entry_of, submit_all

pytestmark = pytest.mark.django_db


def test_the_leaderboard_names_an_entry_the_gate_leaves_unranked_and_the_checks_it_fails(
    client_for, blind_round, jules, oscar
):
    submit_all(client_for(jules), blind_round)
    Round.objects.filter(pk=blind_round.pk).update(compliance=Round.Compliance.GATE)
    aurora = entry_of(blind_round, "Aurora Collective")
    revision = aurora.revision
    revision.stats = {**revision.stats, "triangles": blind_round.competition.max_triangles + 1}
    revision.save(update_fields=["stats"])

    response = client_for(oscar).get(f"/api/rounds/{blind_round.pk}/leaderboard/")

    assert response.status_code == 200
    rows = {row["round_entry"]: row for track in response.json()["tracks"] for row in track["rows"]}
    assert rows[aurora.pk]["gated"] is True and rows[aurora.pk]["rank"] is None
    assert "triangles" in rows[aurora.pk]["failed_checks"]
    assert response.json()["flagged"] == []


def test_a_judge_cannot_read_the_leaderboard(client_for, blind_round, jules):
    Round.objects.filter(pk=blind_round.pk).update(compliance=Round.Compliance.GATE)

    response = client_for(jules).get(f"/api/rounds/{blind_round.pk}/leaderboard/")

    assert response.status_code in (403, 404)
