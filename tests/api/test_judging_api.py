"""The judging API: a judge's queue and score sheets, the organisers' round actions and the public results.

The cast: judge Jules is assigned Aurora's and Nebula's entries and conflicted with team Comet; judge Olga sits
on the panel with no assignment; Alice captains Aurora; Oscar is an organiser (staff).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.api.exceptions import exception_handler
from competitions.exceptions import StaleVersion
from competitions.models import Assignment, Conflict, Panelist, Round, RoundEntry, ScoreSheet
from competitions.services import judging
from tests.factories import (
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    ready_entry,
)

pytestmark = pytest.mark.django_db

ORIGINAL_NAME = "aurora-secret-original.glb"


@pytest.fixture
def oscar():  # type: ignore[no-untyped-def]
    return UserFactory(username="oscar@metascene.example.org", is_staff=True)


@pytest.fixture
def alice():  # type: ignore[no-untyped-def]
    return UserFactory(username="alice@example.com", profile__display_name="Alice Wang")


@pytest.fixture
def jules():  # type: ignore[no-untyped-def]
    return JudgeFactory(profile__display_name="Jules Verne-Judge")


@pytest.fixture
def olga():  # type: ignore[no-untyped-def]
    return JudgeFactory(profile__display_name="Olga Other-Judge")


def _open_round(*, blind: str, oscar, alice, jules, olga):  # type: ignore[no-untyped-def]
    round = RoundFactory(blind=blind, judges_per_entry=1, honourable_mentions=0)
    competition = round.competition
    track = TrackFactory(competition=competition, name="Culture and tourism")
    CriterionFactory(round=round, name="Atmosphere", weight=Decimal("2"))
    CriterionFactory(round=round, name="Craft", weight=Decimal("1"))
    aurora = TeamFactory(competition=competition, captain=alice, name="Aurora Collective")
    nebula = TeamFactory(competition=competition, name="Nebula Works")
    comet = TeamFactory(competition=competition, name="Comet Studio")
    for team in (aurora, nebula, comet):
        entry = ready_entry(track, team=team, title=f"{team.name.split()[0]} harbour")
        entry.current_revision.original_name = ORIGINAL_NAME
        entry.current_revision.artifacts = {"hero": "revisions/1/hero.webp", "blind": "revisions/1/blind.glb"}
        entry.current_revision.save(update_fields=["original_name", "artifacts"])
    Panelist.objects.create(round=round, user=jules, invited_by=oscar)
    Panelist.objects.create(round=round, user=olga, invited_by=oscar)
    judging.round_open(round=round, actor=oscar)
    Conflict.objects.get_or_create(
        competition=competition, judge=jules, team=comet, defaults={"source": Conflict.Source.DECLARED}
    )
    for team in (aurora, nebula):
        round_entry = RoundEntry.objects.get(round=round, entry__team=team)
        Assignment.objects.create(round=round, judge=jules, round_entry=round_entry)
    round.refresh_from_db()
    return round


@pytest.fixture
def blind_round(oscar, alice, jules, olga):  # type: ignore[no-untyped-def]
    return _open_round(blind=Round.Blind.ALWAYS, oscar=oscar, alice=alice, jules=jules, olga=olga)


@pytest.fixture
def open_round(oscar, alice, jules, olga):  # type: ignore[no-untyped-def]
    return _open_round(blind=Round.Blind.NEVER, oscar=oscar, alice=alice, jules=jules, olga=olga)


def _entry_of(round: Round, team_name: str) -> RoundEntry:
    return RoundEntry.objects.get(round=round, entry__team__name=team_name)


def _judge_urls(round_entry_id: int) -> list[tuple[str, str]]:
    base = f"/api/judging/entries/{round_entry_id}/"
    return [("get", base), ("get", f"{base}sheet/"), ("put", f"{base}sheet/"), ("post", f"{base}sheet/submit/")]


def _full_scores(round: Round, value: str = "7.5") -> list[dict[str, object]]:
    return [{"criterion": c.pk, "value": value, "comment": "Good light."} for c in round.criteria.all()]


def _submit_all(client, round: Round) -> None:  # type: ignore[no-untyped-def]
    for row in client.get(f"/api/judging/assignments/?round={round.pk}").json()[0]["assignments"]:
        sheet = client.get(f"/api/judging/entries/{row['round_entry']}/sheet/").json()
        saved = client.put(
            f"/api/judging/entries/{row['round_entry']}/sheet/",
            {"version": sheet["version"], "scores": _full_scores(round), "comment": "Lovely water."},
            format="json",
        ).json()
        response = client.post(
            f"/api/judging/entries/{row['round_entry']}/sheet/submit/", {"version": saved["version"]}, format="json"
        )
        assert response.status_code == 200, response.json()


# --- Who may reach what ---------------------------------------------------------------------------------------


def test_anonymous_gets_401_on_every_judge_and_organiser_endpoint(anonymous, blind_round):
    round_entry = _entry_of(blind_round, "Aurora Collective")
    urls = [
        ("get", "/api/judging/assignments/"),
        *_judge_urls(round_entry.pk),
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
    assert codes == {_entry_of(blind_round, t).blind_code for t in ("Aurora Collective", "Nebula Works")}
    assert all(row["team"] is None and row["sheet_status"] == "none" for row in block["assignments"])


def test_judge_sees_team_names_in_a_round_that_is_not_blind(client_for, open_round, jules):
    block = client_for(jules).get(f"/api/judging/assignments/?round={open_round.pk}").json()[0]
    entry = client_for(jules).get(f"/api/judging/entries/{_entry_of(open_round, 'Nebula Works').pk}/").json()

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
        for method, url in _judge_urls(round_entry_id):
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
    round_entry = _entry_of(blind_round, "Aurora Collective")

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
    round_entry = _entry_of(blind_round, "Aurora Collective")

    body = client_for(jules).get(f"/api/judging/entries/{round_entry.pk}/").json()

    assert body["code"] == round_entry.blind_code
    assert body["team"] is None
    assert body["stats"]["triangles"] == 5000
    assert [c["name"] for c in body["criteria"]] == ["Atmosphere", "Craft"]
    assert [t["name"] for t in body["thumbnails"]] == ["hero"]
    blind_model = reverse("frontend:judge-artifact", kwargs={"round_entry_id": round_entry.pk, "name": "model"})
    assert body["model_url"].endswith(blind_model)
    assert body["sheet"] is None
    assert {body["previous"], body["next"]} == {None, _entry_of(blind_round, "Nebula Works").pk}


# --- Score sheets ---------------------------------------------------------------------------------------------


def test_draft_saves_and_a_stale_version_is_409_with_the_current_version(client_for, blind_round, jules):
    client = client_for(jules)
    url = f"/api/judging/entries/{_entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    sheet = client.get(url).json()
    assert (sheet["status"], sheet["version"]) == ("draft", 0)

    first = client.put(url, {"version": 0, "scores": _full_scores(blind_round, "6")}, format="json")
    stale = client.put(url, {"version": 0, "scores": _full_scores(blind_round, "9")}, format="json")

    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["version"] == 1
    values = {score["value"] for score in client.get(url).json()["scores"]}
    assert values == {"6.00"}


def test_value_off_the_scale_is_a_400_with_a_code(client_for, blind_round, jules):
    client = client_for(jules)
    url = f"/api/judging/entries/{_entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.get(url)

    response = client.put(url, {"version": 0, "scores": _full_scores(blind_round, "11")}, format="json")

    assert response.status_code == 400
    assert response.json()["code"]


def test_submit_locks_the_sheet(client_for, blind_round, jules):
    client = client_for(jules)
    base = f"/api/judging/entries/{_entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.get(base)
    saved = client.put(base, {"version": 0, "scores": _full_scores(blind_round)}, format="json").json()

    submitted = client.post(f"{base}submit/", {"version": saved["version"]}, format="json")
    changed = client.put(base, {"version": submitted.json()["version"], "scores": _full_scores(blind_round, "1")})

    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert changed.status_code == 400
    assert {s["value"] for s in client.get(base).json()["scores"]} == {"7.50"}
    progress = client.get(f"/api/judging/assignments/?round={blind_round.pk}").json()[0]["progress"]
    assert progress == {"scored": 1, "total": 2}


def test_after_the_round_closes_the_judge_reads_the_sheet_but_cannot_change_it(client_for, blind_round, jules, oscar):
    client = client_for(jules)
    url = f"/api/judging/entries/{_entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.put(url, {"version": 0, "scores": _full_scores(blind_round, "6")}, format="json")
    judging.round_close(round=blind_round, actor=oscar)

    read = client.get(url)
    changed = client.put(url, {"version": 1, "scores": _full_scores(blind_round, "9")}, format="json")

    assert read.status_code == 200
    assert read.json()["version"] == 1
    assert changed.status_code == 400
    assert changed.json()["code"] == "round_not_open"


def test_submit_with_a_criterion_unscored_is_refused(client_for, blind_round, jules):
    client = client_for(jules)
    base = f"/api/judging/entries/{_entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.get(base)

    response = client.post(f"{base}submit/", {"version": 0}, format="json")

    assert response.status_code == 400
    assert ScoreSheet.objects.get(judge=jules).status == ScoreSheet.Status.DRAFT


# --- Organisers -----------------------------------------------------------------------------------------------


def test_organiser_reads_the_leaderboard_and_the_scores_csv(client_for, blind_round, jules, oscar):
    _submit_all(client_for(jules), blind_round)
    client = client_for(oscar)

    leaderboard = client.get(f"/api/rounds/{blind_round.pk}/leaderboard/")
    csv_response = client.get(f"/api/rounds/{blind_round.pk}/scores.csv")

    assert leaderboard.status_code == 200
    assert "Aurora Collective" in leaderboard.content.decode()
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response.streaming_content).decode()
    assert text.startswith("\ufefftrack,entry_code,team,")
    assert _entry_of(blind_round, "Aurora Collective").blind_code in text
    assert "7.5" in text


def test_organiser_assigns_the_round(client_for, blind_round, oscar, olga):
    response = client_for(oscar).post(f"/api/rounds/{blind_round.pk}/assign/")

    # Comet's entry, the only one without a judge, goes to Olga: Jules is conflicted with Comet
    assert response.status_code == 200
    comet = Assignment.objects.get(round=blind_round, round_entry=_entry_of(blind_round, "Comet Studio"))
    assert comet.judge == olga


def test_results_are_public_only_once_published(anonymous, client_for, blind_round, jules, oscar):
    slug = blind_round.competition.slug
    _submit_all(client_for(jules), blind_round)
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
    _submit_all(client_for(jules), blind_round)
    client = client_for(oscar)
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
