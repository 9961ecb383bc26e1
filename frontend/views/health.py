import platform

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors. ``platform`` is the standard-library module: this proves that the project
    folder named platform/ does not shadow it inside the running site."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "python": platform.python_version(),
        "system": platform.system(),
        "database": database,
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)
