import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from competitions.observability import metrics
from competitions.observability.pipeline import PipelineCollector


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape target: what this site counted and the pipeline's state read now
    (``competitions.observability``). With METASCENE_METRICS_TOKEN set, only ``Authorization: Bearer <token>``
    reads it: 401 without credentials, 403 with wrong ones."""
    token: str = settings.METASCENE_METRICS_TOKEN
    if token:
        scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            response = HttpResponse(
                _("Authorization: Bearer <METASCENE_METRICS_TOKEN> is required.") + "\n", status=401
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            return HttpResponse(_("Wrong metrics token.") + "\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.exposition(PipelineCollector()), content_type=metrics.CONTENT_TYPE)
