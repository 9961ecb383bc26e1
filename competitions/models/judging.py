"""Judging: rounds with their rubric (criteria), judge panels, conflicts of interest, the entries frozen into a
round, assignments, score sheets and the results published at the end.

A round's life: draft (the organiser edits its rubric and panel) -> open (entries frozen, rubric locked, judges
score) -> closed (no more scoring; results computed) -> published (ranks and awards public; a snapshot in
``RoundResult``). Every write goes through ``competitions.services.judging`` and ``competitions.services.results``.

Scores, the revisions judged and the judges who scored are RESTRICTed: they go only with their whole competition.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .competition import Competition, Track, _in_chinese
from .entries import Entry, EntryRevision
from .teams import Team

# Letters and digits that cannot be mistaken for one another: blind codes are read aloud in jury meetings.
BLIND_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_blind_code() -> str:
    return "".join(secrets.choice(BLIND_ALPHABET) for _ in range(6))


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for judging")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Results published")

    class Blind(models.TextChoices):
        NEVER = "never", _("Never: judges see team names")
        ALWAYS = "always", _("Always: judges see an entry code only")

    class Advancement(models.TextChoices):
        TOP_N = "top_n", _("The top N of each track")
        MANUAL = "manual", _("A shortlist chosen by the organisers")

    class Method(models.TextChoices):
        MEAN = "mean", _("Mean of the judges' totals")
        NORMALISED = "normalised", _("Mean after per-judge normalisation (z-scores)")
        TRIMMED = "trimmed", _("Trimmed mean (highest and lowest total dropped)")
        CALIBRATED = "calibrated", _("Calibrated (each judge's leniency and spread estimated with the entries)")

    class Compliance(models.TextChoices):
        INFORMATION = "info", _("Information: judges see the checks beside the rubric")
        GATE = "gate", _("Gate: an entry that fails a check is not ranked")
        SCORED = "scored", _("Scored: the share of checks passed counts as a criterion")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("competition")
    )
    # Either language may be the only one given (competitions.services.judging.rounds checks one is).
    name = models.CharField(_("name"), max_length=120, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    opens_at = models.DateTimeField(_("judging opens"))
    closes_at = models.DateTimeField(_("judging closes"))
    blind = models.CharField(_("blind review"), max_length=8, choices=Blind.choices, default=Blind.ALWAYS)
    judges_per_entry = models.PositiveSmallIntegerField(
        _("judges per entry"), default=3, validators=[MinValueValidator(1)]
    )
    advancement = models.CharField(
        _("advancement"), max_length=8, choices=Advancement.choices, default=Advancement.TOP_N
    )
    advance_count = models.PositiveSmallIntegerField(
        _("entries advancing per track"), default=10, help_text=_("For “the top N of each track”.")
    )
    method = models.CharField(_("ranking method"), max_length=12, choices=Method.choices, default=Method.CALIBRATED)
    # The automatic rubric line: the judged revision's asset budgets and validator verdict, pass or fail.
    compliance = models.CharField(
        _("compliance checks"), max_length=8, choices=Compliance.choices, default=Compliance.INFORMATION
    )
    compliance_weight = models.DecimalField(
        _("weight of the compliance line"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
        help_text=_("When the checks are scored: their weight beside the rubric's criteria."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # When the round opened: the entries and the exact revisions judged were frozen then.
    frozen_at = models.DateTimeField(_("entries frozen"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["competition", "position"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["competition", "position"], name="round_unique_position"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="round_window"),
        ]

    def __str__(self) -> str:
        return f"{self.competition}: {self.name or self.name_zh}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language, or in the other one when only that was given."""
        return (self.name_zh if _in_chinese() else "") or self.name or self.name_zh

    @property
    def is_blind(self) -> bool:
        return self.blind == self.Blind.ALWAYS

    @property
    def rubric_locked(self) -> bool:
        return self.status != self.Status.DRAFT


