"""The judge panel: an entry's page and its score sheet, saved as the judge types (the page's script, through the
API with the session login) or posted as a plain form; see judge_panel_cast for the cast."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.models import RoundEntry, Score, ScoreSheet
from competitions.services import judging
from tests.factories import UserFactory

from .judge_panel_cast import Panel, criteria_of, open_judged_round, save_as_the_script, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(db: None) -> Panel:
    return open_judged_round()


# --- The entry page ---------------------------------------------------------------------------------------------


def test_entry_page_shows_viewer_thumbnails_figures_and_rubric(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    client.force_login(judge)

    html = client.get(urls(round_entry)["entry"]).content.decode()

    assert f'<model-viewer class="judge-viewer" src="{urls(round_entry)["artifact"]}" camera-controls' in html
    assert "vendor/model-viewer.min.js" in html
    for view in ("hero", "front", "side", "top"):
        assert reverse("frontend:judge-artifact", args=[round_entry.pk, view]) in html
    assert "5,000" in html
    assert "4.00 × 2.50 × 3.00 m" in html
    assert "A harbour at dusk." in html
    for criterion in criteria_of(round):
        assert criterion.name in html
        assert f'name="score-{criterion.pk}"' in html
        assert f'<label for="id_score-{criterion.pk}">' in html
    assert 'min="0" max="10" step="0.5"' in html
    assert "(0 to 10, in steps of 0.5)" in html
    assert "data-sheet-status" in html


def test_entry_page_links_previous_and_next_entries_with_keyboard_hints(client: Client) -> None:
    _round, judge, round_entries = open_judged_round(entries=3)
    client.force_login(judge)
    queue_order = list(
        RoundEntry.objects.filter(pk__in=[re.pk for re in round_entries])
        .order_by("blind_code")
        .values_list("pk", flat=True)
    )
    middle = RoundEntry.objects.get(pk=queue_order[1])

    html = client.get(urls(middle)["entry"]).content.decode()

    assert f'href="{reverse("frontend:judge-entry", args=[queue_order[0]])}" rel="prev" data-nav="previous"' in html
    assert f'href="{reverse("frontend:judge-entry", args=[queue_order[2]])}" rel="next" data-nav="next"' in html
    assert "<kbd>j</kbd>" in html
    assert "<kbd>k</kbd>" in html
    assert "js/scoresheet.js" in html


def test_opening_the_entry_page_writes_nothing_and_shows_an_empty_draft(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    client.force_login(judge)

    response = client.get(urls(round_entry)["entry"])

    assert response.status_code == 200
    assert not ScoreSheet.objects.exists()
    assert not Score.objects.exists()
    html = response.content.decode()
    assert "data-scoresheet" in html
    assert f'data-save-url="{urls(round_entry)["sheet"]}"' in html
    assert 'name="version" value="0"' in html
    assert f'name="score-{criteria_of(round)[0].pk}" value=""' in html


# --- Saving as the judge types ----------------------------------------------------------------------------------


def test_draft_saved_by_the_script_is_there_after_a_reload(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, second = criteria_of(round)
    client.force_login(judge)
    client.get(urls(round_entry)["entry"])

    response = save_as_the_script(
        client,
        round_entry,
        0,
        {first: {"value": "7.5", "comment": "Bold idea"}, second: {"value": "", "comment": ""}},
        comment="Lovely lighting.",
    )

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["status"]) == (1, "draft")
    html = client.get(urls(round_entry)["entry"]).content.decode()
    assert f'name="score-{first.pk}" value="7.5"' in html
    assert "Bold idea</textarea>" in html
    assert "Lovely lighting.</textarea>" in html
    assert 'name="version" value="1"' in html


def test_script_saves_with_the_session_login_and_the_csrf_token_of_the_form(panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    client = Client(enforce_csrf_checks=True)
    client.force_login(judge)
    html = client.get(urls(round_entry)["entry"]).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    token = found.group(1)
    scores = {criteria_of(round)[0]: {"value": "6"}}

    refused = save_as_the_script(client, round_entry, 0, scores)
    saved = save_as_the_script(client, round_entry, 0, scores, headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert saved.status_code == 200
    assert ScoreSheet.objects.get(judge=judge).version == 1


def test_save_with_an_old_version_is_refused_with_the_newer_values(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, _second = criteria_of(round)
    client.force_login(judge)
    save_as_the_script(client, round_entry, 0, {first: {"value": "6"}})

    response = save_as_the_script(client, round_entry, 0, {first: {"value": "2"}})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["version"] == 1
    # The script then reads the sheet stored now and shows it.
    current = client.get(urls(round_entry)["sheet"]).json()
    assert current["version"] == 1
    assert {score["criterion"]: score["value"] for score in current["scores"]}[first.pk] == "6.00"
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("6")


def test_save_of_a_score_off_the_scale_names_the_field(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, _second = criteria_of(round)
    client.force_login(judge)

    for value in ("11", "7.25", "seven"):
        response = save_as_the_script(client, round_entry, 0, {first: {"value": value}})
        assert response.status_code == 400, value
        # The script marks the score of that criterion ("score-<id>" in the form).
        assert response.json()["field"] == f"criterion-{first.pk}"
    assert not ScoreSheet.objects.exists()


# --- The plain form ---------------------------------------------------------------------------------------------


def test_form_posted_without_javascript_saves_a_draft(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, second = criteria_of(round)
    client.force_login(judge)
    client.get(urls(round_entry)["entry"])
    form = {
        "version": "0",
        f"score-{first.pk}": "8",
        f"comment-{first.pk}": "",
        f"score-{second.pk}": "",
        f"comment-{second.pk}": "",
        "comment": "Nice.",
        "action": "save",
    }

    response = client.post(urls(round_entry)["entry"], form)

    assert response.status_code == 302
    assert response["Location"] == urls(round_entry)["entry"]
    sheet = ScoreSheet.objects.get(judge=judge, round_entry=round_entry)
    assert (sheet.status, sheet.version, sheet.comment) == ("draft", 1, "Nice.")
    assert sheet.scores.get(criterion=first).value == Decimal("8")


def test_form_shows_the_refusal_next_to_its_field(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, second = criteria_of(round)
    client.force_login(judge)
    client.get(urls(round_entry)["entry"])

    response = client.post(
        urls(round_entry)["entry"],
        {
            "version": "0",
            f"score-{first.pk}": "8",
            f"score-{second.pk}": "6",
            f"comment-{second.pk}": "",
            "action": "submit",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        f'id="error-comment-{second.pk}" data-error-for="comment-{second.pk}">This criterion needs a comment.' in html
    )
    assert f'name="score-{first.pk}" value="8"' in html
    assert ScoreSheet.objects.get(judge=judge).status == "draft"


def test_submit_locks_the_sheet(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, second = criteria_of(round)
    client.force_login(judge)
    client.get(urls(round_entry)["entry"])
    form = {
        "version": "0",
        f"score-{first.pk}": "8",
        f"score-{second.pk}": "6.5",
        f"comment-{second.pk}": "Careful modelling.",
        "action": "submit",
    }

    response = client.post(urls(round_entry)["entry"], form)

    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(judge=judge)
    assert sheet.status == "submitted"
    html = client.get(urls(round_entry)["entry"]).content.decode()
    assert "data-scoresheet" not in html
    assert "Your scores are locked." in html
    assert "6.5" in html
    refused = save_as_the_script(client, round_entry, sheet.version, {first: {"value": "1"}})
    assert refused.status_code == 400
    assert refused.json()["code"] == "sheet_submitted"
    again = client.post(urls(round_entry)["entry"], {**form, "version": str(sheet.version), "action": "save"})
    assert again.status_code == 400
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("8")
    queue = client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert "1 of 1 scored" in queue
    assert "Submitted" in queue


def test_queue_and_entry_page_queries_do_not_grow_with_the_queue(client: Client) -> None:
    counts = []
    for entries in (1, 4):
        round, judge, round_entries = open_judged_round(entries=entries)
        client.force_login(judge)
        client.post(urls(round_entries[0])["entry"], {"version": "0", "action": "save"})  # The sheet exists then.
        with CaptureQueriesContext(connection) as queue:
            client.get(reverse("frontend:judge-queue", args=[round.pk]))
        with CaptureQueriesContext(connection) as page:
            client.get(urls(round_entries[0])["entry"])
        counts.append((len(queue), len(page)))

    assert counts[0] == counts[1]
    assert counts[1][0] <= 8
    assert counts[1][1] <= 16


def test_form_posted_with_an_old_version_shows_the_newer_values(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, _second = criteria_of(round)
    client.force_login(judge)
    save_as_the_script(client, round_entry, 0, {first: {"value": "6"}})

    response = client.post(urls(round_entry)["entry"], {"version": "0", f"score-{first.pk}": "2", "action": "save"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed in another window" in html
    assert f'name="score-{first.pk}" value="6"' in html
    assert 'name="version" value="1"' in html


def test_closed_round_shows_the_scores_read_only_and_refuses_saves(client: Client, panel: Panel) -> None:
    round, judge, (round_entry,) = panel
    first, _second = criteria_of(round)
    client.force_login(judge)
    save_as_the_script(client, round_entry, 0, {first: {"value": "6"}})
    judging.round_close(round=round, actor=UserFactory(is_staff=True), missing_confirmed=1)  # the draft

    html = client.get(urls(round_entry)["entry"]).content.decode()
    refused = save_as_the_script(client, round_entry, 1, {first: {"value": "2"}})

    assert "data-scoresheet" not in html
    assert "Judging is closed" in html
    assert refused.status_code == 400
    assert refused.json()["code"] == "round_not_open"
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("6")
