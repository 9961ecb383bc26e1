"""The people and records of the deadline rush (bench/rush.py), made through the services in the rush's process,
with the site's settings, before the site starts."""

from typing import Any

PASSWORD = "rush-bench-password-2026"


def set_up_data(*, entrants: int, judges: int, organisers: int) -> dict[str, Any]:
    """The accounts, entries and the open, assigned round of the rush, made through the services (in this process,
    with the site's settings). Every account has the same password, hashed once."""
    import factory
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from competitions.models import Panelist, Round
    from competitions.services import assignment, entries, judging, teams
    from tests.factories import (
        CompetitionFactory,
        CriterionFactory,
        JudgeFactory,
        RoundFactory,
        TeamFactory,
        TrackFactory,
        UserFactory,
        ready_entry,
    )

    password = factory.Transformer.Force(make_password(PASSWORD))  # the hash as it is, not hashed again
    organiser_users = [UserFactory(is_staff=True, password=password) for _ in range(max(organisers, 1))]

    competition = CompetitionFactory(max_upload_bytes=4 * 1024**3, max_triangles=5_000_000)
    track = TrackFactory(competition=competition)
    entrant_rows = []
    for number in range(entrants):
        user = UserFactory(password=password)
        team = teams.team_create(competition=competition, user=user, name=f"Rush team {number}")
        entry = entries.entry_create(team=team, track=track, user=user, title=f"Rush scene {number}")
        entrant_rows.append({"entry": entry.pk, "token": Token.objects.create(user=user).key})

    # A third more judges than the load's, who scored before the rush: the leaderboard has something to rank.
    seeded = max(1, judges // 3)
    round = RoundFactory(judges_per_entry=min(3, judges + seeded), method=Round.Method.NORMALISED)
    judged = round.competition
    tracks = [TrackFactory(competition=judged) for _ in range(3)]
    for position in range(5):
        CriterionFactory(round=round, position=position, weight=position + 1)
    for number in range(max(2 * (judges + seeded), 6)):
        captain = UserFactory(password=password)
        ready_entry(tracks[number % 3], team=TeamFactory(competition=judged, captain=captain))
    panel = [JudgeFactory(password=password) for _ in range(judges + seeded)]
    Panelist.objects.bulk_create([Panelist(round=round, user=judge) for judge in panel])
    organiser = organiser_users[0]
    judging.round_open(round=round, actor=organiser)
    assignment.round_assign(round=round, actor=organiser)
    criteria = list(round.criteria.all())
    for judge in panel[judges:]:
        for item in round.assignments.filter(judge=judge).select_related("round_entry"):
            values = {criterion.pk: {"value": f"{(item.pk * 7 + criterion.pk) % 21 / 2}"} for criterion in criteria}
            sheet = judging.sheet_save(round_entry=item.round_entry, judge=judge, version=0, values=values, comment="")
            judging.sheet_submit(round_entry=item.round_entry, judge=judge, version=sheet.version)
    return {
        "password": PASSWORD,
        "entrants": entrant_rows,
        "judges": [judge.email for judge in panel[:judges]],
        "organisers": [user.email for user in organiser_users],
        "round": round.pk,
        "competition": competition.pk,
    }
