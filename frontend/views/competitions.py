"""The list of competitions and a competition's page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competitions import selectors
from competitions.models import Competition
from competitions.models.competition import FORMAT_EXTENSIONS, AssetFormat
from competitions.selectors import notifications as notification_selectors
from frontend.forms import TeamCreateForm, TeamJoinForm


@dataclass(frozen=True)
class Milestone:
    label: str
    at: datetime
    is_past: bool
    is_deadline: bool = False


def timeline(competition: Competition, now: datetime) -> list[Milestone]:
    """The competition's dates in order, for the timeline on its page."""
    moments = [
        (_("Registration opens"), competition.registration_opens_at, False),
        (_("Registration closes"), competition.registration_closes_at, False),
        (_("Submission opens"), competition.submission_opens_at, False),
        (_("Submission deadline"), competition.submission_deadline, True),
        (_("Judging starts"), competition.judging_starts_at, False),
        (_("Judging ends"), competition.judging_ends_at, False),
        (_("Results announced"), competition.results_at, False),
    ]
    moments.sort(key=lambda moment: moment[1])
    return [Milestone(str(label), at, at <= now, deadline) for label, at, deadline in moments]


def accepted_formats(competition: Competition) -> list[tuple[str, str]]:
    """(extensions, description) of each file format the competition accepts: (".glb, .zip", "Binary glTF")."""
    formats = [AssetFormat(value) for value in competition.allowed_formats if value in AssetFormat.values]
    return [(", ".join(FORMAT_EXTENSIONS[fmt]), str(fmt.label)) for fmt in formats]


def competition_list(request: HttpRequest) -> HttpResponse:
    competitions = selectors.competitions_visible()
    return render(request, "portal/competition_list.html", {"competitions": competitions, "now": timezone.now()})


def competition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    competition = get_object_or_404(selectors.competitions_visible(), slug=slug)
    return render(request, "portal/competition_detail.html", detail_context(request, competition))


def detail_context(request: HttpRequest, competition: Competition) -> dict[str, Any]:
    """What the competition's page shows; the organiser console's preview shows the same."""
    now = timezone.now()
    return {
        "competition": competition,
        "tracks": competition.tracks.all(),
        "timeline": timeline(competition, now),
        "formats": accepted_formats(competition),
        "now": now,
        "membership": selectors.membership_for(user=request.user, competition=competition),
        "registration_open": competition.registration_is_open(now),
        "submission_open": competition.submission_is_open(now),
        "before_registration": now < competition.registration_opens_at,
        "deadline_passed": now >= competition.submission_deadline,
        "create_form": TeamCreateForm(),
        "join_form": TeamJoinForm(),
        "banners": notification_selectors.banners_for(user=request.user, competition=competition, now=now),
    }
