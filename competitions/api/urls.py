"""The entrant API, mounted at /api/. The schema and its docs are mounted beside it in metascene.urls."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("competitions", views.CompetitionViewSet, basename="competition")
router.register("teams", views.TeamViewSet, basename="team")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("revisions", views.RevisionViewSet, basename="revision")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("uploads/<uuid:pk>/", views.UploadView.as_view(), name="upload-detail"),
    *router.urls,
]
