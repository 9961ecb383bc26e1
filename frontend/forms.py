"""Forms of the web portal. They parse and check input; the rules of the competition are the services' business."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from competitions.exceptions import RuleError
from competitions.models import Competition, Criterion, Round, RoundEntry, Team, Track
from competitions.models.competition import MAX_HONOURABLE_MENTIONS, MAX_MIN_ENTRIES_FOR_FIRST_PRIZE, MAX_PRIZES
from competitions.services import accounts


def add_rule_error(form: forms.BaseForm, error: RuleError) -> None:
    """Show a refusal from a service next to the field it is about, or above the form when it is about no field."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, ValidationError(error.message, code=error.code))


def _offer(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer ``queryset`` as the choices of the form's model choice field ``name``."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), f"{name} is not a model choice field"
    field.queryset = queryset


# Choice fields that label their options (Django's fields take no type argument at runtime: ModelChoiceField[Track]
# would fail at import).
class TrackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Track) -> str:
        return obj.display_name


class TracksChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Track) -> str:
        return obj.display_name


class PersonChoiceField(forms.ModelChoiceField):
    """A person shown as "name <email>", or as the email alone when the name is the email or missing."""

    def label_from_instance(self, obj: User) -> str:
        try:
            name = obj.profile.display_name
        except ObjectDoesNotExist:  # No profile: an account made in the shell.
            name = ""
        return f"{name} <{obj.email}>" if name and name != obj.email else obj.email


class RoundEntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RoundEntry) -> str:
        return f"{obj.blind_code} · {obj.entry.title}"


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("You log in with this address. We send a link to it to confirm it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        help_text=_("How your team and the organisers see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("University, company or studio, if any."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("Type the same password, to be sure."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are different."))
        elif password1:
            email = cleaned.get("email", "")
            # An unsaved user, so the similarity check compares the password with the email the person typed.
            candidate = User(username=email, email=email, first_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Log in with email and password; an unconfirmed account hears that it must confirm, not 'wrong password'."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("This email and password do not match an account. Check both, or reset your password."),
        "unconfirmed": _(
            "Your email address is not confirmed yet. Open the link we sent you, or ask for a new one below."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.awaiting_confirmation = False

    def clean_username(self) -> str:
        return accounts.normalise_email(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            if error.code == "invalid_login" and email and password:
                if accounts.user_awaiting_confirmation(email=email, password=password):
                    self.awaiting_confirmation = True
                    raise ValidationError(self.error_messages["unconfirmed"], code="unconfirmed") from None
            raise


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The address you signed up with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=120, help_text=_("How your team and the organisers see you.")
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Used to keep judges away from entries of their own organisation."),
    )


class TeamCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Team name"),
        max_length=100,
        help_text=_("Unique within the competition. You become the team's captain."),
    )


class TeamJoinForm(forms.Form):
    invite_code = forms.CharField(
        label=_("Invite code"),
        max_length=32,
        help_text=_("Ask your team captain for it. It looks like K7MPQR2XWD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class TeamInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We email them a link to join. They accept it logged in with this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class EntryCreateForm(forms.Form):
    track = TrackChoiceField(label=_("Track"), queryset=Track.objects.none(), empty_label=_("Choose a track"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the judges: the idea, the place, who it is for."),
    )

    def __init__(self, *args: Any, tracks: QuerySet[Track], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "track", tracks)


class EntryEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=EntryCreateForm.base_fields["description"].help_text,
    )


class RevisionUploadForm(forms.Form):
    file = forms.FileField(label=_("Scene file"))

    def __init__(self, *args: Any, competition: Competition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extensions = competition.accepted_extensions
        field = self.fields["file"]
        field.widget.attrs.update({"accept": ",".join(extensions), "data-max-bytes": str(competition.max_upload_bytes)})
        field.help_text = _("Accepted: %(types)s. At most %(size)s MB.") % {
            "types": ", ".join(extensions),
            "size": f"{competition.max_upload_bytes / 2**20:.0f}",
        }


# Organiser console

# A datetime-local input: the browser shows a date and time picker; the view reads the value in the competition's
# time zone (``timezone.override``) and the template shows it there (``{% timezone %}``).
_LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.ModelForm):
    """A round's settings. Without an instance: the view passes the current values as ``initial`` and hands the
    changed ones to the service, so the model is never changed by the form itself."""

    class Meta:
        model = Round
        fields = [
            "name",
            "name_zh",
            "position",
            "opens_at",
            "closes_at",
            "blind",
            "judges_per_entry",
            "advancement",
            "advance_count",
            "method",
            "compliance",
            "compliance_weight",
        ]
        widgets = {"opens_at": _LOCAL_DATETIME, "closes_at": _LOCAL_DATETIME, "compliance": forms.RadioSelect}
        help_texts = {
            "opens_at": _("In the competition's time zone."),
            "closes_at": _("In the competition's time zone."),
            "judges_per_entry": _("How many judges score each entry."),
            "compliance": _(
                "Each judged revision is checked automatically against the competition's asset budgets and the glTF "
                "validator. Judges always see the checks; choose what the ranking does with them."
            ),
            "compliance_weight": _(
                "Only when the checks are scored: their weight beside the rubric's criteria (for example the "
                "rubric's weights total 10 and this is 1: compliance counts for 1/11 of the score). Above zero."
            ),
        }

    # Left out of a post (a page opened before the compliance line existed): the round keeps its value.
    KEPT_WHEN_ABSENT = ("compliance", "compliance_weight")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.KEPT_WHEN_ABSENT:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("Judging must close after it opens."))
        for name in self.KEPT_WHEN_ABSENT:
            if name in cleaned and cleaned[name] in (None, ""):
                cleaned[name] = self.initial.get(name, self.fields[name].initial)
        return cleaned

    def validate_constraints(self, exclude: object = None) -> None:
        # The round's window is checked in clean() with a readable message; the competition is not a field here.
        return


class TrackAwardsForm(forms.ModelForm):
    """A track's award settings, one form per track (prefixed by the view). Like ``RoundForm``, without an
    instance: the ranges come from the model's validators and the service sets the values."""

    class Meta:
        model = Track
        fields = ["prizes", "honourable_mentions", "min_entries_for_first_prize"]
        help_texts = dict.fromkeys(fields, "")  # the page explains each column once, above the tracks
        widgets = {
            "prizes": forms.NumberInput(attrs={"max": MAX_PRIZES}),
            "honourable_mentions": forms.NumberInput(attrs={"max": MAX_HONOURABLE_MENTIONS}),
            "min_entries_for_first_prize": forms.NumberInput(attrs={"min": 1, "max": MAX_MIN_ENTRIES_FOR_FIRST_PRIZE}),
        }


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "name",
            "name_zh",
            "guidance",
            "guidance_zh",
            "weight",
            "scale_min",
            "scale_max",
            "step",
            "comment_required",
            "position",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3}), "guidance_zh": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high, step = cleaned.get("scale_min"), cleaned.get("scale_max"), cleaned.get("step")
        if low is not None and high is not None and high <= low:
            self.add_error("scale_max", _("The highest score must be above the lowest."))
        if step is not None and step <= 0:
            self.add_error("step", _("The step must be above zero."))
        return cleaned

    def validate_constraints(self, exclude: object = None) -> None:
        # Checked in clean() with readable messages.
        return


class PersonByEmailForm(forms.Form):
    """Someone added by email address (a judge, an organiser): their account is made if there is none."""

    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Used for a new account; an existing one keeps its name."),
    )


class JudgeInviteForm(PersonByEmailForm):
    tracks = TracksChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the judge may be given entries of every track."),
    )

    def __init__(self, *args: Any, tracks: QuerySet[Track], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "tracks", tracks)


class ConflictForm(forms.Form):
    judge = PersonChoiceField(label=_("Judge"), queryset=User.objects.none(), empty_label=_("Choose a judge"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=_("Choose a team"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, judges: QuerySet[User], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "judge", judges)
        _offer(self, "team", teams)


class AssignmentAddForm(forms.Form):
    judge = PersonChoiceField(label=_("Judge"), queryset=User.objects.none(), empty_label=_("Choose a judge"))
    round_entry = RoundEntryChoiceField(
        label=_("Entry"), queryset=RoundEntry.objects.none(), empty_label=_("Choose an entry")
    )

    def __init__(self, *args: Any, judges: QuerySet[User], round_entries: QuerySet[RoundEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "judge", judges)
        _offer(self, "round_entry", round_entries)


class SheetReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Recorded in the audit log; the judge can then change and submit the scores again."),
    )
