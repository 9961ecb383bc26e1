"""Who is asking, typed: the signed-in user of a request that passed ``login_required`` or ``IsAuthenticated``.

Django types ``request.user`` as "a user or AnonymousUser"; behind a login check it is always a ``User``. Page views
annotate their request as ``AuthenticatedHttpRequest``; API views call ``signed_in_user(request)``, which refuses
an anonymous request instead of passing it on.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required``: ``user`` is a signed-in ``User``."""

    user: User


def signed_in_user(request: HttpRequest | Request) -> User:
    """The request's user; PermissionDenied (403) for an anonymous one, which a login check should have stopped."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
