"""The signed-in person's home: their teams in every competition, with entries and where each one stands."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from competitions import selectors
from competitions.auth import AuthenticatedHttpRequest


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = selectors.teams_of(request.user).order_by("-competition__submission_deadline", "name")
    return render(request, "portal/dashboard.html", {"teams": teams, "now": timezone.now()})
