from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .competition import Competition


class CompetitionOrganiser(models.Model):
    """A person who runs one competition from the organiser console: its setup, entries, judging and results.
    Site staff run every competition without a row here; an organiser sees only the competitions listed for them
    (every page and API object of another competition is a 404)."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="organisers", verbose_name=_("competition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organised", verbose_name=_("user")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["competition", "created_at"]
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="organiser_once_per_competition"),
        ]

    def __str__(self) -> str:
        return f"{self.user} organises {self.competition}"
