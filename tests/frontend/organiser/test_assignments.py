"""The organiser console's assignments: the automatic assignment, manual overrides, loads and progress, a fixed
number of queries per page whatever the round's size, and the reopening of a submitted sheet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.models import Assignment, AuditEvent, Conflict, ScoreSheet

from .conftest import assigned_round, open_round, score_assigned

pytestmark = pytest.mark.django_db


def test_run_assignment_gives_every_entry_its_judges_and_reports(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=3, track=track)
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}), follow=True)

    assert Assignment.objects.filter(round=round).count() == 6
    content = response.content.decode()
    assert "6 assignments created, 0 kept, 0 removed." in content
    for judge in panel:
        assert judge.email in content or judge.profile.display_name in content


def test_manual_override_adds_and_removes_an_assignment(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=1, track=track)
    round_entry = round.round_entries.get()
    client.force_login(olga)

    client.post(
        reverse("frontend:organise-assignment-add", kwargs={"pk": round.pk}),
        {"judge": panel[0].pk, "round_entry": round_entry.pk},
    )
    assignment = Assignment.objects.get(round=round, judge=panel[0], round_entry=round_entry)
    assert assignment.source == Assignment.Source.MANUAL

    client.post(reverse("frontend:organise-assignment-remove", kwargs={"pk": round.pk, "assignment_id": assignment.pk}))
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_manual_assignment_of_a_conflicted_judge_is_refused(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=1, track=track)
    round_entry = round.round_entries.select_related("entry__team").get()
    Conflict.objects.create(
        competition=round.competition, judge=panel[0], team=round_entry.entry.team, source=Conflict.Source.ORGANISER
    )
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-assignment-add", kwargs={"pk": round.pk}),
        {"judge": panel[0].pk, "round_entry": round_entry.pk},
    )

    assert response.status_code == 400
    assert "conflict of interest" in response.content.decode()
    assert not Assignment.objects.filter(round=round).exists()


def test_assignments_page_shows_loads_and_progress(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=3, track=track)
    client.force_login(olga)
    client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}))
    score_assigned(round, panel[0])

    response = client.get(reverse("frontend:organise-round-assignments", kwargs={"pk": round.pk}))

    loads = {load.panelist.user_id: (load.assigned, load.submitted) for load in response.context["loads"]}
    assert loads[panel[0].pk] == (2, 2)
    assert response.context["tracks"][0]["submitted"] == 2
    assert response.context["tracks"][0]["assigned"] == 6


@pytest.mark.parametrize("name", ["organise-round-assignments", "organise-round-panel", "organise-leaderboard"])
def test_round_pages_make_as_many_queries_for_many_entries_as_for_few(client, olga, name):
    small, large = assigned_round(olga, entries=2), assigned_round(olga, entries=9)
    client.force_login(olga)

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(f"frontend:{name}", kwargs={"pk": small.pk})).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(f"frontend:{name}", kwargs={"pk": large.pk})).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


def test_organiser_reopens_a_submitted_sheet_with_a_reason(client, olga, round, track, criterion, panel):
    open_round(round, olga, entries=1, track=track)
    client.force_login(olga)
    client.post(reverse("frontend:organise-round-assign", kwargs={"pk": round.pk}))
    sheet = score_assigned(round, round.assignments.first().judge)
    url = reverse("frontend:organise-sheet-reopen", kwargs={"pk": round.pk, "sheet_id": sheet.pk})

    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Scored the wrong file"})

    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT
    event = AuditEvent.objects.get(action="score.reopened")
    assert "Scored the wrong file" in str(event.data)
