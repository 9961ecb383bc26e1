"""The language switcher: Django's ``set_language``, which also remembers the choice of a signed-in person, so that
the emails and notifications they get are written in it."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from competitions.services import notifications


def set_language(request: HttpRequest) -> HttpResponseBase:
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language and check_for_language(language):
        notifications.profile_language_set(user=request.user, language=language)
    return response
