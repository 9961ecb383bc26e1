"""The organiser console's announcements of a competition: write to all its teams, one track's teams or the teams
without a ready entry (``competitions.services.announcements``), and see what was sent."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.models import Announcement, Competition, Track
from competitions.selectors import notifications as notification_selectors
from competitions.services import announcements
from frontend.forms import add_rule_error
from frontend.views.organise import competition_of, organiser_required


class AnnouncementForm(forms.Form):
    audience = forms.ChoiceField(
        label=gettext_lazy("To"), choices=Announcement.Audience.choices, initial=Announcement.Audience.ALL
    )
    track = forms.ModelChoiceField(
        label=gettext_lazy("Track"),
        queryset=Track.objects.none(),
        required=False,
        help_text=gettext_lazy("For “the teams with an entry in one track”."),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Sent as you write it: write it in both languages if your teams need both."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Show the banner for (days)"),
        min_value=1,
        max_value=announcements.MAX_BANNER_DAYS,
        initial=announcements.DEFAULT_BANNER_DAYS,
    )

    def __init__(self, *args: object, competition: Competition, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["track"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = competition.tracks.all()


@organiser_required
@require_http_methods(["GET", "POST"])
def announcements_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    form = AnnouncementForm(request.POST or None, competition=competition)
    if request.method == "POST" and form.is_valid():
        try:
            sent = announcements.announcement_send(competition=competition, actor=request.user, **form.cleaned_data)
        except RuleError as error:
            add_rule_error(form, error)
        else:
            messages.success(
                request,
                _("The announcement “%(subject)s” is sent to %(count)s team(s).")
                % {"subject": sent.subject, "count": sent.teams.count()},
            )
            return redirect("frontend:organise-announcements", slug=competition.slug)
    context = {
        "competition": competition,
        "form": form,
        "announcements": notification_selectors.announcements_of(competition),
    }
    return render(request, "organiser/announcements.html", context, status=400 if form.errors else 200)
