"""Sign up, email confirmation, log in and out, password reset and the profile."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from competitions.auth import AuthenticatedHttpRequest
from competitions.exceptions import RuleError
from competitions.services import accounts
from frontend.forms import LoginForm, ProfileForm, ResendConfirmationForm, SignUpForm, add_rule_error

# The session key under which the "check your inbox" page finds the address it names.
PENDING_EMAIL_SESSION_KEY = "frontend:pending_email"


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.user_sign_up(
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                organisation=data["organisation"],
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            request.session[PENDING_EMAIL_SESSION_KEY] = user.email
            return redirect("frontend:check-inbox")
    return render(request, "portal/accounts/sign_up.html", {"form": form})


def check_inbox(request: HttpRequest) -> HttpResponse:
    email = request.session.get(PENDING_EMAIL_SESSION_KEY, "")
    form = ResendConfirmationForm(initial={"email": email})
    return render(request, "portal/accounts/check_inbox.html", {"email": email, "resend_form": form})


def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation email: activates the account and logs the person in."""
    try:
        user = accounts.user_confirm_email(uidb64=uidb64, token=token)
    except RuleError as error:
        context = {"error": error.message, "resend_form": ResendConfirmationForm()}
        return render(request, "portal/accounts/confirm_failed.html", context, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(PENDING_EMAIL_SESSION_KEY, None)
    messages.success(request, _("Your email is confirmed and you are logged in. Welcome!"))
    return redirect(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    form = ResendConfirmationForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        accounts.user_resend_confirmation(email=form.cleaned_data["email"])
        request.session[PENDING_EMAIL_SESSION_KEY] = form.cleaned_data["email"]
        messages.info(
            request, _("If an account with this email is waiting for confirmation, we have sent it a new link.")
        )
        return redirect("frontend:check-inbox")
    return render(request, "portal/accounts/resend_confirmation.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "portal/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image cannot log anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/accounts/password_reset_form.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("frontend:password-reset-done")
    extra_email_context = {"site_name": settings.SITE_NAME}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("frontend:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/accounts/password_reset_complete.html"
    title = gettext_lazy("Password changed")


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        profile = request.user.profile
        initial = {"display_name": profile.display_name, "organisation": profile.organisation}
    except ObjectDoesNotExist:
        initial = {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        accounts.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("frontend:profile")
    return render(request, "portal/accounts/profile.html", {"form": form})
