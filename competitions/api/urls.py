"""The entrant API, mounted at /api/. The schema and its docs are mounted beside it in metascene.urls."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import entry_lifecycle, judging, pins, views

app_name = "api"

router = DefaultRouter()
router.register("competitions", views.CompetitionViewSet, basename="competition")
router.register("teams", views.TeamViewSet, basename="team")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("revisions", views.RevisionViewSet, basename="revision")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("uploads/<uuid:pk>/", views.UploadView.as_view(), name="upload-detail"),
    # Judging
    path("judging/assignments/", judging.JudgeAssignmentsView.as_view(), name="judging-assignments"),
    path("judging/entries/<int:round_entry_id>/", judging.JudgeEntryView.as_view(), name="judging-entry"),
    path("judging/entries/<int:round_entry_id>/sheet/", judging.JudgeSheetView.as_view(), name="judging-sheet"),
    path(
        "judging/entries/<int:round_entry_id>/sheet/submit/",
        judging.JudgeSheetSubmitView.as_view(),
        name="judging-sheet-submit",
    ),
    path("judging/entries/<int:round_entry_id>/pins/", pins.JudgePinsView.as_view(), name="judging-pins"),
    path("judging/entries/<int:round_entry_id>/pins/<int:pin_id>/", pins.JudgePinView.as_view(), name="judging-pin"),
    path("rounds/<int:pk>/leaderboard/", judging.LeaderboardView.as_view(), name="round-leaderboard"),
    path("rounds/<int:pk>/publish/", judging.PublishView.as_view(), name="round-publish"),
    path("rounds/<int:pk>/assign/", judging.AssignView.as_view(), name="round-assign"),
    path("rounds/<int:pk>/scores.csv", judging.ScoresCsvView.as_view(), name="round-scores-csv"),
    path("competitions/<slug:slug>/results/", judging.PublishedResultsView.as_view(), name="competition-results"),
    # Organisers' entry actions (before the router, whose entries are the entrant's own)
    path("entries/<int:pk>/disqualify/", entry_lifecycle.EntryDisqualifyView.as_view(), name="entry-disqualify"),
    path("entries/<int:pk>/reinstate/", entry_lifecycle.EntryReinstateView.as_view(), name="entry-reinstate"),
    *router.urls,
]
