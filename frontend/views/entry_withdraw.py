"""A team withdraws its own entry (after a confirmation page) and restores it, both before its deadline and by a
member only: the entry is looked up among the person's teams' entries, anyone else gets a 404. The rules are
``services.entry_lifecycle``'s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions import selectors
from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Entry
from competitions.services import entry_lifecycle


def _entry_of(request: AuthenticatedHttpRequest, pk: int) -> Entry:
    return get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: what withdrawing means, and a button to confirm; POST: withdraw."""
    entry = _entry_of(request, pk)
    if request.method == "GET":
        return render(request, "portal/entry_withdraw.html", {"entry": entry, "team": entry.team})
    try:
        entry_lifecycle.entry_withdraw(entry=entry, user=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(entry)s” is withdrawn: it will not be judged.") % {"entry": entry.title})
    return redirect("frontend:entry-detail", pk=entry.pk)


@login_required
@require_POST
def entry_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry_of(request, pk)
    try:
        entry_lifecycle.entry_restore(entry=entry, user=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(entry)s” is submitted again.") % {"entry": entry.title})
    return redirect("frontend:entry-detail", pk=entry.pk)
