"""A person's notifications (the same messages as their emails) and the announcement banners they dismiss.

Everything is looked up among the signed-in person's own: anyone else's is a 404, like one that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.selectors import notifications as selectors
from competitions.services import announcements, notifications

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page, "query": ""})


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    if notifications.notifications_mark_read(user=request.user):
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("frontend:notifications")


@login_required
@require_POST
def announcement_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(selectors.banners_for(user=request.user), pk=pk)
    announcements.announcement_dismiss(announcement=announcement, user=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "frontend:notifications")
