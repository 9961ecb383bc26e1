"""The judging API's pinned comments: the assigned judge lists, adds, edits and deletes their own; nobody else
reaches them (cast in conftest: Jules is assigned Aurora and Nebula and conflicted with Comet; Olga sits on the
panel unassigned; Alice captains Aurora; Oscar organises)."""

import pytest
from rest_framework.test import APIClient

from competitions.models import Assignment, AuditEvent, Pin, Round, ScoreSheet
from competitions.services.judging import pins

from .conftest import entry_of

pytestmark = pytest.mark.django_db

PIN = {"position": [0.5, 1.25, -2.0], "normal": [0, 0, 2], "text": "The handrail floats above the deck."}


def pins_url(round_entry_id: int, pin_id: int | None = None) -> str:
    base = f"/api/judging/entries/{round_entry_id}/pins/"
    return base if pin_id is None else f"{base}{pin_id}/"


def test_the_assigned_judge_adds_lists_edits_and_deletes_a_pin(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")

    added = client.post(pins_url(round_entry.pk), PIN, format="json")
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["number"], body["position"], body["normal"], body["text"]) == (
        1,
        [0.5, 1.25, -2.0],
        [0.0, 0.0, 1.0],
        PIN["text"],
    )
    listed = client.get(pins_url(round_entry.pk))
    assert [pin["id"] for pin in listed.json()] == [body["id"]]

    edited = client.patch(pins_url(round_entry.pk, body["id"]), {"text": "Railing clips the deck."}, format="json")
    assert edited.status_code == 200
    assert edited.json()["text"] == "Railing clips the deck."
    assert edited.json()["position"] == [0.5, 1.25, -2.0]

    deleted = client.delete(pins_url(round_entry.pk, body["id"]))
    assert deleted.status_code == 204
    assert client.get(pins_url(round_entry.pk)).json() == []
    actions = list(AuditEvent.objects.filter(action__startswith="score.pin").values_list("action", flat=True))
    assert sorted(actions) == ["score.pin_added", "score.pin_changed", "score.pin_deleted"]


def test_a_first_pin_creates_the_draft_sheet_at_version_zero(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")

    client.post(pins_url(round_entry.pk), PIN, format="json")

    sheet = client.get(f"/api/judging/entries/{round_entry.pk}/sheet/").json()
    assert (sheet["status"], sheet["version"]) == ("draft", 0)
    assert ScoreSheet.objects.filter(round_entry=round_entry, judge__profile__display_name__contains="Jules").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"position": [1, 2]}, "position"),
        ({"position": [1, 2, "nan"]}, "position"),
        ({"normal": [0, 0, 0]}, "normal"),
        ({"normal": "up"}, "normal"),
    ],
)
def test_bad_input_is_a_400_with_a_code_and_the_field(client_for, blind_round, jules, change, field):
    url = pins_url(entry_of(blind_round, "Aurora Collective").pk)

    response = client_for(jules).post(url, {**PIN, **change}, format="json")

    assert response.status_code == 400
    assert response.json()["code"]
    assert response.json()["field"] == field
    assert not Pin.objects.exists()


def test_past_the_cap_the_answer_is_pin_limit(client_for, blind_round, jules):
    client = client_for(jules)
    url = pins_url(entry_of(blind_round, "Aurora Collective").pk)
    for _ in range(pins.MAX_PINS_PER_SHEET):
        assert client.post(url, PIN, format="json").status_code == 201

    response = client.post(url, PIN, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "pin_limit")


