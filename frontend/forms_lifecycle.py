"""Forms of an entry's life in the organiser console: the reason for a disqualification or a reinstatement, a team's
own deadline, and the filters of the entries list. The rules are the services' (``services.entry_lifecycle``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Track
from competitions.selectors.entry_console import status_choices
from competitions.services.entry_lifecycle import REASON_MAX_LENGTH
from frontend.forms import TrackChoiceField

# A datetime-local input: the view reads the value in the competition's time zone (``timezone.override``).
LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReasonForm(forms.Form):
    """Why an organiser disqualifies (or reinstates) an entry; a disqualification's reason is shown to the team."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The team reads it as you write it."),
    )


class TeamDeadlineForm(forms.Form):
    """A team's own deadline, in the competition's time zone, and why it was given."""

    deadline = forms.DateTimeField(
        label=_("New deadline"), widget=LOCAL_DATETIME, help_text=_("In the competition's time zone.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log."),
    )


class EntryFilterForm(forms.Form):
    """The entries list's filters: a track and where the entry stands."""

    track = TrackChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False, empty_label=_("All"))
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, competition: Competition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        track = self.fields["track"]
        assert isinstance(track, forms.ModelChoiceField)
        track.queryset = competition.tracks.order_by("position", "name")
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("All")), *status_choices()]
