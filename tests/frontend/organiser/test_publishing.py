"""The console's guardrails around results: Close (typing the number of missing sheets when there are any),
Preview of the public page, Publish (closed rounds only), Unpublish with a reason; and the judge's read-only view
after publication. Visitors, entrants, judges and organisers of another competition are refused every page
(test_console.py and test_competition_organisers.py sweep these URLs too)."""

import pytest
from django.urls import reverse

from competitions.models import AuditEvent, CompetitionOrganiser, Round, RoundResult
from competitions.selectors.publishing import missing_sheets
from competitions.services import judging, results
from tests.factories import CompetitionFactory, RoundFactory, UserFactory

from .conftest import assigned_round

pytestmark = pytest.mark.django_db


def url(name: str, round: Round) -> str:
    return reverse(f"frontend:{name}", kwargs={"pk": round.pk})


@pytest.fixture
def published(olga, scored) -> Round:
    judging.round_close(round=scored, actor=olga)
    return results.round_publish(round=scored, actor=olga)


# --- Close --------------------------------------------------------------------------------------------------------


def test_close_page_asks_for_the_number_of_missing_sheets_and_refuses_another(client, olga):
    round = assigned_round(olga, entries=3)
    missing = missing_sheets(round)
    assert missing > 0
    client.force_login(olga)

    page = client.get(url("organise-round-close", round)).content.decode()
    without = client.post(url("organise-round-close", round))
    wrong = client.post(url("organise-round-close", round), {"missing_confirmed": str(missing + 1)})

    assert f"{missing} score sheets are missing" in page and 'name="missing_confirmed"' in page
    assert without.status_code == 400 and wrong.status_code == 400
    assert f"confirm that {missing} sheets are missing" in wrong.content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN


def test_close_with_the_right_count_closes_the_round(client, olga):
    round = assigned_round(olga, entries=3)
    client.force_login(olga)

    response = client.post(url("organise-round-close", round), {"missing_confirmed": str(missing_sheets(round))})

    assert response.status_code == 302
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    assert AuditEvent.objects.get(action="round.closed").data["missing_sheets"] == missing_sheets(round)


def test_a_round_with_every_sheet_in_closes_without_the_count(client, olga, scored):
    client.force_login(olga)

    page = client.get(url("organise-round-close", scored)).content.decode()
    client.post(url("organise-round-close", scored))

    assert 'name="missing_confirmed"' not in page
    scored.refresh_from_db()
    assert scored.status == Round.Status.CLOSED


# --- Round page and leaderboard -------------------------------------------------------------------------------


def test_round_page_offers_the_next_step_of_each_status(client, olga, scored):
    client.force_login(olga)
    close, preview = url("organise-round-close", scored), url("organise-round-preview", scored)
    publish, unpublish = url("organise-round-publish", scored), url("organise-round-unpublish", scored)

    when_open = client.get(url("organise-round", scored)).content.decode()
    judging.round_close(round=scored, actor=olga)
    when_closed = client.get(url("organise-round", scored)).content.decode()
    results.round_publish(round=scored, actor=olga)
    when_published = client.get(url("organise-round", scored)).content.decode()

    assert close in when_open and preview in when_open and publish not in when_open
    assert preview in when_closed and publish in when_closed and close not in when_closed
    assert unpublish in when_published and publish not in when_published


def test_publishing_an_open_round_from_the_console_is_refused(client, olga, scored):
    client.force_login(olga)

    leaderboard = client.get(url("organise-leaderboard", scored)).content.decode()
    response = client.post(url("organise-round-publish", scored), follow=True)

    assert url("organise-round-publish", scored) not in leaderboard
    assert "close the round first" in response.content.decode()
    assert not RoundResult.objects.exists()


# --- Preview ----------------------------------------------------------------------------------------------------


def test_preview_shows_the_public_page_with_the_would_be_ranks_and_awards(client, olga, scored):
    client.force_login(olga)

    response = client.get(url("organise-round-preview", scored))
    public = client.get(reverse("frontend:competition-results", kwargs={"slug": scored.competition.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview:" in content and "are not public yet" in content
    (track,) = response.context["rounds"][0].tracks
    assert [r.rank for r in track.results] == sorted(r.rank for r in track.results)
    for result in track.results:
        assert result.round_entry.entry.title in content and result.round_entry.entry.team.name in content
    assert "First prize" in content
    assert "Preview:" not in public.content.decode() and "First prize" not in public.content.decode()
    assert not RoundResult.objects.exists()


def test_preview_is_a_404_for_the_organiser_of_another_competition(client, scored):
    other = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=other)
    client.force_login(other)

    assert client.get(url("organise-round-preview", scored)).status_code == 404


def test_a_draft_round_has_no_preview(client, olga, round):
    client.force_login(olga)

    response = client.get(url("organise-round-preview", round))

    assert response.status_code == 302


# --- Unpublish --------------------------------------------------------------------------------------------------


def test_unpublish_without_a_reason_is_refused_and_the_results_stay(client, olga, published):
    client.force_login(olga)

    page = client.get(url("organise-round-unpublish", published)).content.decode()
    response = client.post(url("organise-round-unpublish", published), {"reason": " "})

    assert 'name="reason"' in page
    assert response.status_code == 400
    assert "Say why the results are taken down." in response.content.decode()
    published.refresh_from_db()
    assert published.status == Round.Status.PUBLISHED


def test_unpublish_with_a_reason_takes_the_results_off_the_public_page(client, olga, published):
    public_url = reverse("frontend:competition-results", kwargs={"slug": published.competition.slug})
    winner = RoundResult.objects.get(round=published, rank=1).round_entry.entry.title
    assert winner in client.get(public_url).content.decode()
    client.force_login(olga)

    response = client.post(url("organise-round-unpublish", published), {"reason": "Wrong method"})

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Round.Status.CLOSED
    client.logout()
    assert winner not in client.get(public_url).content.decode()
    assert AuditEvent.objects.get(action="round.unpublished").data["reason"] == "Wrong method"


# --- Judges after publication ------------------------------------------------------------------------------------


def test_judge_reads_queue_and_sheet_after_publication_without_the_autosave(client, published):
    sheet = published.sheets.select_related("judge").first()
    client.force_login(sheet.judge)

    queue = client.get(reverse("frontend:judge-queue", kwargs={"round_id": published.pk}))
    entry_url = reverse("frontend:judge-entry", kwargs={"round_entry_id": sheet.round_entry_id})
    entry = client.get(entry_url)
    saved = client.post(entry_url, {"version": str(sheet.version), "comment": "Changed"})

    assert queue.status_code == 200 and "read only" in queue.content.decode()
    assert entry.status_code == 200
    html = entry.content.decode()
    assert "data-scoresheet" not in html and "Bravo" in html  # no form to autosave; the viewer and keyboard stay
    assert saved.status_code == 400
    assert "scores can no longer change" in saved.content.decode()
    sheet.refresh_from_db()
    assert sheet.comment == "Bravo"
    conflicts = reverse("frontend:judge-conflicts", kwargs={"round_id": published.pk})
    assert client.get(conflicts).status_code == 404


def test_another_rounds_judge_still_gets_a_404_after_publication(client, published):
    stranger = RoundFactory(competition=published.competition, position=9).panelists.create(user=UserFactory()).user
    client.force_login(stranger)

    assert client.get(reverse("frontend:judge-queue", kwargs={"round_id": published.pk})).status_code == 404