def test_a_submitted_sheet_refuses_pins_with_sheet_submitted(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")
    pin_id = client.post(pins_url(round_entry.pk), PIN, format="json").json()["id"]
    scores = [{"criterion": c.pk, "value": "7"} for c in blind_round.criteria.all()]
    saved = client.put(f"/api/judging/entries/{round_entry.pk}/sheet/", {"version": 0, "scores": scores}, format="json")
    submit = f"/api/judging/entries/{round_entry.pk}/sheet/submit/"
    client.post(submit, {"version": saved.json()["version"]}, format="json")

    for response in (
        client.post(pins_url(round_entry.pk), PIN, format="json"),
        client.patch(pins_url(round_entry.pk, pin_id), {"text": "Later."}, format="json"),
        client.delete(pins_url(round_entry.pk, pin_id)),
    ):
        assert (response.status_code, response.json()["code"]) == (400, "sheet_submitted")
    assert client.get(pins_url(round_entry.pk)).json()[0]["text"] == PIN["text"]


def test_a_closed_round_still_lists_but_refuses_new_pins(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")
    client.post(pins_url(round_entry.pk), PIN, format="json")
    Round.objects.filter(pk=blind_round.pk).update(status=Round.Status.CLOSED)

    assert len(client.get(pins_url(round_entry.pk)).json()) == 1
    response = client.post(pins_url(round_entry.pk), PIN, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "round_not_open")


def test_another_judge_never_sees_or_touches_a_judges_pins(client_for, blind_round, jules, olga):
    round_entry = entry_of(blind_round, "Aurora Collective")
    pin_id = client_for(jules).post(pins_url(round_entry.pk), PIN, format="json").json()["id"]
    # Olga judges the same entry too: she reaches the entry but never Jules's pin.
    Assignment.objects.create(round=blind_round, judge=olga, round_entry=round_entry)
    olga_client = client_for(olga)

    assert olga_client.get(pins_url(round_entry.pk)).json() == []
    assert olga_client.patch(pins_url(round_entry.pk, pin_id), {"text": "Mine now."}, format="json").status_code == 404
    assert olga_client.delete(pins_url(round_entry.pk, pin_id)).status_code == 404
    assert Pin.objects.get(pk=pin_id).text == PIN["text"]


def test_an_unassigned_judge_an_entrant_and_an_organiser_get_404(client_for, blind_round, jules, olga, alice, oscar):
    round_entry = entry_of(blind_round, "Aurora Collective")
    pin_id = client_for(jules).post(pins_url(round_entry.pk), PIN, format="json").json()["id"]

    for user in (olga, alice, oscar):
        client = client_for(user)
        assert client.get(pins_url(round_entry.pk)).status_code == 404
        assert client.post(pins_url(round_entry.pk), PIN, format="json").status_code == 404
        assert client.patch(pins_url(round_entry.pk, pin_id), {"text": "x"}, format="json").status_code == 404
        assert client.delete(pins_url(round_entry.pk, pin_id)).status_code == 404
    assert Pin.objects.count() == 1


def test_a_conflicted_judge_gets_404(client_for, blind_round, jules):
    comet = entry_of(blind_round, "Comet Studio")

    assert client_for(jules).get(pins_url(comet.pk)).status_code == 404
    assert client_for(jules).post(pins_url(comet.pk), PIN, format="json").status_code == 404
    assert not Pin.objects.exists()


def test_anonymous_gets_401(anonymous, blind_round):
    round_entry = entry_of(blind_round, "Aurora Collective")

    assert anonymous.get(pins_url(round_entry.pk)).status_code == 401
    assert anonymous.post(pins_url(round_entry.pk), PIN, format="json").status_code == 401
    assert anonymous.delete(pins_url(round_entry.pk, 1)).status_code == 401


def test_a_session_without_the_csrf_token_cannot_pin(blind_round, jules):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(jules)

    response = client.post(pins_url(entry_of(blind_round, "Aurora Collective").pk), PIN, format="json")

    assert response.status_code == 403
    assert not Pin.objects.exists()


def test_a_pin_moves_with_its_point_and_normal_together(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")
    pin_id = client.post(pins_url(round_entry.pk), PIN, format="json").json()["id"]

    half = client.patch(pins_url(round_entry.pk, pin_id), {"position": [1, 1, 1]}, format="json")
    moved = client.patch(pins_url(round_entry.pk, pin_id), {"position": [1, 1, 1], "normal": [3, 4, 0]}, format="json")

    assert (half.status_code, half.json()["field"]) == (400, "normal")
    assert moved.status_code == 200
    assert (moved.json()["position"], moved.json()["normal"]) == ([1.0, 1.0, 1.0], [0.6, 0.8, 0.0])
    assert moved.json()["text"] == PIN["text"]