class Criterion(models.Model):
    """One line of a round's rubric: scored on ``scale_min``..``scale_max`` in steps of ``step``, weighted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("round"))
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    guidance = models.TextField(_("guidance for judges"), blank=True)
    guidance_zh = models.TextField(_("guidance in Chinese"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    scale_min = models.DecimalField(_("lowest score"), max_digits=6, decimal_places=2, default=Decimal("0"))
    scale_max = models.DecimalField(_("highest score"), max_digits=6, decimal_places=2, default=Decimal("10"))
    step = models.DecimalField(_("step"), max_digits=6, decimal_places=2, default=Decimal("0.5"))
    comment_required = models.BooleanField(_("comment required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["round", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale"),
            models.CheckConstraint(condition=Q(step__gt=0), name="criterion_step_positive"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return (self.name_zh if _in_chinese() else "") or self.name

    @property
    def display_guidance(self) -> str:
        return (self.guidance_zh if _in_chinese() else "") or self.guidance


class Panelist(models.Model):
    """A judge on a round's panel: for every track, or for the tracks listed. Invited by email; withdrawing keeps
    the row (and the scores already submitted) but takes the judge out of assignment."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="panelists", verbose_name=_("round"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_seats", verbose_name=_("judge")
    )
    tracks = models.ManyToManyField(
        Track, blank=True, related_name="+", verbose_name=_("tracks"), help_text=_("None: every track.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["round", "invited_at"]
        verbose_name = _("panel judge")
        verbose_name_plural = _("panel judges")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="panelist_once_per_round")]

    def __str__(self) -> str:
        return f"{self.user} on {self.round}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Conflict(models.Model):
    """A judge who must never see or score a team's entries in a competition."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the judge")
        ORGANISER = "organiser", _("Recorded by an organiser")
        ORGANISATION = "organisation", _("Same organisation as a team member")
        EMAIL_DOMAIN = "email_domain", _("Same email domain as a team member")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("competition")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("judge")
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("team"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["competition", "judge", "team"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["judge", "team"], name="conflict_once_per_team")]

    def __str__(self) -> str:
        return f"{self.judge} / {self.team}"


class RoundEntry(models.Model):
    """An entry taking part in a round, with the exact revision judged (frozen when the round opened)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_entries", verbose_name=_("round"))
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="round_entries", verbose_name=_("entry"))
    # Copied from the entry so that per-track queries need no join and the panel's tracks filter directly.
    track = models.ForeignKey(Track, on_delete=models.RESTRICT, related_name="+", verbose_name=_("track"))
    revision = models.ForeignKey(
        EntryRevision, on_delete=models.RESTRICT, related_name="+", verbose_name=_("revision judged")
    )
    sha256 = models.CharField(_("SHA-256 of the revision judged"), max_length=64)
    # What a judge of a blind round sees instead of the team and the title's author.
    blind_code = models.CharField(_("entry code"), max_length=8, default=new_blind_code)
    # Chosen for the next round (by rank, or by the organisers on a manual shortlist).
    advanced = models.BooleanField(_("advanced"), default=False)

    class Meta:
        ordering = ["round", "track", "blind_code"]
        verbose_name = _("entry in a round")
        verbose_name_plural = _("entries in a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="round_entry_once"),
            models.UniqueConstraint(fields=["round", "blind_code"], name="round_entry_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.blind_code} ({self.entry})"


class Assignment(models.Model):
    """A judge asked to score an entry in a round."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        MANUAL = "manual", _("Added by an organiser")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("round"))
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("judge")
    )
    round_entry = models.ForeignKey(
        RoundEntry, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("entry")
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.AUTOMATIC)
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        ordering = ["round", "judge", "round_entry"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "judge", "round_entry"], name="assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} -> {self.round_entry}"


class ScoreSheet(models.Model):
    """One judge's scores for one entry in one round: a draft until submitted, then locked until an organiser
    reopens it. ``version`` grows with every save; a save that names an older version is refused (409)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("round"))
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="score_sheets", verbose_name=_("judge")
    )
    round_entry = models.ForeignKey(
        RoundEntry, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("entry")
    )
    # The revision scored, as recorded with the scores: what was judged can always be proven.
    sha256 = models.CharField(_("SHA-256 of the revision scored"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("comment for the team"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["round", "judge", "round_entry"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["round", "judge", "round_entry"], name="sheet_once_per_judge_and_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} / {self.round_entry}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Score(models.Model):
    """The value a judge gave one criterion (empty while a draft), with an optional comment."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("sheet"))
    criterion = models.ForeignKey(
        Criterion, on_delete=models.RESTRICT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["sheet_id", "criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="score_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Pin(models.Model):
    """A comment a judge pinned to a point of the scene, stored with their score sheet: the point and the surface's
    normal there, in the model's own coordinates (the glTF scene's, so any viewer of the same file finds it)."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="pins", verbose_name=_("sheet"))
    x = models.FloatField("x")
    y = models.FloatField("y")
    z = models.FloatField("z")
    normal_x = models.FloatField(_("normal x"), default=0.0)
    normal_y = models.FloatField(_("normal y"), default=1.0)
    normal_z = models.FloatField(_("normal z"), default=0.0)
    text = models.TextField(_("comment"), max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        ordering = ["sheet_id", "created_at", "pk"]
        verbose_name = _("pinned comment")
        verbose_name_plural = _("pinned comments")

    def __str__(self) -> str:
        return f"{self.sheet}: {self.text[:40]}"

    @property
    def position(self) -> tuple[float, float, float]:
        return (self.x, self.y, self.z)

    @property
    def normal(self) -> tuple[float, float, float]:
        return (self.normal_x, self.normal_y, self.normal_z)


class RoundResult(models.Model):
    """An entry's place in a published round, as it was published (later changes never alter it)."""

    class Award(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        HONOURABLE = "honourable", _("Honourable mention")
        NONE = "", _("No award")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results", verbose_name=_("round"))
    round_entry = models.OneToOneField(
        RoundEntry, on_delete=models.CASCADE, related_name="result", verbose_name=_("entry")
    )
    track = models.ForeignKey(Track, on_delete=models.RESTRICT, related_name="+", verbose_name=_("track"))
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=3)
    award = models.CharField(_("award"), max_length=12, choices=Award.choices, blank=True)

    class Meta:
        ordering = ["round", "track", "rank"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.rank}. {self.round_entry}"
