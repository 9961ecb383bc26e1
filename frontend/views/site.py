"""Site-wide answers that belong to no page: the icon browsers ask for at the root."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on their own (and on answers without our <link rel="icon">, such as JSON).
    The static URL is resolved per request, so a production manifest is read only once collectstatic made it."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
