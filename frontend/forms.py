"""Forms of the web portal. They parse and check input; the rules of the competition are the services' business."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from competitions.exceptions import RuleError
from competitions.models import Competition, Track
from competitions.services import accounts

User = get_user_model()


def add_rule_error(form: forms.BaseForm, error: RuleError) -> None:
    """Show a refusal from a service next to the field it is about, or above the form when it is about no field."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, ValidationError(error.message, code=error.code))


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

    def clean(self) -> dict:
        cleaned = super().clean()
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

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.awaiting_confirmation = False

    def clean_username(self) -> str:
        return accounts.normalise_email(self.cleaned_data["username"])

    def clean(self) -> dict:
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


class EntryCreateForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), empty_label=_("Choose a track"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences for the judges: the idea, the place, who it is for."),
    )

    def __init__(self, *args, tracks: QuerySet[Track], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks
        self.fields["track"].label_from_instance = lambda track: track.display_name


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

    def __init__(self, *args, competition: Competition, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        extensions = competition.accepted_extensions
        field = self.fields["file"]
        field.widget.attrs.update({"accept": ",".join(extensions), "data-max-bytes": str(competition.max_upload_bytes)})
        field.help_text = _("Accepted: %(types)s. At most %(size)s MB.") % {
            "types": ", ".join(extensions),
            "size": f"{competition.max_upload_bytes / 2**20:.0f}",
        }
