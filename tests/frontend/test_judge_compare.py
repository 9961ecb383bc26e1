"""The judge's compare page: two of their entries of a round side by side, each in its own 3D viewer, reached only
for two entries the judge may open in that round (see judge_panel_cast for the cast)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from competitions.models import Assignment, Conflict, Panelist, Round, RoundEntry
from tests.factories import JudgeFactory, UserFactory, captain_of

from .judge_panel_cast import SECRETS, TEAM, Panel, open_judged_round, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(db: None) -> Panel:
    """A blind round of three entries (the first of team Aurora), all assigned to the judge."""
    return open_judged_round(entries=3)


def compare_url(round: Round, a: object = None, b: object = None) -> str:
    url = reverse("frontend:judge-compare", args=[round.pk])
    query = "&".join(f"{key}={value}" for key, value in (("a", a), ("b", b)) if value is not None)
    return f"{url}?{query}" if query else url


def test_two_entries_open_side_by_side_each_in_its_viewer_with_its_poster_and_sheet(
    client: Client, panel: Panel
) -> None:
    round, judge, (first, second, _third) = panel
    client.force_login(judge)

    response = client.get(compare_url(round, first.pk, second.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<model-viewer ") == 2
    for round_entry in (first, second):
        assert f'src="{urls(round_entry)["artifact"]}"' in html
        assert f'poster="{urls(round_entry)["hero"]}"' in html
        assert f'href="{urls(round_entry)["entry"]}"' in html
        assert f"Entry {round_entry.blind_code}" in html
    assert html.index(f"Entry {first.blind_code}") < html.index(f"Entry {second.blind_code}")
    assert "data-link-cameras checked" in html
    assert "js/compare.js" in html and "js/viewer.js" in html and "vendor/model-viewer.min.js" in html


def test_blind_round_names_the_entries_by_code_only(client: Client, panel: Panel) -> None:
    round, judge, (first, second, _third) = panel
    client.force_login(judge)

    html = client.get(compare_url(round, first.pk, second.pk)).content.decode()

    assert "Lantern Harbour" not in html
    for secret in (*SECRETS, second.entry.team.name, second.entry.title):
        assert secret.lower() not in html.lower(), secret


def test_open_round_names_titles_and_teams(client: Client) -> None:
    round, judge, (first, second) = open_judged_round(blind=Round.Blind.NEVER, entries=2)
    client.force_login(judge)

    html = client.get(compare_url(round, first.pk, second.pk)).content.decode()

    assert "Lantern Harbour" in html
    assert f"Team: {TEAM} · Entry {first.blind_code}" in html
    assert f"Interactive 3D view of “{second.entry.title}”" in html


def test_entry_without_a_model_shows_its_thumbnail_and_says_so(client: Client, panel: Panel) -> None:
    round, judge, (first, second, _third) = panel
    revision = second.revision
    revision.artifacts = {key: value for key, value in revision.artifacts.items() if key not in ("viewer", "blind")}
    revision.save(update_fields=["artifacts"])
    client.force_login(judge)

    html = client.get(compare_url(round, first.pk, second.pk)).content.decode()

    assert html.count("<model-viewer ") == 1
    assert f'<img src="{urls(second)["hero"]}"' in html
    assert "No 3D model is available for this entry." in html


def test_each_viewer_opens_under_the_viewing_conditions_of_its_own_entry(client: Client, panel: Panel) -> None:
    round, judge, (first, second, _third) = panel
    # The first has its hero camera recorded; the second is a heavy scene, loaded only when asked for.
    hero_camera = f"revisions/{first.revision.pk}/hero_camera.json"
    path = Path(settings.MEDIA_ROOT) / hero_camera
    path.write_text(json.dumps(
        {"target": [0, 1, 0], "azimuth": 40, "elevation": 22, "distance": 9, "fov_y": 30, "min_distance": 2,
         "max_distance": 40}
    ))  # fmt: skip
    first.revision.artifacts = {**first.revision.artifacts, "hero_camera_json": hero_camera}
    first.revision.save(update_fields=["artifacts"])
    second.revision.stats = {**second.revision.stats, "triangles": 1_300_000}
    second.revision.save(update_fields=["stats"])
    client.force_login(judge)

    html = client.get(compare_url(round, first.pk, second.pk)).content.decode()

    viewers = html.split("<model-viewer ")[1:]
    assert 'camera-orbit="40deg 68deg 9m"' in viewers[0] and "camera-orbit=" not in viewers[1]
    assert 'reveal="auto"' in viewers[0] and 'reveal="manual"' in viewers[1]
    assert "data-viewer-start" not in viewers[0].split("</model-viewer>")[0]
    assert "data-viewer-start" in viewers[1].split("</model-viewer>")[0]


def test_the_picker_alone_when_no_entries_are_chosen(client: Client, panel: Panel) -> None:
    round, judge, round_entries = panel
    client.force_login(judge)

    response = client.get(compare_url(round))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<model-viewer" not in html and "js/compare.js" not in html
    for round_entry in round_entries:
        assert f'<option value="{round_entry.pk}">{round_entry.blind_code}</option>' in html


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("first", None, "Choose two entries to compare."),
        ("first", "", "Choose two entries to compare."),
        ("first", "x1", "Choose two entries to compare."),
        ("first", "first", "Choose two different entries to compare."),
    ],
)
def test_an_incomplete_choice_is_refused_with_the_picker_and_a_message(
    client: Client, panel: Panel, a: str, b: str | None, message: str
) -> None:
    round, judge, (first, *_rest) = panel
    client.force_login(judge)

    response = client.get(compare_url(round, first.pk, first.pk if b == "first" else b))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert f'<option value="{first.pk}" selected>' in html


def test_the_queue_offers_to_compare_two_of_its_entries(client: Client, panel: Panel) -> None:
    round, judge, round_entries = panel
    client.force_login(judge)

    html = client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()

    assert f'action="{reverse("frontend:judge-compare", args=[round.pk])}"' in html
    assert html.count(f'<option value="{round_entries[0].pk}">') == 2


def test_a_queue_of_one_entry_offers_no_comparison(client: Client) -> None:
    round, judge, _ = open_judged_round(entries=1)
    client.force_login(judge)

    html = client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()

    assert reverse("frontend:judge-compare", args=[round.pk]) not in html


# --- From the wrong side ----------------------------------------------------------------------------------------


def test_visitor_is_sent_to_log_in(client: Client, panel: Panel) -> None:
    round, _judge, (first, second, _third) = panel

    response = client.get(compare_url(round, first.pk, second.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_entrant_of_the_compared_team_is_not_found(client: Client, panel: Panel) -> None:
    round, _judge, (first, second, _third) = panel
    client.force_login(captain_of(first.entry.team))

    assert client.get(compare_url(round, first.pk, second.pk)).status_code == 404


def test_another_judges_entry_is_not_found(client: Client, panel: Panel) -> None:
    round, judge, (first, second, third) = panel
    # Another judge on the same panel holds the third entry; ours no longer does.
    other = JudgeFactory()
    Panelist.objects.create(round=round, user=other)
    Assignment.objects.filter(round_entry=third, judge=judge).update(judge=other)
    client.force_login(judge)

    assert client.get(compare_url(round, first.pk, third.pk)).status_code == 404
    assert client.get(compare_url(round, third.pk, second.pk)).status_code == 404
    assert client.get(compare_url(round, first.pk, second.pk)).status_code == 200


def test_a_judge_on_the_panel_without_the_assignments_is_not_found(client: Client, panel: Panel) -> None:
    round, _judge, (first, second, _third) = panel
    unassigned = JudgeFactory()
    Panelist.objects.create(round=round, user=unassigned)
    client.force_login(unassigned)

    assert client.get(compare_url(round)).status_code == 200  # the round is theirs: its picker is empty
    assert client.get(compare_url(round, first.pk, second.pk)).status_code == 404


def test_an_entry_of_a_conflicted_team_is_not_found(client: Client, panel: Panel) -> None:
    round, judge, (first, second, _third) = panel
    # Recorded straight in the table, assignment kept: the page must refuse by the conflict itself.
    Conflict.objects.create(
        competition=round.competition, judge=judge, team=first.entry.team, source=Conflict.Source.ORGANISER
    )
    client.force_login(judge)

    assert client.get(compare_url(round, first.pk, second.pk)).status_code == 404
    html = client.get(compare_url(round)).content.decode()
    assert f'<option value="{first.pk}">' not in html


def test_entries_of_another_round_are_not_found(client: Client, panel: Panel) -> None:
    round, judge, (first, _second, _third) = panel
    other_round, _other_judge, (elsewhere, *_rest) = open_judged_round(entries=2)
    Panelist.objects.create(round=other_round, user=judge)
    Assignment.objects.create(round=other_round, judge=judge, round_entry=elsewhere)
    client.force_login(judge)

    assert client.get(compare_url(round, first.pk, elsewhere.pk)).status_code == 404
    assert client.get(compare_url(other_round, first.pk, elsewhere.pk)).status_code == 404


def test_a_round_the_person_does_not_judge_is_not_found(client: Client, panel: Panel) -> None:
    round, _judge, (first, second, _third) = panel
    client.force_login(UserFactory())

    assert client.get(compare_url(round)).status_code == 404
    assert client.get(compare_url(round, first.pk, second.pk)).status_code == 404


def test_an_id_that_does_not_exist_is_not_found(client: Client, panel: Panel) -> None:
    round, judge, (first, *_rest) = panel
    client.force_login(judge)
    missing = RoundEntry.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    assert client.get(compare_url(round, first.pk, missing)).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(
    client: Client, panel: Panel, django_assert_max_num_queries: object
) -> None:
    round, judge, (first, second, _third) = panel
    client.force_login(judge)

    # The session and its user, the menu, the round, the judge's queue (its rows, their tracks), the pair.
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert client.get(compare_url(round, first.pk, second.pk)).status_code == 200
