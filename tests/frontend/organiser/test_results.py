"""The organiser console's results: the leaderboard with every method, agreement and flagged judges, publication,
the manual shortlist and the CSV export of every score."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.models import Round, RoundResult
from competitions.selectors import leaderboard as leaderboard_selectors
from competitions.services import assignment as assignment_service
from competitions.services import judging

from .conftest import open_round

pytestmark = pytest.mark.django_db


def test_leaderboard_ranks_each_tracks_entries_with_every_method(client, olga, scored, track):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    assert response.status_code == 200
    content = response.content.decode()
    assert track.name in content
    assert "Agreement" in content
    board = response.context["board"]
    assert [row.rank for row in board.tracks[0].rows] != [None, None, None]
    for row in board.tracks[0].rows:
        assert row.code in content
        assert row.team_name in content
    assert "2 of 2" in content


def test_a_calibrated_leaderboard_shows_each_judges_leniency_and_how_far_each_entry_moved(client, olga, scored):
    assert scored.method == Round.Method.CALIBRATED  # the default
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    content = response.content.decode()
    assert "Calibration estimates how leniently each judge marks" in content
    board = response.context["board"]
    leniencies = {total.judge_id: total.leniency for row in board.tracks[0].rows for total in row.totals}
    assert len(leniencies) == 3 and all(value is not None for value in leniencies.values())
    for row in board.tracks[0].rows:
        assert f"{row.moved_text} from the mean" in content
        for total in row.totals:
            assert f"({total.leniency_text})" in content


def test_a_normalised_leaderboard_says_nothing_of_leniency(client, olga, scored):
    Round.objects.filter(pk=scored.pk).update(method=Round.Method.NORMALISED)
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    assert "Calibration estimates" not in response.content.decode()
    assert all(total.leniency is None for row in response.context["board"].tracks[0].rows for total in row.totals)


def one_judge_against_the_panel(round, olga, track, criterion, panel) -> None:
    """Nine entries, each judged by all three of ``panel``: the first two in one order, the third in the reverse
    (the flag needs at least eight shared entries)."""
    Round.objects.filter(pk=round.pk).update(judges_per_entry=3)
    open_round(round, olga, entries=9, track=track)
    assignment_service.round_assign(round=round, actor=olga)
    entries = list(round.round_entries.order_by("pk"))
    ascending = [str(n) for n in range(1, 10)]
    for judge, values in zip(panel, (ascending, ascending, ascending[::-1]), strict=True):
        for round_entry, value in zip(entries, values, strict=True):
            scores = {criterion.pk: {"value": Decimal(value), "comment": ""}}
            sheet = judging.sheet_save(round_entry=round_entry, judge=judge, version=0, values=scores)
            judging.sheet_submit(round_entry=round_entry, judge=judge, version=sheet.version)


def test_leaderboard_shows_agreement_and_highlights_a_judge_who_orders_against_the_panel_with_the_evidence(
    client, olga, round, track, criterion, panel
):
    one_judge_against_the_panel(round, olga, track, criterion, panel)
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": round.pk}))

    content = response.content.decode()
    assert "Kendall" in content
    assert [judge.judge_id for judge in response.context["board"].flagged] == [panel[2].pk]
    assert f'<span class="flagged-judge">{panel[2].profile.display_name}</span>' in content
    assert "r = -1.00 over 9 shared entries (flagged below -0.59 with at least 8)" in content
    assert content.count('class="flagged-judge" title="Flagged judge"') == 9
    assert "not enough shared entries" not in content


def test_the_flag_and_its_evidence_read_in_chinese(client, olga, round, track, criterion, panel):
    one_judge_against_the_panel(round, olga, track, criterion, panel)
    client.force_login(olga)

    response = client.get(
        reverse("frontend:organise-leaderboard", kwargs={"pk": round.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "r = -1.00，基于 9 件共同评审的作品（至少 8 件、低于 -0.59 时标记）" in response.content.decode()


def test_leaderboard_says_which_judges_share_too_few_entries_to_tell(client, olga, scored, panel):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    content = response.content.decode()
    assert response.context["board"].flagged == []
    for judge in panel:  # three entries, each by two of the three judges: each judge shares two
        assert f"{judge.profile.display_name}: not enough shared entries to tell (2 of 8)" in content


def test_leaderboard_says_in_chinese_which_judges_share_too_few_entries(client, olga, scored, panel):
    olga.profile.language = "zh-hans"
    olga.profile.save()
    client.force_login(olga)

    response = client.get(
        reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "共同评审的作品不足，无法判断（2 / 8）" in response.content.decode()


def over_budget(round, organiser):
    """The best-scored entry of ``round`` one triangle over the competition's budget; the others within every
    budget. Returns its row code."""
    rows = leaderboard_selectors.round_leaderboard(round).tracks[0].rows
    for row in rows:
        revision = row.round_entry.revision
        revision.stats = {**revision.stats, "triangles": 10, "image_sizes": [[512, 512]]}
        revision.save(update_fields=["stats"])
    best = rows[0].round_entry.revision
    best.stats = {**best.stats, "triangles": round.competition.max_triangles + 1}
    best.save(update_fields=["stats"])
    return rows[0].code


def test_a_gated_leaderboard_lists_the_failing_entry_after_the_ranking_with_the_checks(client, olga, scored):
    code = over_budget(scored, olga)
    Round.objects.filter(pk=scored.pk).update(compliance=Round.Compliance.GATE)
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    content = response.content.decode()
    rows = response.context["board"].tracks[0].rows
    assert [row.code for row in rows][-1] == code and rows[-1].rank is None
    assert "Not ranked: failed compliance (Triangles)" in content
    assert "Compliance is a gate" in content


def test_a_gated_leaderboard_reads_in_chinese(client, olga, scored):
    over_budget(scored, olga)
    Round.objects.filter(pk=scored.pk).update(compliance=Round.Compliance.GATE)
    client.force_login(olga)

    response = client.get(
        reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "未排名：未通过合规检查（三角面数）" in response.content.decode()


def test_a_scored_leaderboard_shows_the_blend_and_each_entrys_judged_part(client, olga, scored):
    over_budget(scored, olga)
    Round.objects.filter(pk=scored.pk).update(compliance=Round.Compliance.SCORED, compliance_weight=Decimal("1.5"))
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk}))

    content = response.content.decode()
    assert (
        "W<sub>r</sub> = 3 and the compliance weight W<sub>c</sub> = 1.5, for every method" in content
    )  # weights 2 and 1
    for row in response.context["board"].tracks[0].rows:
        passed = row.compliance.passed_count
        assert f"judges {row.judged:.2f}, compliance {passed} of 6" in content
        assert row.score == pytest.approx((3 * row.judged + 1.5 * 10 * passed / 6) / 4.5)


def test_publish_asks_for_confirmation_then_creates_results(client, olga, scored):
    judging.round_close(round=scored, actor=olga)
    client.force_login(olga)
    url = reverse("frontend:organise-round-publish", kwargs={"pk": scored.pk})

    assert "Publish results" in client.get(url).content.decode()
    assert not RoundResult.objects.filter(round=scored).exists()

    response = client.post(url)

    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.status == Round.Status.PUBLISHED
    assert RoundResult.objects.filter(round=scored).count() == 3
    assert RoundResult.objects.get(round=scored, rank=1).award == RoundResult.Award.FIRST


def test_publishing_a_draft_round_is_refused_with_a_message(client, olga, round):
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-publish", kwargs={"pk": round.pk}), follow=True)

    assert "Only a closed round can be published: close the round first." in response.content.decode()
    assert not RoundResult.objects.exists()


def test_shortlist_marks_exactly_the_ticked_entries_as_advancing(client, olga, scored):
    Round.objects.filter(pk=scored.pk).update(advancement=Round.Advancement.MANUAL)
    chosen = scored.round_entries.order_by("pk").first()
    client.force_login(olga)

    page = client.get(reverse("frontend:organise-leaderboard", kwargs={"pk": scored.pk})).content.decode()
    client.post(reverse("frontend:organise-shortlist", kwargs={"pk": scored.pk}), {"round_entry": [chosen.pk]})

    assert 'name="round_entry"' in page
    assert list(scored.round_entries.filter(advanced=True)) == [chosen]


def test_scores_csv_has_a_header_and_one_row_per_score(client, olga, scored):
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-scores-csv", kwargs={"pk": scored.pk}))

    assert response.status_code == 200
    expected_name = f"{scored.competition.slug}-{scored.position}-scores.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["track", "entry_code", "team"]
    # Three entries, two judges each, two criteria.
    assert len(rows) - 1 == 3 * 2 * 2
    assert {row[5] for row in rows[1:]} == {"Atmosphere", "Craft"}
