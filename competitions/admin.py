from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition, Entry, EntryRevision, Membership, Profile, Team, Track


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


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
    list_display = ["name", "name_zh", "competition", "position"]
    list_filter = ["competition"]
    search_fields = ["name", "name_zh"]


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
    fields = ["number", "original_name", "size", "status", "created_at"]
    readonly_fields = fields
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
