"""The judging API: who reaches which assignment and entry, and what a blind round hides (cast in conftest)."""

import pytest
from django.urls import reverse

from competitions.models import Assignment, Round, RoundEntry, ScoreSheet
from tests.factories import ready_entry

from .conftest import ORIGINAL_NAME, entry_of, judge_urls

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_on_every_judge_and_organiser_endpoint(anonymous, blind_round):
    round_entry = entry_of(blind_round, "Aurora Collective")
    urls = [
        ("get", "/api/judging/assignments/"),
        *judge_urls(round_entry.pk),
        ("get", f"/api/rounds/{blind_round.pk}/leaderboard/"),
        ("post", f"/api/rounds/{blind_round.pk}/publish/"),
        ("post", f"/api/rounds/{blind_round.pk}/assign/"),
        ("get", f"/api/rounds/{blind_round.pk}/scores.csv"),
    ]
    for method, url in urls:
        assert getattr(anonymous, method)(url, {}, format="json").status_code == 401, url


def test_judge_sees_only_their_assignments_with_progress(client_for, blind_round, jules):
    response = client_for(jules).get(f"/api/judging/assignments/?round={blind_round.pk}")

    assert response.status_code == 200
    [block] = response.json()
    assert block["round"]["id"] == blind_round.pk
    assert block["progress"] == {"scored": 0, "total": 2}
    codes = {row["code"] for row in block["assignments"]}
    assert codes == {entry_of(blind_round, t).blind_code for t in ("Aurora Collective", "Nebula Works")}
    assert all(row["team"] is None and row["sheet_status"] == "none" for row in block["assignments"])


def test_judge_sees_team_names_in_a_round_that_is_not_blind(client_for, open_round, jules):
    block = client_for(jules).get(f"/api/judging/assignments/?round={open_round.pk}").json()[0]
    entry = client_for(jules).get(f"/api/judging/entries/{entry_of(open_round, 'Nebula Works').pk}/").json()

    assert {row["team"] for row in block["assignments"]} == {"Aurora Collective", "Nebula Works"}
    assert entry["team"] == "Nebula Works"


def test_someone_not_on_the_panel_gets_404_for_the_round_and_an_empty_list_without_it(client_for, blind_round, alice):
    assert client_for(alice).get(f"/api/judging/assignments/?round={blind_round.pk}").status_code == 404
    assert client_for(alice).get("/api/judging/assignments/").json() == []


@pytest.mark.parametrize("who", ["olga", "alice", "jules_conflicted"])
def test_entries_not_assigned_are_404_for_every_id(request, client_for, blind_round, who):
    # Given a person and every round entry they are not assigned to (Jules: the conflicted team's only)
    user = request.getfixturevalue("jules" if who == "jules_conflicted" else who)
    assigned = set(Assignment.objects.filter(judge=user).values_list("round_entry_id", flat=True))
    ids = [pk for pk in RoundEntry.objects.values_list("pk", flat=True) if pk not in assigned]
    ids.append(max(ids) + 100)  # and one that does not exist
    client = client_for(user)

    # Then every judge endpoint answers 404 for each of them, and no sheet is created
    for round_entry_id in ids:
        for method, url in judge_urls(round_entry_id):
            response = getattr(client, method)(url, {"version": 0, "scores": []}, format="json")
            assert response.status_code == 404, (who, method, url)
    assert not ScoreSheet.objects.filter(judge=user).exists()


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_organiser_endpoints_are_404_for_anyone_but_organisers(request, client_for, blind_round, who):
    client = client_for(request.getfixturevalue(who))

    assert client.get(f"/api/rounds/{blind_round.pk}/leaderboard/").status_code == 404
    assert client.post(f"/api/rounds/{blind_round.pk}/publish/").status_code == 404
    assert client.post(f"/api/rounds/{blind_round.pk}/assign/").status_code == 404
    assert client.get(f"/api/rounds/{blind_round.pk}/scores.csv").status_code == 404
    assert Round.objects.get(pk=blind_round.pk).status == Round.Status.OPEN


def test_assignment_list_queries_do_not_grow_with_assignments(
    client_for, blind_round, jules, django_assert_max_num_queries
):
    client = client_for(jules)
    url = f"/api/judging/assignments/?round={blind_round.pk}"
    client.get(url)  # the token is created on first use
    for _ in range(5):
        entry = ready_entry(RoundEntry.objects.filter(round=blind_round).first().track)
        round_entry = RoundEntry.objects.create(
            round=blind_round, entry=entry, track=entry.track, revision=entry.current_revision, sha256="1" * 64
        )
        Assignment.objects.create(round=blind_round, judge=jules, round_entry=round_entry)

    with django_assert_max_num_queries(6):
        response = client.get(url)

    assert response.json()[0]["progress"]["total"] == 7


# --- Blind review ---------------------------------------------------------------------------------------------


def test_blind_round_responses_never_name_the_team_its_members_or_the_file(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")

    texts = [
        client.get("/api/judging/assignments/").content.decode(),
        client.get(f"/api/judging/assignments/?round={blind_round.pk}").content.decode(),
        client.get(f"/api/judging/entries/{round_entry.pk}/").content.decode(),
        client.get(f"/api/judging/entries/{round_entry.pk}/sheet/").content.decode(),
    ]

    for text in texts:
        for secret in ("Aurora Collective", "Nebula Works", "Alice Wang", "alice@example.com", ORIGINAL_NAME):
            assert secret not in text


def test_entry_page_shows_code_stats_thumbnails_criteria_and_the_blind_model(client_for, blind_round, jules):
    round_entry = entry_of(blind_round, "Aurora Collective")

    body = client_for(jules).get(f"/api/judging/entries/{round_entry.pk}/").json()

    assert body["code"] == round_entry.blind_code
    assert body["team"] is None
    assert body["stats"]["triangles"] == 5000
    assert [c["name"] for c in body["criteria"]] == ["Atmosphere", "Craft"]
    assert [t["name"] for t in body["thumbnails"]] == ["hero"]
    blind_model = reverse("frontend:judge-artifact", kwargs={"round_entry_id": round_entry.pk, "name": "model"})
    assert body["model_url"].endswith(blind_model)
    assert body["sheet"] is None
    assert {body["previous"], body["next"]} == {None, entry_of(blind_round, "Nebula Works").pk}
