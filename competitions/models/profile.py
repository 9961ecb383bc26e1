from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """What we know of a person beyond their login. The organisation is used for conflicts of interest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    display_name = models.CharField(_("display name"), max_length=120)
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("University, company or studio, if any.")
    )
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # The language emails and notifications are written in: the one the person signed up in, then the last one they
    # chose in the site's switcher. Blank while unknown (accounts made for invited judges): both languages then.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name
