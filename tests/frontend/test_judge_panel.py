"""The judge panel: rounds, queue, entry page with its score sheet, files, conflicts, and blind review.

The cast: team "Aurora Collective" (captain Xiaoming Zhou of the Aurora Design Lab) enters "Lantern Harbour",
uploaded as "zhou-aurora-final.glb"; Judith judges it; Charlie is nobody's judge.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

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

TEAM = "Aurora Collective"
MEMBER = "Xiaoming Zhou"
ORGANISATION = "Aurora Design Lab"
ORIGINAL_NAME = "zhou-aurora-final.glb"
SECRETS = (TEAM, MEMBER, ORGANISATION, ORIGINAL_NAME, "zhou-aurora-final", "xiaoming")


def _write_artifacts(revision, names=("hero", "front", "side", "top", "viewer", "blind")):  # type: ignore[no-untyped-def]
    artifacts = {}
    for name in names:
        storage_name = f"revisions/{revision.pk}/{name}.{'glb' if name in ('viewer', 'blind') else 'webp'}"
        path = Path(settings.MEDIA_ROOT) / storage_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{name} bytes".encode())
        artifacts[name] = storage_name
    revision.artifacts = artifacts
    revision.original_name = ORIGINAL_NAME
    revision.stats = {"triangles": 5000, "materials": 2, "textures": 3, "size": [4.0, 2.5, 3.0]}
    revision.save(update_fields=["artifacts", "original_name", "stats"])


def _open_round(blind: str = Round.Blind.ALWAYS, entries: int = 1):  # type: ignore[no-untyped-def]
    """An open round with two criteria (the second needs a comment) and ``entries`` entries, the first of team
    Aurora; returns (round, judge, round entries), every entry assigned to the judge."""
    round = RoundFactory(blind=blind)
    track = TrackFactory(competition=round.competition, name="Culture and tourism")
    CriterionFactory(round=round, name="Originality", scale_min=0, scale_max=10, step=Decimal("0.5"))
    CriterionFactory(round=round, name="Craft", scale_min=0, scale_max=10, step=Decimal("0.5"), comment_required=True)
    captain = UserFactory(
        username=f"zhou.{round.pk}@aurora-lab.example.com",
        profile__display_name=MEMBER,
        profile__organisation=ORGANISATION,
    )
    team = TeamFactory(competition=round.competition, captain=captain, name=TEAM)
    entry = ready_entry(track, team=team, title="Lantern Harbour", description="A harbour at dusk.")
    _write_artifacts(entry.current_revision)
    for _ in range(entries - 1):
        other = ready_entry(track, description="Another scene.")
        _write_artifacts(other.current_revision)
    round = judging.round_open(round=round, actor=UserFactory(is_staff=True))
    judge = JudgeFactory()
    Panelist.objects.create(round=round, user=judge)
    round_entries = sorted(round.round_entries.all(), key=lambda re: (re.entry_id != entry.pk, re.pk))
    for round_entry in round_entries:
        Assignment.objects.create(round=round, judge=judge, round_entry=round_entry)
    return round, judge, round_entries


@pytest.fixture
def panel():  # type: ignore[no-untyped-def]
    return _open_round()


def _urls(round_entry: RoundEntry) -> dict[str, str]:
    return {
        "entry": reverse("frontend:judge-entry", args=[round_entry.pk]),
        "artifact": reverse("frontend:judge-artifact", args=[round_entry.pk, "model"]),
        "hero": reverse("frontend:judge-artifact", args=[round_entry.pk, "hero"]),
        "save": reverse("frontend:judge-sheet-save", args=[round_entry.pk]),
    }


def _criteria(round: Round) -> list:  # type: ignore[type-arg]
    return list(round.criteria.order_by("position", "pk"))


def _save_json(client, round_entry, version, values, comment=None):  # type: ignore[no-untyped-def]
    body = {"version": version, "values": values}
    if comment is not None:
        body["comment"] = comment
    return client.post(_urls(round_entry)["save"], json.dumps(body), content_type="application/json")


# --- Who may see what -------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, _judge, (round_entry,) = panel
    urls = [
        reverse("frontend:judge-home"),
        reverse("frontend:judge-queue", args=[round.pk]),
        *_urls(round_entry).values(),
    ]

    for url in urls:
        response = client.get(url) if not url.endswith(".json") else client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("frontend:login")), url


@pytest.mark.parametrize("who", ["stranger", "unassigned judge", "conflicted judge", "withdrawn judge"])
def test_only_the_assigned_judge_reaches_the_entry_its_files_and_its_sheet(client, panel, who) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    if who == "stranger":
        user = UserFactory()
    elif who == "unassigned judge":
        user = JudgeFactory()
        Panelist.objects.create(round=round, user=user)
    elif who == "conflicted judge":
        # Recorded straight in the table, assignment kept: the pages must refuse by the conflict itself.
        user = judge
        Conflict.objects.create(
            competition=round.competition, judge=judge, team=round_entry.entry.team, source=Conflict.Source.ORGANISER
        )
    else:
        user = judge
        Panelist.objects.filter(round=round, user=judge).update(withdrawn_at=round.opens_at)
    client.force_login(user)
    urls = _urls(round_entry)

    assert client.get(urls["entry"]).status_code == 404
    assert client.post(urls["entry"], {"version": 0, "action": "save"}).status_code == 404
    assert client.get(urls["artifact"]).status_code == 404
    assert client.get(urls["hero"]).status_code == 404
    assert _save_json(client, round_entry, 0, {}).status_code == 404
    assert not ScoreSheet.objects.filter(judge=user).exists()


def test_judge_sees_their_rounds_with_progress_and_the_nav_link(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, _ = panel
    client.force_login(judge)

    response = client.get(reverse("frontend:judge-home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert round.name in html
    assert "0 of 1 scored" in html
    assert f'href="{reverse("frontend:judge-home")}"' in html


def test_person_without_a_seat_has_no_judging_link(client, panel) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory())

    response = client.get(reverse("frontend:dashboard"))

    assert f'href="{reverse("frontend:judge-home")}"' not in response.content.decode()


def test_queue_of_another_round_is_not_found(client, panel) -> None:  # type: ignore[no-untyped-def]
    _round, judge, _ = panel
    other = RoundFactory()
    client.force_login(judge)

    assert client.get(reverse("frontend:judge-queue", args=[other.pk])).status_code == 404


# --- Blind review -----------------------------------------------------------------------------------------------


def test_blind_queue_and_entry_page_never_name_the_team(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    client.force_login(judge)
    client.post(_urls(round_entry)["entry"], {"version": 0, "action": "save"})

    for url in (reverse("frontend:judge-queue", args=[round.pk]), _urls(round_entry)["entry"]):
        html = client.get(url).content.decode()
        assert round_entry.blind_code in html
        assert "Lantern Harbour" in html
        for secret in SECRETS:
            assert secret.lower() not in html.lower(), (url, secret)


def test_blind_round_serves_the_stripped_model_under_the_entry_code(client, panel) -> None:  # type: ignore[no-untyped-def]
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    response = client.get(_urls(round_entry)["artifact"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"blind bytes"
    assert response["Content-Type"] == "model/gltf-binary"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}.glb"'
    headers = " ".join(f"{key}: {value}" for key, value in response.items()).lower()
    for secret in SECRETS:
        assert secret.lower() not in headers


def test_blind_round_without_a_stripped_copy_serves_no_model(client, panel) -> None:  # type: ignore[no-untyped-def]
    _round, judge, (round_entry,) = panel
    revision = round_entry.revision
    revision.artifacts = {key: value for key, value in revision.artifacts.items() if key != "blind"}
    revision.save(update_fields=["artifacts"])
    client.force_login(judge)

    assert client.get(_urls(round_entry)["artifact"]).status_code == 404
    assert 'src="' + _urls(round_entry)["artifact"] not in client.get(_urls(round_entry)["entry"]).content.decode()


def test_thumbnail_is_served_inline_under_the_entry_code(client, panel) -> None:  # type: ignore[no-untyped-def]
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    response = client.get(_urls(round_entry)["hero"])

    assert b"".join(response.streaming_content) == b"hero bytes"
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}-hero.webp"'


def test_unknown_artifact_name_is_not_found(client, panel) -> None:  # type: ignore[no-untyped-def]
    _round, judge, (round_entry,) = panel
    client.force_login(judge)

    for name in ("viewer", "blind", "turntable", "file"):
        assert client.get(reverse("frontend:judge-artifact", args=[round_entry.pk, name])).status_code == 404


def test_open_round_serves_the_viewer_copy_and_falls_back_to_the_upload(client) -> None:  # type: ignore[no-untyped-def]
    _round, judge, (round_entry,) = _open_round(blind=Round.Blind.NEVER)
    client.force_login(judge)
    url = _urls(round_entry)["artifact"]

    assert b"".join(client.get(url).streaming_content) == b"viewer bytes"
    revision = round_entry.revision
    revision.artifacts = {key: value for key, value in revision.artifacts.items() if key != "viewer"}
    revision.save(update_fields=["artifacts"])
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"glTF"
    assert response["Content-Disposition"] == f'inline; filename="{round_entry.blind_code}.glb"'


def test_open_round_names_the_team(client) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = _open_round(blind=Round.Blind.NEVER)
    client.force_login(judge)

    assert TEAM in client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert TEAM in client.get(_urls(round_entry)["entry"]).content.decode()


# --- The entry page ---------------------------------------------------------------------------------------------


def test_entry_page_shows_viewer_thumbnails_figures_and_rubric(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    client.force_login(judge)

    html = client.get(_urls(round_entry)["entry"]).content.decode()

    assert f'<model-viewer class="judge-viewer" src="{_urls(round_entry)["artifact"]}" camera-controls' in html
    assert "vendor/model-viewer.min.js" in html
    for view in ("hero", "front", "side", "top"):
        assert reverse("frontend:judge-artifact", args=[round_entry.pk, view]) in html
    assert "5,000" in html
    assert "4.00 × 2.50 × 3.00 m" in html
    assert "A harbour at dusk." in html
    for criterion in _criteria(round):
        assert criterion.name in html
        assert f'name="score-{criterion.pk}"' in html
        assert f'<label for="id_score-{criterion.pk}">' in html
    assert 'min="0" max="10" step="0.5"' in html
    assert "(0 to 10, in steps of 0.5)" in html
    assert "data-sheet-status" in html


def test_entry_page_links_previous_and_next_entries_with_keyboard_hints(client) -> None:  # type: ignore[no-untyped-def]
    _round, judge, round_entries = _open_round(entries=3)
    client.force_login(judge)
    queue_order = list(
        RoundEntry.objects.filter(pk__in=[re.pk for re in round_entries])
        .order_by("blind_code")
        .values_list("pk", flat=True)
    )
    middle = RoundEntry.objects.get(pk=queue_order[1])

    html = client.get(_urls(middle)["entry"]).content.decode()

    assert f'href="{reverse("frontend:judge-entry", args=[queue_order[0]])}" rel="prev" data-nav="previous"' in html
    assert f'href="{reverse("frontend:judge-entry", args=[queue_order[2]])}" rel="next" data-nav="next"' in html
    assert "<kbd>j</kbd>" in html
    assert "<kbd>k</kbd>" in html
    assert "js/scoresheet.js" in html


# --- Saving and submitting --------------------------------------------------------------------------------------


def test_draft_saved_by_the_script_is_there_after_a_reload(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, second = _criteria(round)
    client.force_login(judge)
    client.get(_urls(round_entry)["entry"])

    response = _save_json(
        client,
        round_entry,
        0,
        {str(first.pk): {"value": "7.5", "comment": "Bold idea"}, str(second.pk): {"value": "", "comment": ""}},
        comment="Lovely lighting.",
    )

    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": 1, "status": "draft"}
    html = client.get(_urls(round_entry)["entry"]).content.decode()
    assert f'name="score-{first.pk}" value="7.5"' in html
    assert "Bold idea</textarea>" in html
    assert "Lovely lighting.</textarea>" in html
    assert 'name="version" value="1"' in html


def test_save_with_an_old_version_is_refused_with_the_newer_values(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, _second = _criteria(round)
    client.force_login(judge)
    _save_json(client, round_entry, 0, {str(first.pk): {"value": "6"}})

    response = _save_json(client, round_entry, 0, {str(first.pk): {"value": "2"}})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["sheet"]["version"] == 1
    assert body["sheet"]["values"][str(first.pk)]["value"] == "6"
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("6")


def test_save_of_a_score_off_the_scale_names_the_field(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, _second = _criteria(round)
    client.force_login(judge)

    for value in ("11", "7.25", "seven"):
        response = _save_json(client, round_entry, 0, {str(first.pk): {"value": value}})
        assert response.status_code == 400, value
        assert response.json()["field"] == f"score-{first.pk}"


def test_form_posted_without_javascript_saves_a_draft(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, second = _criteria(round)
    client.force_login(judge)
    client.get(_urls(round_entry)["entry"])
    form = {
        "version": "0",
        f"score-{first.pk}": "8",
        f"comment-{first.pk}": "",
        f"score-{second.pk}": "",
        f"comment-{second.pk}": "",
        "comment": "Nice.",
        "action": "save",
    }

    response = client.post(_urls(round_entry)["entry"], form)

    assert response.status_code == 302
    assert response["Location"] == _urls(round_entry)["entry"]
    sheet = ScoreSheet.objects.get(judge=judge, round_entry=round_entry)
    assert (sheet.status, sheet.version, sheet.comment) == ("draft", 1, "Nice.")
    assert sheet.scores.get(criterion=first).value == Decimal("8")


def test_form_shows_the_refusal_next_to_its_field(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, second = _criteria(round)
    client.force_login(judge)
    client.get(_urls(round_entry)["entry"])

    response = client.post(
        _urls(round_entry)["entry"],
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


def test_submit_locks_the_sheet(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, second = _criteria(round)
    client.force_login(judge)
    client.get(_urls(round_entry)["entry"])
    form = {
        "version": "0",
        f"score-{first.pk}": "8",
        f"score-{second.pk}": "6.5",
        f"comment-{second.pk}": "Careful modelling.",
        "action": "submit",
    }

    response = client.post(_urls(round_entry)["entry"], form)

    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(judge=judge)
    assert sheet.status == "submitted"
    html = client.get(_urls(round_entry)["entry"]).content.decode()
    assert "data-scoresheet" not in html
    assert "Your scores are locked." in html
    assert "6.5" in html
    refused = _save_json(client, round_entry, sheet.version, {str(first.pk): {"value": "1"}})
    assert refused.status_code == 400
    assert refused.json()["code"] == "sheet_submitted"
    again = client.post(_urls(round_entry)["entry"], {**form, "version": str(sheet.version), "action": "save"})
    assert again.status_code == 400
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("8")
    queue = client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert "1 of 1 scored" in queue
    assert "Submitted" in queue


# --- Conflicts --------------------------------------------------------------------------------------------------


def test_judge_declares_a_conflict_from_the_entry_page_and_the_entry_leaves_the_queue(client) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = _open_round(blind=Round.Blind.NEVER)
    client.force_login(judge)

    response = client.post(
        reverse("frontend:judge-conflict-declare", args=[round_entry.pk]), {"reason": "Former student"}
    )

    assert response.status_code == 302
    assert Conflict.objects.filter(judge=judge, team=round_entry.entry.team, source="declared").exists()
    assert "Lantern Harbour" not in client.get(reverse("frontend:judge-queue", args=[round.pk])).content.decode()
    assert client.get(_urls(round_entry)["entry"]).status_code == 404


def test_conflict_cannot_be_declared_by_entry_in_a_blind_round(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    client.force_login(judge)

    assert client.post(reverse("frontend:judge-conflict-declare", args=[round_entry.pk])).status_code == 404
    assert client.get(reverse("frontend:judge-conflicts", args=[round.pk])).status_code == 404
    assert not Conflict.objects.filter(judge=judge).exists()


def test_judge_declares_a_conflict_with_a_team_chosen_by_name(client) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = _open_round(blind=Round.Blind.NEVER)
    client.force_login(judge)
    url = reverse("frontend:judge-conflicts", args=[round.pk])
    assert TEAM in client.get(url).content.decode()

    response = client.post(url, {"team": round_entry.entry.team_id, "reason": ""})

    assert response.status_code == 302
    assert Conflict.objects.filter(judge=judge, team=round_entry.entry.team).exists()


def test_queue_and_entry_page_queries_do_not_grow_with_the_queue(client) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for entries in (1, 4):
        round, judge, round_entries = _open_round(entries=entries)
        client.force_login(judge)
        client.get(_urls(round_entries[0])["entry"])  # The sheet exists from then on.
        with CaptureQueriesContext(connection) as queue:
            client.get(reverse("frontend:judge-queue", args=[round.pk]))
        with CaptureQueriesContext(connection) as page:
            client.get(_urls(round_entries[0])["entry"])
        counts.append((len(queue), len(page)))

    assert counts[0] == counts[1]
    assert counts[1][0] <= 8
    assert counts[1][1] <= 16


def test_form_posted_with_an_old_version_shows_the_newer_values(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, _second = _criteria(round)
    client.force_login(judge)
    _save_json(client, round_entry, 0, {str(first.pk): {"value": "6"}})

    response = client.post(_urls(round_entry)["entry"], {"version": "0", f"score-{first.pk}": "2", "action": "save"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed in another window" in html
    assert f'name="score-{first.pk}" value="6"' in html
    assert 'name="version" value="1"' in html


def test_closed_round_shows_the_scores_read_only_and_refuses_saves(client, panel) -> None:  # type: ignore[no-untyped-def]
    round, judge, (round_entry,) = panel
    first, _second = _criteria(round)
    client.force_login(judge)
    _save_json(client, round_entry, 0, {str(first.pk): {"value": "6"}})
    judging.round_close(round=round, actor=UserFactory(is_staff=True))

    html = client.get(_urls(round_entry)["entry"]).content.decode()
    refused = _save_json(client, round_entry, 1, {str(first.pk): {"value": "2"}})

    assert "data-scoresheet" not in html
    assert "Judging is closed" in html
    assert refused.status_code == 400
    assert refused.json()["code"] == "round_not_open"
    assert ScoreSheet.objects.get(judge=judge).scores.get(criterion=first).value == Decimal("6")
