"""Top-level URLs: the web portal, the API and its documentation, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("competitions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("frontend.urls")),
]

# A database outage or a full disk outside a view is a 503 or 507 page too; anything else is the 500 page.
handler500 = "frontend.middleware.server_error"
# An /api/ URL that matches no route answers the API's JSON error body; any other is the site's 404 page.
handler404 = "competitions.api.exceptions.page_not_found"
