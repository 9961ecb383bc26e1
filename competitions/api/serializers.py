"""What the API reads and returns. Input serializers only parse; the services decide what the rules allow."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competitions.models import (
    Competition,
    Entry,
    EntryRevision,
    Membership,
    Team,
    TeamInvitation,
    Track,
    UploadSession,
)
from competitions.selectors import competitions_visible, teams_of
from competitions.selectors.reports import ReportLine, revision_report

from .exceptions import error_codes


def _absolute(serializer: serializers.Serializer, view_name: str, pk: Any) -> str:
    """An absolute link when there is a request to build it from, a path otherwise."""
    path = reverse(view_name, kwargs={"pk": pk})
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- Errors and auth ------------------------------------------------------------------------------------------


class ErrorItemSerializer(serializers.Serializer):
    """One problem with a request: what every API error says (``competitions.api.exceptions``)."""

    code = serializers.ChoiceField(
        choices=error_codes(),
        help_text=_("Stable, machine-readable reason, e.g. track_limit or after_deadline."),
    )
    detail = serializers.CharField(help_text=_("The reason in plain words, in the request's language."))
    field = serializers.CharField(allow_null=True, help_text=_("The input field at fault, if any."))


class ErrorSerializer(ErrorItemSerializer):
    """The body of every API error: a rule's refusal, invalid input, a missing token, a missing object, a method,
    media type or rate the endpoint does not take."""

    # DRF's metaclass takes declared fields out of the class, so this field does not hide Serializer.errors at run
    # time; the stubs cannot know that.
    errors = ErrorItemSerializer(  # type: ignore[assignment]
        many=True,
        required=False,
        help_text=_(
            "Invalid input only: every problem found, the first one repeated in code, detail and field. A nested "
            "field is named by its path, e.g. scores.0.value."
        ),
    )


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_('Send it as the header "Authorization: Token <token>".'))


# --- Competitions ---------------------------------------------------------------------------------------------


class TrackSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    description = serializers.CharField(source="display_description")

    class Meta:
        model = Track
        fields = ["slug", "name", "description", "position"]


class TimelineSerializer(serializers.Serializer):
    """The competition's dates as ISO 8601 with the offset of the competition's own time zone."""

    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    submission_opens_at = serializers.DateTimeField()
    submission_deadline = serializers.DateTimeField()
    judging_starts_at = serializers.DateTimeField()
    judging_ends_at = serializers.DateTimeField()
    results_at = serializers.DateTimeField()

    def to_representation(self, instance: Competition) -> dict[str, Any]:
        with timezone.override(instance.zone):
            return super().to_representation(instance)


class AssetRulesSerializer(serializers.Serializer):
    allowed_formats = serializers.ListField(child=serializers.CharField())
    accepted_extensions = serializers.ListField(
        child=serializers.CharField(), help_text=_("File name endings an upload may have, e.g. .glb.")
    )
    max_upload_bytes = serializers.IntegerField()
    max_triangles = serializers.IntegerField()
    max_texture_size = serializers.IntegerField(help_text=_("Pixels per side."))


class CompetitionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    summary = serializers.CharField(source="display_summary")
    registration_is_open = serializers.SerializerMethodField()
    submission_is_open = serializers.SerializerMethodField()
    timeline = TimelineSerializer(source="*")
    asset_rules = AssetRulesSerializer(source="*")
    tracks = TrackSerializer(many=True)

    class Meta:
        model = Competition
        fields = [
            "slug",
            "name",
            "summary",
            "time_zone",
            "registration_is_open",
            "submission_is_open",
            "timeline",
            "team_size_min",
            "team_size_max",
            "entries_per_team_per_track",
            "asset_rules",
            "tracks",
        ]

    def get_registration_is_open(self, competition: Competition) -> bool:
        return competition.registration_is_open()

    def get_submission_is_open(self, competition: Competition) -> bool:
        return competition.submission_is_open()


class CompetitionDetailSerializer(CompetitionSerializer):
    class Meta(CompetitionSerializer.Meta):
        fields = [*CompetitionSerializer.Meta.fields, "rules", "rules_zh"]


# --- Teams ----------------------------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["user_id", "display_name", "role", "joined_at"]

    def get_display_name(self, membership: Membership) -> str:
        profile = getattr(membership.user, "profile", None)
        return profile.display_name if profile is not None else membership.user.get_username()


class TeamEntrySerializer(serializers.ModelSerializer):
    track: "serializers.SlugRelatedField[Track]" = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["id", "track", "title", "url"]

    def get_url(self, entry: Entry) -> str:
        return _absolute(self, "api:entry-detail", entry.pk)


class TeamSerializer(serializers.ModelSerializer):
    """A team as its members see it, invite code included (only members are ever shown a team)."""

    competition: "serializers.SlugRelatedField[Competition]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    member_count = serializers.SerializerMethodField()
    is_captain = serializers.SerializerMethodField()
    members = MemberSerializer(source="memberships", many=True)
    entries = TeamEntrySerializer(many=True)

    class Meta:
        model = Team
        fields = ["id", "competition", "name", "invite_code", "member_count", "is_captain", "members", "entries"]

    def get_member_count(self, team: Team) -> int:
        return len(team.memberships.all())

    def get_is_captain(self, team: Team) -> bool:
        user = self.context["request"].user
        return any(m.user_id == user.pk and m.is_captain for m in team.memberships.all())


class TeamCreateSerializer(serializers.Serializer):
    competition = serializers.SlugField(help_text=_("The competition's slug."))
    name = serializers.CharField(max_length=100)

    def validate_competition(self, slug: str) -> Competition:
        competition = competitions_visible().filter(slug=slug).first()
        if competition is None:
            raise serializers.ValidationError(_("There is no competition with this slug."))
        return competition


class TeamJoinSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=32)


class TeamLeaveSerializer(serializers.Serializer):
    dissolved = serializers.BooleanField(help_text=_("True when you were the last member and the team is gone."))


class InviteCodeSerializer(serializers.Serializer):
    invite_code = serializers.CharField()


class TeamInvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class TeamInvitationSerializer(serializers.ModelSerializer):
    """An invitation as the team sees it: without its token, which only the invited address receives."""

    class Meta:
        model = TeamInvitation
        fields = ["id", "email", "status", "created_at", "expires_at"]
        read_only_fields = fields


# --- Entries and revisions ------------------------------------------------------------------------------------


class ReportMessageSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    code = serializers.CharField()
    message = serializers.CharField()
    pointer = serializers.CharField(help_text=_("JSON pointer into the glTF document, if the message is about a part."))
    original = serializers.CharField(
        help_text=_(
            "The glTF validator's own English sentence when the message explains it in the reader's language "
            "(Accept-Language); otherwise empty."
        )
    )


class RevisionSerializer(serializers.ModelSerializer):
    """A revision and what processing found; poll ``status_url`` until ``is_final`` is true."""

    entry: "serializers.PrimaryKeyRelatedField[Entry]" = serializers.PrimaryKeyRelatedField(read_only=True)
    is_final = serializers.BooleanField()
    messages = serializers.SerializerMethodField()
    stats = serializers.JSONField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = EntryRevision
        fields = [
            "id",
            "entry",
            "number",
            "status",
            "is_final",
            "original_name",
            "size",
            "sha256",
            "created_at",
            "status_changed_at",
            "processed_at",
            "messages",
            "stats",
            "status_url",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportMessageSerializer(many=True))
    def get_messages(self, revision: EntryRevision) -> list[ReportLine]:
        return revision_report(revision)

    def get_status_url(self, revision: EntryRevision) -> str:
        return _absolute(self, "api:revision-detail", revision.pk)


class RevisionUploadSerializer(serializers.Serializer):
    # Empty files reach the service, which refuses them with its own code like every other rule.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class CurrentRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntryRevision
        fields = ["id", "number", "sha256", "size"]


class EntrySerializer(serializers.ModelSerializer):
    team: "serializers.PrimaryKeyRelatedField[Team]" = serializers.PrimaryKeyRelatedField(read_only=True)
    competition = serializers.SerializerMethodField()
    track: "serializers.SlugRelatedField[Track]" = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    current_revision = CurrentRevisionSerializer(
        allow_null=True, help_text=_("The newest revision that passed processing; judges see this one.")
    )
    revisions_url = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = [
            "id",
            "team",
            "competition",
            "track",
            "title",
            "description",
            "current_revision",
            "created_at",
            "updated_at",
            "revisions_url",
        ]

    def get_competition(self, entry: Entry) -> str:
        return entry.team.competition.slug

    def get_revisions_url(self, entry: Entry) -> str:
        return _absolute(self, "api:entry-revisions", entry.pk)


class EntryCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text=_("The id of one of your teams."))
    track = serializers.SlugField(help_text=_("The slug of a track of the team's competition."))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")

    def validate_team(self, team_id: int) -> Team:
        team = teams_of(self.context["request"].user).filter(pk=team_id).first()
        if team is None:
            raise serializers.ValidationError(_("You are not in a team with this id."))
        return team

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        track = attrs["team"].competition.tracks.filter(slug=attrs["track"]).first()
        if track is None:
            raise serializers.ValidationError({"track": _("The team's competition has no track with this slug.")})
        return {**attrs, "track": track}


class EntryUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)


# --- Resumable uploads (tus 1.0, see competitions.api.tus) ----------------------------------------------------


class UploadSerializer(serializers.ModelSerializer):
    """A resumable upload: PATCH chunks to ``url`` until ``offset`` equals ``size``; the last one creates
    ``revision``."""

    entry: "serializers.PrimaryKeyRelatedField[Entry]" = serializers.PrimaryKeyRelatedField(read_only=True)
    offset = serializers.IntegerField(source="received", help_text=_("Bytes the server has: send the next from here."))
    complete = serializers.SerializerMethodField()
    revision = RevisionSerializer(allow_null=True, read_only=True, help_text=_("The revision the upload became."))
    url = serializers.SerializerMethodField()

    class Meta:
        model = UploadSession
        fields = ["id", "entry", "original_name", "size", "offset", "complete", "revision", "created_at", "url"]
        read_only_fields = fields

    def get_complete(self, session: UploadSession) -> bool:
        return session.revision_id is not None

    def get_url(self, session: UploadSession) -> str:
        return _absolute(self, "api:upload-detail", session.pk)


class UploadConflictSerializer(ErrorItemSerializer):
    """The body of a 409: the chunk did not start at the server's offset."""

    offset = serializers.IntegerField(help_text=_("Bytes the server has: send the next chunk from here."))
