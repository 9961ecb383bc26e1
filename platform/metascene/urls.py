"""Top-level URLs: the web portal, the API and its documentation, the admin."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from frontend.views import language

REDOC_POLICY = {
    "style-src": [SELF, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
    "img-src": [SELF, "data:", "https://cdn.redoc.ly"],
}

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switcher, which also remembers the language of a signed-in person for their emails.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("api/", include("competitions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The API documentation under the site's Content-Security-Policy: Swagger UI's set-up script is served from
    # ?script= (the split view) and the page styles are a static file (templates in frontend/templates/api_docs/),
    # so Swagger UI needs nothing more. ReDoc gets a looser policy on its page alone, for what its bundle does as
    # it runs: it writes <style> elements without a nonce (styled-components), builds its search index in a blob:
    # worker and shows Redocly's logo from their CDN. Scripts stay as strict as everywhere else.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_replace(REDOC_POLICY)(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api_docs/redoc.html")
        ),
        name="api-redoc",
    ),
    path("", include("frontend.urls")),
]

# A database outage or a full disk outside a view is a 503 or 507 page too; anything else is the 500 page.
handler500 = "frontend.middleware.server_error"
# An /api/ URL that matches no route answers the API's JSON error body; any other is the site's 404 page.
handler404 = "competitions.api.exceptions.page_not_found"
