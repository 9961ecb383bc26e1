import platform

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from competitions.observability.pipeline import QUEUES, workers_health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors. ``platform`` is the standard-library module: this proves that the project
    folder named platform/ does not shadow it inside the running site.

    503 only when the database fails: workers that are down make the answer "degraded" with the reason, still 200,
    so a load balancer never takes web processes out because of the workers. Two queries."""
    reasons: list[str] = []
    workers = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
        workers = workers_health()
    except DatabaseError:
        database = "unavailable"
        reasons.append("database unavailable")
    if workers is not None:
        reasons += [f"no live {queue} worker" for queue in QUEUES if not workers[queue]]
    body = {
        "status": "degraded" if reasons else "ok",
        "python": platform.python_version(),
        "system": platform.system(),
        "database": database,
        "workers": workers,
        "reasons": reasons,
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)
