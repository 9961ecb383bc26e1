from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from competitions.exceptions import ErrorCode, RuleError
from competitions.models import Profile


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token, but also void once the account is active: a link confirms only once."""

    key_salt = "competitions.services.accounts.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_confirmation_token = EmailConfirmationTokenGenerator()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def checked_email(email: str) -> str:
    """``email`` normalised, or a RuleError at the "email" field when it is not a valid address."""
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise RuleError(_("Enter a valid email address."), code=ErrorCode.BAD_EMAIL, field="email") from None
    return email


def invited_account(*, email: str, name: str = "") -> tuple[User, bool]:
    """The account with this (normalised) email, or a new active one with an unusable password, which the person
    sets through the link of their invitation (``password_setup_link``). Returns (user, created)."""
    user = User.objects.filter(username=email).first()
    if user is not None:
        return user, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=email, email=email, password=None)
            Profile.objects.create(user=user, display_name=name.strip() or email.split("@")[0])
    except IntegrityError:
        # Invited twice at the same moment: the other invitation created the account.
        return User.objects.get(username=email), False
    return user, True


def password_setup_link(user: User) -> str:
    """A one-time link for ``user`` to choose a password (the password-reset page)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("frontend:password-reset-confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def user_sign_up(*, email: str, password: str, display_name: str, organisation: str = "") -> User:
    """Create an inactive account and its profile; the confirmation email is sent after commit.

    The email is the login name. Passwords are expected to have passed Django's validators already.
    """
    email = normalise_email(email)
    if User.objects.filter(username=email).exists():
        raise RuleError(
            _("An account with this email already exists. Log in or reset your password."),
            code=ErrorCode.EMAIL_TAKEN,
            field="email",
        )
    user = User.objects.create_user(username=email, email=email, password=password, is_active=False)
    language = translation.get_language()
    # Emails and notifications are written in the language the person signed up in (until they switch).
    Profile.objects.create(
        user=user,
        display_name=display_name.strip(),
        organisation=organisation.strip(),
        language="zh-hans" if (language or "").lower().startswith("zh") else "en",
    )
    transaction.on_commit(lambda: user_send_confirmation(user=user, language=language))
    return user


def user_send_confirmation(*, user: User, language: str | None = None) -> None:
    """Email the one-time link that activates the account, in the language the person signed up in."""
    with translation.override(language or settings.LANGUAGE_CODE):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = email_confirmation_token.make_token(user)
        link = settings.SITE_URL + reverse("frontend:confirm-email", kwargs={"uidb64": uid, "token": token})
        context = {"user": user, "link": link, "site_name": settings.SITE_NAME}
        send_mail(
            subject=_("Confirm your email for %(site)s") % {"site": settings.SITE_NAME},
            message=render_to_string("emails/confirm_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


@transaction.atomic
def user_confirm_email(*, uidb64: str, token: str) -> User:
    """Activate the account the link was made for. A used, expired or altered link raises RuleError."""
    try:
        user = User.objects.select_for_update().get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not email_confirmation_token.check_token(user, token):
        raise RuleError(_("This confirmation link is invalid or has already been used."), code=ErrorCode.BAD_LINK)
    user.is_active = True
    user.save(update_fields=["is_active"])
    Profile.objects.filter(user=user).update(email_confirmed_at=timezone.now())
    return user


def user_resend_confirmation(*, email: str) -> None:
    """Send a new link to an account that is not yet confirmed. Silent otherwise, so emails can't be probed."""
    user = User.objects.filter(username=normalise_email(email), is_active=False).first()
    if user is not None:
        user_send_confirmation(user=user, language=translation.get_language())


@transaction.atomic
def profile_update(*, user: User, display_name: str, organisation: str) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"display_name": display_name})
    profile.display_name = display_name.strip()
    profile.organisation = organisation.strip()
    profile.save(update_fields=["display_name", "organisation"])
    return profile


def user_api_token(*, email: str, password: str, request: HttpRequest | None = None) -> str:
    """Return the API token of the account with this email and password, creating it on first use.

    Refuses a wrong email or password with one message for both, and a correct password on an account whose email
    is not confirmed yet with its own message: that state is told only to someone who knows the password.

    Given the ``request``, the attempt counts toward the login lockout like one on the login page, and a locked-out
    account or address is refused whatever the password (the lockout middleware then answers 429).
    """
    email = normalise_email(email)
    user = authenticate(request, username=email, password=password)
    if user is None:
        if user_awaiting_confirmation(email=email, password=password):
            raise RuleError(
                _("Confirm your email address first: open the link we sent you when you signed up."),
                code=ErrorCode.EMAIL_UNCONFIRMED,
            )
        raise RuleError(_("The email or password is not correct."), code=ErrorCode.BAD_CREDENTIALS)
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


def user_awaiting_confirmation(*, email: str, password: str) -> bool:
    """True when ``email`` and ``password`` belong to an account whose email is not confirmed yet.

    Answers only to the right password, so it tells nobody guessing emails whether an account exists. The login
    page uses it to say "confirm your email" instead of "wrong password".
    """
    user = User.objects.filter(username=normalise_email(email), is_active=False).first()
    return user is not None and user.check_password(password)
