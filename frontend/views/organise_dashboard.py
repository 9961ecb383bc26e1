"""The dashboard of one competition in the organiser console: how registration, submission, processing and judging
are going, with charts. The page is complete without JavaScript; ``js/dashboard.js`` fetches the figures again
every 30 seconds from the same view (``?fragment=figures``: the figures alone, as HTML) and swaps them in."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from competitions.auth import AuthenticatedHttpRequest
from competitions.selectors.dashboard import SLOPE_TOP, Dashboard, competition_dashboard
from competitions.services import queue
from frontend import charts
from frontend.views.organise import competition_of, organiser_required

REFRESH_SECONDS = 30


@dataclass(frozen=True)
class TrackSlope:
    track_name: str
    chart: SafeString


@dataclass(frozen=True)
class DashboardCharts:
    submissions: SafeString
    judges: SafeString | None
    slopes: list[TrackSlope]


def _charts(dashboard: Dashboard) -> DashboardCharts:
    competition = dashboard.competition
    submissions = charts.submissions_chart(
        dashboard.submissions,
        start=competition.submission_opens_at,
        deadline=competition.submission_deadline,
        zone=competition.zone,
        chart_id="chart-submissions",
    )
    scores = dashboard.scores
    if scores is None:
        return DashboardCharts(submissions=submissions, judges=None, slopes=[])
    judges = charts.score_boxes(
        [(judge.name, judge.totals) for judge in scores.judges],
        low=scores.low,
        high=scores.high,
        chart_id="chart-judges",
    )
    slopes = [
        TrackSlope(
            track_name=board.track.display_name,
            chart=charts.rank_slopes(
                [(c.code, c.raw_rank, c.normalised_rank) for c in board.changes],
                chart_id=f"chart-ranks-{board.track.pk}",
                title=_("Rank changes in %(track)s") % {"track": board.track.display_name},
            ),
        )
        for board in scores.tracks
    ]
    return DashboardCharts(submissions=submissions, judges=judges, slopes=slopes)


@never_cache
@organiser_required
@require_GET
def competition_dashboard_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    round_id = request.GET.get("round", "")
    dashboard = competition_dashboard(competition=competition, round_id=int(round_id) if round_id.isdigit() else None)
    if dashboard.scores is not None and dashboard.scores.stale:  # shown now; a worker brings them up to date
        queue.dashboard_scores_send(dashboard.scores.round.pk)
    fragment = request.GET.get("fragment") == "figures"
    template = "organiser/includes/dashboard_figures.html" if fragment else "organiser/dashboard.html"
    drawn = _charts(dashboard)
    context = {
        "competition": competition,
        "dashboard": dashboard,
        "charts": drawn,
        "submissions_table": charts.cumulative(dashboard.submissions),
        "rank_tables": list(zip(dashboard.scores.tracks, drawn.slopes, strict=True)) if dashboard.scores else [],
        "slope_top": SLOPE_TOP,
        "refresh_seconds": REFRESH_SECONDS,
        "chosen_round": round_id if round_id.isdigit() else "",
    }
    with timezone.override(competition.zone):
        return render(request, template, context)
