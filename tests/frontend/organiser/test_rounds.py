"""The organiser console's rounds: creating one, its settings and its rubric (in the competition's time zone,
refusals shown next to the field), and opening and closing it behind a confirmation."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from competitions.models import AuditEvent, EntryRevision, Round
from tests.factories import EntryRevisionFactory, ready_entry

from .conftest import open_round

pytestmark = pytest.mark.django_db


def test_create_round_reads_times_in_the_competitions_time_zone(client, olga, round):
    client.force_login(olga)
    data = {
        "name": "Final",
        "name_zh": "决赛",
        "position": "5",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-08T18:00",
        "blind": "never",
        "judges_per_entry": "4",
        "advancement": "manual",
        "advance_count": "0",
        "method": "trimmed",
    }

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    final = Round.objects.get(name="Final")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:organise-round", kwargs={"pk": final.pk})
    assert final.opens_at == datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (final.position, final.judges_per_entry, final.blind, final.method) == (5, 4, "never", "trimmed")
    assert AuditEvent.objects.filter(action="round.created", target_id=final.pk).exists()


def test_in_chinese_the_flashes_name_the_round_and_criterion_by_their_chinese_names(client, olga, round):
    client.force_login(olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    data = {"name": "Final", "name_zh": "决赛", "position": "5", "opens_at": "2026-12-01T09:00"}
    data |= {"closes_at": "2026-12-08T18:00", "blind": "never", "judges_per_entry": "4", "advancement": "manual"}
    data |= {"advance_count": "0", "method": "mean"}

    created = client.post(
        reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data, follow=True
    )
    final = Round.objects.get(name="Final")
    criterion = {"new-criterion-name": "Atmosphere", "new-criterion-name_zh": "氛围", "new-criterion-weight": "2"}
    criterion |= {"new-criterion-scale_min": "0", "new-criterion-scale_max": "10", "new-criterion-step": "1"}
    criterion |= {"new-criterion-position": "1"}
    added = client.post(reverse("frontend:organise-criterion-create", kwargs={"pk": final.pk}), criterion, follow=True)

    assert ["决赛" in str(message) and "Final" not in str(message) for message in created.context["messages"]] == [True]
    assert ["氛围" in str(message) for message in added.context["messages"]] == [True]


def test_a_round_may_be_named_in_chinese_only_and_is_shown_by_that_name_in_english_too(client, olga, round):
    client.force_login(olga)
    data = {"name": "", "name_zh": "复赛", "position": "5", "opens_at": "2026-12-01T09:00"}
    data |= {"closes_at": "2026-12-08T18:00", "blind": "never", "judges_per_entry": "3", "advancement": "manual"}
    data |= {"advance_count": "0", "method": "mean"}

    response = client.post(
        reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data, follow=True
    )

    created = Round.objects.get(name_zh="复赛")
    assert created.name == "" and created.display_name == "复赛"
    assert ["复赛" in str(message) for message in response.context["messages"]] == [True]


def test_a_round_named_in_neither_language_is_refused_at_the_name_field(client, olga, round):
    client.force_login(olga)
    data = {"name": " ", "name_zh": "", "position": "5", "opens_at": "2026-12-01T09:00"}
    data |= {"closes_at": "2026-12-08T18:00", "blind": "never", "judges_per_entry": "3", "advancement": "manual"}
    data |= {"advance_count": "0", "method": "mean"}

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Give the round a name, in English or in Chinese."]
    assert not Round.objects.filter(position=5).exists()


def test_create_round_closing_before_it_opens_shows_the_error_next_to_the_field(client, olga, round):
    client.force_login(olga)
    data = {"name": "Final", "position": "5", "opens_at": "2026-12-08T09:00", "closes_at": "2026-12-01T09:00"}
    data |= {"blind": "always", "judges_per_entry": "3", "advancement": "top_n", "advance_count": "5"}
    data |= {"method": "mean"}

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    assert response.status_code == 200
    assert "Judging must close after it opens." in response.context["form"].errors["closes_at"][0]
    assert not Round.objects.filter(name="Final").exists()


def test_organiser_adds_a_criterion_to_a_draft_round(client, olga, round):
    client.force_login(olga)
    data = {"new-criterion-name": "Atmosphere", "new-criterion-weight": "2", "new-criterion-scale_min": "0"}
    data |= {"new-criterion-scale_max": "10", "new-criterion-step": "0.5", "new-criterion-position": "1"}

    response = client.post(reverse("frontend:organise-criterion-create", kwargs={"pk": round.pk}), data)

    assert response.status_code == 302
    criterion = round.criteria.get()
    assert (criterion.name, criterion.weight, criterion.step) == ("Atmosphere", Decimal("2"), Decimal("0.5"))


def test_organiser_edits_and_deletes_a_criterion_of_a_draft_round(client, olga, round, criterion):
    client.force_login(olga)
    prefix = f"criterion-{criterion.pk}-"
    data = {f"{prefix}name": "Mood", f"{prefix}weight": "3", f"{prefix}scale_min": "0", f"{prefix}scale_max": "5"}
    data |= {f"{prefix}step": "1", f"{prefix}position": "1"}
    ids = {"pk": round.pk, "criterion_id": criterion.pk}

    client.post(reverse("frontend:organise-criterion-update", kwargs=ids), data)
    criterion.refresh_from_db()
    assert (criterion.name, criterion.scale_max) == ("Mood", Decimal("5"))

    client.post(reverse("frontend:organise-criterion-delete", kwargs=ids))
    assert not round.criteria.exists()


def test_editing_the_rubric_of_an_open_round_is_refused_with_a_message(client, olga, round, track, criterion):
    open_round(round, olga, entries=1, track=track)
    client.force_login(olga)
    prefix = f"criterion-{criterion.pk}-"
    data = {f"{prefix}name": "Mood", f"{prefix}weight": "9", f"{prefix}scale_min": "0", f"{prefix}scale_max": "10"}
    data |= {f"{prefix}step": "0.5", f"{prefix}position": "1"}
    ids = {"pk": round.pk, "criterion_id": criterion.pk}

    response = client.post(reverse("frontend:organise-criterion-update", kwargs=ids), data, follow=True)
    client.post(reverse("frontend:organise-criterion-delete", kwargs=ids))
    client.post(reverse("frontend:organise-criterion-create", kwargs={"pk": round.pk}), {"new-criterion-name": "X"})

    content = response.content.decode()
    assert "its rubric is locked" in content
    assert "The rubric is locked" in content
    assert reverse("frontend:organise-criterion-update", kwargs=ids) not in content
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight) == ("Atmosphere", Decimal("2"))
    assert round.criteria.count() == 1


def test_round_settings_are_saved_through_the_service(client, olga, round):
    client.force_login(olga)
    data = {"name": "Preliminary", "name_zh": "初赛", "position": str(round.position)}
    data |= {"opens_at": "2026-12-01T09:00", "closes_at": "2026-12-08T18:00", "blind": "always"}
    data |= {"judges_per_entry": "5", "advancement": "top_n", "advance_count": "10", "method": "normalised"}

    response = client.post(reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), data)

    assert response.status_code == 302
    round.refresh_from_db()
    assert (round.name, round.name_zh, round.judges_per_entry) == ("Preliminary", "初赛", 5)
    assert round.closes_at == datetime(2026, 12, 8, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_settings_page_shows_times_in_the_competitions_time_zone(client, olga, round):
    round.opens_at = datetime(2026, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC"))
    round.save()
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk}))

    assert 'value="2026-12-01T09:00"' in response.content.decode()


def test_changing_the_blind_setting_of_an_open_round_shows_the_refusal_next_to_the_field(
    client, olga, round, track, criterion
):
    open_round(round, olga, entries=1, track=track)
    client.force_login(olga)
    data = {"name": round.name, "position": str(round.position), "blind": "never", "judges_per_entry": "2"}
    data |= {"opens_at": "2026-12-01T09:00", "closes_at": "2026-12-08T18:00", "advancement": "top_n"}
    data |= {"advance_count": "10", "method": "normalised"}

    response = client.post(reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), data)

    assert response.status_code == 400
    assert "this setting is locked" in response.context["form"].errors["blind"][0]
    round.refresh_from_db()
    assert round.blind == Round.Blind.ALWAYS


def test_open_asks_for_confirmation_then_freezes_the_entries(client, olga, round, track, criterion):
    ready_entry(track)
    client.force_login(olga)
    url = reverse("frontend:organise-round-open", kwargs={"pk": round.pk})

    assert "Open the round" in client.get(url).content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT

    client.post(url)
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN
    assert round.round_entries.count() == 1


def test_organiser_sees_the_files_still_being_checked_and_opening_is_refused_until_they_finish(
    client, olga, round, track, criterion
):
    ready_entry(track)
    waiting = ready_entry(track, title="Yangshan port twin")
    revision = EntryRevisionFactory(entry=waiting, number=2, status=EntryRevision.Status.VALIDATING)
    client.force_login(olga)
    url = reverse("frontend:organise-round-open", kwargs={"pk": round.pk})

    detail = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).content.decode()
    confirm = client.get(url).content.decode()
    refused = client.post(url, follow=True).content.decode()

    for page in (detail, confirm):
        assert "1 file uploaded before the deadline is still being checked." in page
        assert "“Yangshan port twin”: revision 2" in page
    assert "1 file uploaded before the deadline is still being checked: " in refused
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT
    EntryRevision.objects.filter(pk=revision.pk).update(status=EntryRevision.Status.REJECTED)
    client.post(url)
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN


def test_close_asks_for_confirmation_then_closes_the_round(client, olga, round, track, criterion):
    open_round(round, olga, entries=1, track=track)
    client.force_login(olga)
    url = reverse("frontend:organise-round-close", kwargs={"pk": round.pk})

    assert "Close the round" in client.get(url).content.decode()
    response = client.post(url, follow=True)

    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    assert "The round is closed" in response.content.decode()


def test_open_without_criteria_shows_why_it_was_refused(client, olga, round, track):
    ready_entry(track)
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-open", kwargs={"pk": round.pk}), follow=True)

    assert "Add at least one criterion" in response.content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT
