from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from competitions.models import (
    Assignment,
    AuditEvent,
    Competition,
    Conflict,
    Criterion,
    Entry,
    EntryRevision,
    Membership,
    Panelist,
    Pin,
    Profile,
    Round,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
    Team,
    Track,
)
from competitions.services.results import AWARD_FIELDS

# Sentences of Django's own admin templates that its Simplified Chinese catalogue (Django 5.2) does not translate,
# so the admin showed them in English to a Chinese organiser. Named here so that our catalogue, which Django reads
# first (LOCALE_PATHS), gives them in Chinese.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = AWARD_FIELDS  # changed on the console's Awards page, audited (track_awards_update)


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "submission_opens_at", "submission_deadline", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name", "name_zh", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TrackInline]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "summary", "summary_zh", "rules", "rules_zh", "is_published"]}),
        (
            _("Timeline"),
            {
                "fields": [
                    "time_zone",
                    "registration_opens_at",
                    "registration_closes_at",
                    "submission_opens_at",
                    "submission_deadline",
                    "judging_starts_at",
                    "judging_ends_at",
                    "results_at",
                ]
            },
        ),
        (_("Teams"), {"fields": ["team_size_min", "team_size_max", "entries_per_team_per_track"]}),
        (_("Asset rules"), {"fields": ["max_upload_bytes", "max_triangles", "max_texture_size", "allowed_formats"]}),
    ]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "competition", "position", *AWARD_FIELDS]
    list_filter = ["competition"]
    search_fields = ["name", "name_zh"]
    readonly_fields = AWARD_FIELDS  # changed on the console's Awards page, audited (track_awards_update)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "organisation", "email_confirmed_at"]
    search_fields = ["display_name", "organisation", "user__email"]
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["competition", "joined_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "competition", "invite_code", "created_at"]
    list_filter = ["competition"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role", "competition"]
    raw_id_fields = ["user", "team"]


class RevisionInline(admin.TabularInline):
    model = EntryRevision
    extra = 0
    fields = readonly_fields = ("number", "original_name", "size", "status", "created_at")
    show_change_link = True


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "track", "current_revision", "updated_at"]
    list_filter = ["track__competition", "track"]
    search_fields = ["title", "team__name"]
    raw_id_fields = ["team", "current_revision", "created_by"]
    inlines = [RevisionInline]


@admin.register(EntryRevision)
class EntryRevisionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "original_name", "size", "status", "attempts", "created_at"]
    list_filter = ["status"]
    search_fields = ["entry__title", "sha256", "original_name"]
    readonly_fields = ["sha256", "size", "created_at", "status_changed_at", "processed_at"]
    raw_id_fields = ["entry", "uploaded_by"]


# --- Judging -----------------------------------------------------------------------------------------------------
# Organisers work in the console (services keep the rules and the audit log); the admin is for looking and repairs.


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only, for superusers too: these records change through the services (the console, the judging
    pages, the API), which take the locks, check the versions and write the audit log. An edit here would do
    none of that, so the admin offers none."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "name", "name_zh", "weight", "scale_min", "scale_max", "step", "comment_required"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "competition", "position", "status", "blind", "judges_per_entry", "opens_at", "closes_at"]
    list_filter = ["status", "competition"]
    search_fields = ["name", "name_zh"]
    readonly_fields = ["status", "frozen_at", "published_at", "created_at"]
    inlines = [CriterionInline]


@admin.register(Panelist)
class PanelistAdmin(admin.ModelAdmin):
    list_display = ["user", "round", "invited_at", "withdrawn_at"]
    list_filter = ["round__competition", "round"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user", "invited_by"]
    filter_horizontal = ["tracks"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["judge", "team", "competition", "source", "created_at"]
    list_filter = ["source", "competition"]
    search_fields = ["judge__email", "team__name", "reason"]
    raw_id_fields = ["judge", "team"]


@admin.register(RoundEntry)
class RoundEntryAdmin(ReadOnlyAdmin):
    list_display = ["blind_code", "entry", "round", "track", "advanced"]
    list_filter = ["round__competition", "round", "advanced"]
    search_fields = ["blind_code", "entry__title", "entry__team__name", "sha256"]
    raw_id_fields = ["entry", "revision"]
    readonly_fields = ["sha256"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["judge", "round_entry", "round", "source", "created_at"]
    list_filter = ["round__competition", "round", "source"]
    search_fields = ["judge__email", "round_entry__blind_code"]
    raw_id_fields = ["judge", "round_entry"]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent and never changed here: the site's services change them, audited."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = readonly_fields = ("criterion", "value", "comment")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Score]:
        # Score's default ordering goes through ScoreSheet's and RoundEntry's, which Django cannot compile here.
        return super().get_queryset(request).order_by("criterion__position", "criterion_id")


class PinInline(ReadOnlyInline):
    """The sheet's pinned comments, read-only like its scores: the judge changes them through the site, audited."""

    model = Pin
    fields = readonly_fields = ("x", "y", "z", "normal_x", "normal_y", "normal_z", "text", "created_at", "updated_at")


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin):
    list_display = ["judge", "round_entry", "round", "status", "version", "updated_at", "submitted_at"]
    list_filter = ["round__competition", "round", "status"]
    search_fields = ["judge__email", "round_entry__blind_code", "sha256"]
    raw_id_fields = ["judge", "round_entry"]
    readonly_fields = ["sha256", "version", "created_at", "updated_at", "submitted_at"]
    inlines = [ScoreInline, PinInline]


@admin.register(RoundResult)
class RoundResultAdmin(ReadOnlyAdmin):
    list_display = ["round_entry", "round", "track", "rank", "score", "award"]
    list_filter = ["round__competition", "round", "award"]
    raw_id_fields = ["round_entry"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, for organisers as for everyone."""

    list_display = ["at", "action", "actor", "target_type", "target_id", "competition"]
    list_filter = ["action", "target_type", "competition"]
    search_fields = ["action", "actor__email"]
    date_hierarchy = "at"
