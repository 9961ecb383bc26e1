"""The organiser chooses per round what the compliance line does (information, a gate, or a scored criterion with
its weight): the create and settings forms offer it with help, save it (audited), refuse bad weights next to the
field, and the round page says what is chosen."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.models import AuditEvent, Round
from tests.factories import JudgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def settings_data(round: Round, **changes: str) -> dict[str, str]:
    data = {"name": round.name, "name_zh": "初赛", "position": str(round.position), "blind": "always"}
    data |= {"opens_at": "2026-12-01T09:00", "closes_at": "2026-12-08T18:00", "judges_per_entry": "2"}
    data |= {"advancement": "top_n", "advance_count": "10", "method": "normalised"}
    return data | changes


def test_the_settings_form_offers_the_three_choices_and_the_weight_with_help(client, olga, round):
    client.force_login(olga)

    content = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).content.decode()

    for value in ("info", "gate", "scored"):
        assert f'type="radio" name="compliance" value="{value}"' in content
    assert "Gate: an entry that fails a check is not ranked" in content
    assert 'name="compliance_weight"' in content and 'min="0"' in content
    assert "choose what the ranking does with them" in content
    assert "compliance counts for 1/11 of the score" in content
    assert "Information: judges see the checks beside the rubric" in content  # what is chosen now


def test_the_organiser_makes_compliance_scored_with_a_weight_and_it_is_audited(client, olga, round):
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-round-update", kwargs={"pk": round.pk}),
        settings_data(round, compliance="scored", compliance_weight="2.5"),
    )

    assert response.status_code == 302
    round.refresh_from_db()
    assert (round.compliance, round.compliance_weight) == (Round.Compliance.SCORED, Decimal("2.5"))
    event = AuditEvent.objects.get(action="round.changed", target_id=round.pk)
    assert event.data["after"]["compliance"] == "scored"
    assert event.data["before"]["compliance"] == "info"
    page = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk})).content.decode()
    assert "Scored: the share of checks passed counts as a criterion (weight 2.5)" in page


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("-1", "greater than or equal to 0"),
        ("abc", "Enter a number."),
        ("123456", "no more than 4 digits before the decimal point"),
        ("1.234", "no more than 2 decimal places"),
        ("0", "A scored compliance line needs a weight above zero."),
    ],
)
def test_a_bad_weight_is_refused_next_to_the_field(client, olga, round, weight, message):
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-round-update", kwargs={"pk": round.pk}),
        settings_data(round, compliance="scored", compliance_weight=weight),
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors["compliance_weight"][0]
    round.refresh_from_db()
    assert round.compliance == Round.Compliance.INFORMATION


def test_an_unknown_choice_is_refused(client, olga, round):
    client.force_login(olga)

    response = client.post(
        reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), settings_data(round, compliance="maybe")
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["compliance"][0]


def test_a_post_without_the_compliance_fields_keeps_the_rounds_choice(client, olga, round):
    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.GATE, compliance_weight=Decimal("3"))
    client.force_login(olga)

    response = client.post(reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), settings_data(round))

    assert response.status_code == 302
    round.refresh_from_db()
    assert (round.compliance, round.compliance_weight) == (Round.Compliance.GATE, Decimal("3"))


def test_a_new_round_is_created_with_a_gate(client, olga, round):
    client.force_login(olga)
    data = settings_data(round, name="Final", position="5", compliance="gate", compliance_weight="1")

    response = client.post(reverse("frontend:organise-round-create", kwargs={"slug": round.competition.slug}), data)

    assert response.status_code == 302
    assert Round.objects.get(name="Final").compliance == Round.Compliance.GATE


def test_the_choice_reads_in_chinese(client, olga, round):
    Round.objects.filter(pk=round.pk).update(compliance=Round.Compliance.SCORED, compliance_weight=Decimal("2"))
    client.force_login(olga)

    response = client.get(reverse("frontend:organise-round", kwargs={"pk": round.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "（权重 2）" in response.content.decode()


@pytest.mark.parametrize("who", ["a judge", "a signed-in person", "a visitor"])
def test_nobody_but_an_organiser_changes_the_choice(client, round, who):
    if who == "a judge":
        client.force_login(JudgeFactory())
    elif who == "a signed-in person":
        client.force_login(UserFactory())

    response = client.post(
        reverse("frontend:organise-round-update", kwargs={"pk": round.pk}), settings_data(round, compliance="gate")
    )

    assert response.status_code in (302, 403, 404)
    if who == "a visitor":
        assert reverse("frontend:login") in response["Location"]
    round.refresh_from_db()
    assert round.compliance == Round.Compliance.INFORMATION
