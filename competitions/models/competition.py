import re
import zoneinfo
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MB = 1024 * 1024
# The ranges of a track's award settings (first, second and third prize at most).
MAX_PRIZES, MAX_HONOURABLE_MENTIONS, MAX_MIN_ENTRIES_FOR_FIRST_PRIZE = 3, 20, 1000


# A glTF extension name: a vendor prefix in capitals, an underscore, then the name (KHR_materials_unlit, EXT_meshopt).
EXTENSION_NAME = re.compile(r"^[A-Z0-9]+_[A-Za-z0-9_]+$")


def validate_extension_names(value: object) -> None:
    """A list of glTF extension names, each like KHR_materials_unlit."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError(_("Give a list of extension names."), code="invalid")
    wrong = [name for name in value if not EXTENSION_NAME.match(name)]
    if wrong:
        raise ValidationError(
            _("Not a glTF extension name: %(names)s. Names look like KHR_materials_unlit."),
            code="invalid",
            params={"names": ", ".join(wrong)},
        )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone, e.g. Asia/Shanghai."), params={"value": value})


class AssetFormat(models.TextChoices):
    GLB = "glb", _("glTF binary (.glb, or a .zip holding one .glb)")
    GLTF_ZIP = (
        "gltf",
        _("glTF (.gltf with everything embedded, or a .zip holding one .gltf with its buffers and textures)"),
    )
    OBJ = "obj", _("OBJ with .mtl and textures (.zip), converted to GLB")
    STL = "stl", _("STL (.stl), converted to GLB")
    PLY = "ply", _("PLY (.ply), converted to GLB")


# File extensions accepted for each format, in the order shown to entrants.
FORMAT_EXTENSIONS = {
    AssetFormat.GLB: (".glb", ".zip"),
    AssetFormat.GLTF_ZIP: (".gltf", ".zip"),
    AssetFormat.OBJ: (".zip",),
    AssetFormat.STL: (".stl",),
    AssetFormat.PLY: (".ply",),
}


class ValidationPolicy(models.TextChoices):
    STRICT = "strict", _("Strict: every glTF validator error rejects the file")
    LENIENT = "lenient", _("Lenient: only errors that make a file unloadable or unsafe reject it")


def _in_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def default_allowed_formats() -> list[str]:
    return [AssetFormat.GLB.value, AssetFormat.GLTF_ZIP.value]


class Competition(models.Model):
    """A competition with its timeline, team rules and asset rules. All datetimes are stored in UTC."""

    # Either name is enough (competitions.services.names.name_required); display_name picks the reader's.
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    summary_zh = models.CharField(_("summary in Chinese"), max_length=500, blank=True)
    rules = models.TextField(_("rules"), blank=True)
    rules_zh = models.TextField(_("rules in Chinese"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.DEFAULT_COMPETITION_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Times on the competition's pages are shown in this zone."),
    )
    is_published = models.BooleanField(_("published"), default=True)

    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    submission_opens_at = models.DateTimeField(_("submission opens"))
    submission_deadline = models.DateTimeField(_("submission deadline"))
    judging_starts_at = models.DateTimeField(_("judging starts"))
    judging_ends_at = models.DateTimeField(_("judging ends"))
    results_at = models.DateTimeField(_("results announced"))

    team_size_min = models.PositiveSmallIntegerField(
        _("minimum team size"), default=1, validators=[MinValueValidator(1)]
    )
    team_size_max = models.PositiveSmallIntegerField(
        _("maximum team size"), default=5, validators=[MinValueValidator(1)]
    )
    entries_per_team_per_track = models.PositiveSmallIntegerField(
        _("entries per team per track"), default=1, validators=[MinValueValidator(1)]
    )

    max_upload_bytes = models.PositiveBigIntegerField(
        _("maximum upload size (bytes)"), default=500 * MB, validators=[MinValueValidator(1)]
    )
    max_triangles = models.PositiveIntegerField(_("maximum triangles"), default=2_000_000)
    max_texture_size = models.PositiveIntegerField(
        _("maximum texture size (pixels per side)"), default=4096, validators=[MinValueValidator(1)]
    )
    max_materials = models.PositiveIntegerField(_("maximum materials"), default=256)
    max_draw_calls = models.PositiveIntegerField(_("maximum draw calls"), default=1024)
    allowed_formats = models.JSONField(_("allowed formats"), default=default_allowed_formats)
    allowed_extensions = models.JSONField(
        _("allowed glTF extensions"),
        default=list,
        blank=True,
        validators=[validate_extension_names],
        help_text=_("Extension names such as KHR_materials_unlit. Empty: any extension the validator knows."),
    )
    validation_policy = models.CharField(
        _("validation policy"), max_length=16, choices=ValidationPolicy.choices, default=ValidationPolicy.STRICT
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-submission_deadline"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(team_size_max__gte=F("team_size_min")), name="competition_team_size_range"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="competition_registration_window",
            ),
            models.CheckConstraint(
                condition=Q(submission_deadline__gt=F("submission_opens_at")), name="competition_submission_window"
            ),
            models.CheckConstraint(
                condition=Q(judging_ends_at__gt=F("judging_starts_at")), name="competition_judging_window"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.name_zh

    def timeline_errors(self) -> "dict[str, StrOrPromise]":
        """What is wrong with the order of the dates, by the field at fault (the later one of each pair): each
        window closes after it opens, judging starts after the submission deadline and results come once judging
        ends (registration may stay open after submission opens, even after the deadline). Unset dates are skipped."""
        errors: dict[str, StrOrPromise] = {}
        # (earlier, later, may they be equal, the field at fault, the message)
        rules = [
            ("registration_opens_at", "registration_closes_at", False, "registration_closes_at",
             _("Registration must close after it opens.")),
            ("submission_opens_at", "submission_deadline", False, "submission_deadline",
             _("The deadline must come after submission opens.")),
            ("submission_deadline", "judging_starts_at", False, "judging_starts_at",
             _("Judging must start after the submission deadline.")),
            ("judging_starts_at", "judging_ends_at", False, "judging_ends_at", _("Judging must end after it starts.")),
            ("judging_ends_at", "results_at", True, "results_at",
             _("Results are announced once judging ends, not before.")),
        ]  # fmt: skip
        for earlier, later, equal_ok, field, message in rules:
            first, then = getattr(self, earlier), getattr(self, later)
            if first and then and (then < first or (then == first and not equal_ok)):
                errors.setdefault(field, message)
        return errors

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.team_size_min and self.team_size_max and self.team_size_max < self.team_size_min:
            errors["team_size_max"] = _("The maximum team size must be at least the minimum.")
        errors.update(self.timeline_errors())
        unknown = set(self.allowed_formats or []) - set(AssetFormat.values)
        if unknown or not self.allowed_formats:
            errors["allowed_formats"] = _("Choose one or more of: %(formats)s.") % {
                "formats": ", ".join(AssetFormat.values)
            }
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        """The name in the reader's language, or in the other one when only that was given."""
        return (self.name_zh if _in_chinese() else "") or self.name or self.name_zh

    @property
    def display_summary(self) -> str:
        return (self.summary_zh if _in_chinese() else "") or self.summary or self.summary_zh

    @property
    def display_rules(self) -> str:
        return (self.rules_zh if _in_chinese() else "") or self.rules or self.rules_zh

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at

    def submission_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.submission_opens_at <= now < self.submission_deadline

    @property
    def accepted_extensions(self) -> list[str]:
        extensions: list[str] = []
        for name in self.allowed_formats:
            if name in AssetFormat.values:
                extensions += [e for e in FORMAT_EXTENSIONS[AssetFormat(name)] if e not in extensions]
        return extensions


class Track(models.Model):
    """A theme within a competition (games, culture, industrial metaverse, ...). Entries are made per track."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("competition")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)  # or name_zh: either is enough
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Awards, decided at publication by competitions.selectors.scoring.awards_by_rank; changed through
    # competitions.services.results.track_awards_update.
    prizes = models.PositiveSmallIntegerField(
        _("prizes"),
        default=MAX_PRIZES,
        validators=[MaxValueValidator(MAX_PRIZES)],
        help_text=_(
            "How many ranked prizes the track gives, 0 to 3: 1 is a first prize only, 3 first, second and third."
        ),
    )
    honourable_mentions = models.PositiveSmallIntegerField(
        _("honourable mentions"),
        default=0,
        validators=[MaxValueValidator(MAX_HONOURABLE_MENTIONS)],
        help_text=_("How many entries ranked after the prizes receive an honourable mention, 0 to 20."),
    )
    min_entries_for_first_prize = models.PositiveSmallIntegerField(
        _("entries needed for a first prize"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MIN_ENTRIES_FOR_FIRST_PRIZE)],
        help_text=_(
            "1 to 1000. With fewer ranked entries, first prize is withheld and the awards start at second prize."
        ),
    )

    class Meta:
        ordering = ["competition", "position", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["competition", "slug"], name="track_unique_slug"),
            models.CheckConstraint(
                condition=Q(prizes__lte=MAX_PRIZES)
                & Q(honourable_mentions__lte=MAX_HONOURABLE_MENTIONS)
                & Q(min_entries_for_first_prize__gte=1)
                & Q(min_entries_for_first_prize__lte=MAX_MIN_ENTRIES_FOR_FIRST_PRIZE),
                name="track_awards_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.name_zh

    @property
    def display_name(self) -> str:
        return (self.name_zh if _in_chinese() else "") or self.name or self.name_zh

    @property
    def display_description(self) -> str:
        return (self.description_zh if _in_chinese() else "") or self.description or self.description_zh
