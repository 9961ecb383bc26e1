"""The judging API: a judge's score sheet, read without writing, saved as drafts with a version, and submitted
(cast in conftest)."""

import pytest

from competitions.models import Score, ScoreSheet
from competitions.selectors.publishing import missing_sheets
from competitions.services import judging, results

from .conftest import entry_of, full_scores

pytestmark = pytest.mark.django_db


def test_reading_a_sheet_never_saved_gives_an_empty_draft_and_writes_nothing(client_for, blind_round, jules):
    client = client_for(jules)
    round_entry = entry_of(blind_round, "Aurora Collective")

    sheet = client.get(f"/api/judging/entries/{round_entry.pk}/sheet/")
    entry = client.get(f"/api/judging/entries/{round_entry.pk}/")

    assert sheet.status_code == 200
    body = sheet.json()
    assert (body["id"], body["status"], body["version"], body["comment"]) == (None, "draft", 0, "")
    assert body["round_entry"] == round_entry.pk
    assert body["scores"] == [{"criterion": c.pk, "value": None, "comment": ""} for c in blind_round.criteria.all()]
    assert entry.json()["sheet"] is None
    assert not ScoreSheet.objects.exists()
    assert not Score.objects.exists()


def test_draft_saves_and_a_stale_version_is_409_with_the_current_version(client_for, blind_round, jules):
    client = client_for(jules)
    url = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    sheet = client.get(url).json()
    assert (sheet["status"], sheet["version"]) == ("draft", 0)

    first = client.put(url, {"version": 0, "scores": full_scores(blind_round, "6")}, format="json")
    stale = client.put(url, {"version": 0, "scores": full_scores(blind_round, "9")}, format="json")

    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["version"] == 1
    values = {score["value"] for score in client.get(url).json()["scores"]}
    assert values == {"6.00"}


def test_value_off_the_scale_is_a_400_with_a_code(client_for, blind_round, jules):
    client = client_for(jules)
    url = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.get(url)

    response = client.put(url, {"version": 0, "scores": full_scores(blind_round, "11")}, format="json")

    assert response.status_code == 400
    assert response.json()["code"]


def test_submit_locks_the_sheet(client_for, blind_round, jules):
    client = client_for(jules)
    base = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.get(base)
    saved = client.put(base, {"version": 0, "scores": full_scores(blind_round)}, format="json").json()

    submitted = client.post(f"{base}submit/", {"version": saved["version"]}, format="json")
    changed = client.put(base, {"version": submitted.json()["version"], "scores": full_scores(blind_round, "1")})

    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert changed.status_code == 400
    assert {s["value"] for s in client.get(base).json()["scores"]} == {"7.50"}
    progress = client.get(f"/api/judging/assignments/?round={blind_round.pk}").json()[0]["progress"]
    assert progress == {"scored": 1, "total": 2}


def test_after_the_round_closes_the_judge_reads_the_sheet_but_cannot_change_it(client_for, blind_round, jules, oscar):
    client = client_for(jules)
    url = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.put(url, {"version": 0, "scores": full_scores(blind_round, "6")}, format="json")
    judging.round_close(round=blind_round, actor=oscar, missing_confirmed=missing_sheets(blind_round))

    read = client.get(url)
    changed = client.put(url, {"version": 1, "scores": full_scores(blind_round, "9")}, format="json")

    assert read.status_code == 200
    assert read.json()["version"] == 1
    assert changed.status_code == 400
    assert changed.json()["code"] == "round_not_open"


def test_after_publication_the_judge_reads_the_sheet_and_a_save_is_refused_with_round_published(
    client_for, blind_round, jules, oscar
):
    client = client_for(jules)
    url = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.put(url, {"version": 0, "scores": full_scores(blind_round, "6")}, format="json")
    judging.round_close(round=blind_round, actor=oscar, missing_confirmed=missing_sheets(blind_round))
    results.round_publish(round=blind_round, actor=oscar)

    read = client.get(url)
    changed = client.put(url, {"version": 1, "scores": full_scores(blind_round, "9")}, format="json")

    assert read.status_code == 200
    assert {s["value"] for s in read.json()["scores"]} == {"6.00"}
    assert changed.status_code == 400
    assert changed.json()["code"] == "round_published"
    assert {s.value for s in Score.objects.filter(sheet__judge=jules)} == {6}


def test_submit_with_a_criterion_unscored_is_refused(client_for, blind_round, jules):
    client = client_for(jules)
    base = f"/api/judging/entries/{entry_of(blind_round, 'Aurora Collective').pk}/sheet/"
    client.put(base, {"version": 0, "scores": []}, format="json")

    response = client.post(f"{base}submit/", {"version": 1}, format="json")

    assert response.status_code == 400
    assert ScoreSheet.objects.get(judge=jules).status == ScoreSheet.Status.DRAFT
