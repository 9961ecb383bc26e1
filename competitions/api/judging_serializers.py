"""What the judging API reads and returns.

A judge of a blind round is never sent a team's name, its members or an original file name: the serializers a judge
reaches take ``round.is_blind`` into account and leave ``team`` null. Published results are public, blind or not.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competitions.models import Competition, Criterion, Round, RoundEntry, RoundResult, Score, ScoreSheet
from competitions.selectors.judge_entry import JudgeEntry
from competitions.selectors.judging import MODEL

from .serializers import ErrorItemSerializer

# Asset statistics a judge sees; the revision's other stats (file names among them) are never sent.
JUDGE_STATS = ("triangles", "vertices", "materials", "textures", "draw_calls", "size_m")


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class StaleVersionSerializer(ErrorItemSerializer):
    """The body of a 409: someone saved the score sheet since the version the request was based on."""

    version = serializers.IntegerField(
        allow_null=True, help_text=_("The version stored now: reload the sheet, then save again with it.")
    )


# --- Rounds and criteria --------------------------------------------------------------------------------------


# Plain strings rather than enums: "status" is also a revision's field, and the schema keeps one enum per name.
ROUND_STATUS = serializers.CharField(help_text=_("draft, open, closed or published"))
SHEET_STATUS = serializers.CharField(help_text=_("draft or submitted (locked)"))


class RoundSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    status = ROUND_STATUS
    competition: "serializers.SlugRelatedField[Competition]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    is_blind = serializers.BooleanField()

    class Meta:
        model = Round
        fields = ["id", "competition", "name", "position", "status", "is_blind", "opens_at", "closes_at"]


class CriterionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    guidance = serializers.CharField(source="display_guidance")

    class Meta:
        model = Criterion
        fields = ["id", "name", "guidance", "weight", "scale_min", "scale_max", "step", "comment_required"]


class ProgressSerializer(serializers.Serializer):
    scored = serializers.IntegerField(help_text=_("Entries whose score sheet is submitted."))
    total = serializers.IntegerField(help_text=_("Entries assigned to you in the round."))


# --- A judge's assignments ------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.Serializer):
    """One entry of a judge's queue. ``team`` is null in a blind round."""

    round_entry = serializers.IntegerField(help_text=_("The id to open the entry and its score sheet with."))
    code = serializers.CharField(help_text=_("The entry's code in this round."))
    title = serializers.CharField()
    track = serializers.CharField()
    team = serializers.CharField(allow_null=True, help_text=_("Null when the round is blind."))
    sheet_status = serializers.ChoiceField(
        choices=["none", *ScoreSheet.Status.values], help_text=_("none: not opened yet.")
    )
    url = serializers.CharField()


class JudgeRoundSerializer(serializers.Serializer):
    round = RoundSummarySerializer()
    progress = ProgressSerializer()
    assignments = AssignmentSerializer(many=True)


# --- An entry as a judge sees it ------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["criterion", "value", "comment"]


class SheetSerializer(serializers.ModelSerializer):
    """A judge's score sheet. Before their first save there is none: they read an empty draft (``sheet_data``)."""

    id = serializers.IntegerField(allow_null=True)  # null until the first save creates the sheet
    status = SHEET_STATUS
    updated_at = serializers.DateTimeField(allow_null=True)
    scores = ScoreSerializer(many=True)

    class Meta:
        model = ScoreSheet
        fields = ["id", "round_entry", "status", "version", "comment", "sha256", "updated_at", "submitted_at", "scores"]


def sheet_data(sheet: ScoreSheet | None, *, round_entry: RoundEntry) -> dict[str, Any]:
    """The judge's sheet of ``round_entry`` as ``SheetSerializer`` gives it; before the first save, the empty draft
    it starts as (nothing is created by reading)."""
    if sheet is not None:
        return SheetSerializer(sheet).data
    return {
        "id": None,
        "round_entry": round_entry.pk,
        "status": ScoreSheet.Status.DRAFT.value,
        "version": 0,
        "comment": "",
        "sha256": round_entry.sha256,
        "updated_at": None,
        "submitted_at": None,
        "scores": [
            {"criterion": criterion.pk, "value": None, "comment": ""} for criterion in round_entry.round.criteria.all()
        ],
    }


class ThumbnailSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()


class JudgeEntrySerializer(serializers.Serializer):
    """An entry of a round as an assigned judge sees it (``selectors.judge_entry.JudgeEntry``): never the team in a
    blind round, and only the files the judge may fetch."""

    id = serializers.IntegerField(source="round_entry.pk")
    round = RoundSummarySerializer(source="round_entry.round")
    code = serializers.CharField(source="round_entry.blind_code")
    track = serializers.CharField(source="round_entry.track.display_name")
    title = serializers.CharField(source="round_entry.entry.title")
    description = serializers.CharField(source="round_entry.entry.description")
    team = serializers.SerializerMethodField()
    sha256 = serializers.CharField(
        source="round_entry.sha256", help_text=_("SHA-256 of the revision judged, recorded with every score.")
    )
    stats = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()
    model_url = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True)
    sheet = SheetSerializer(allow_null=True)  # null until the judge's first save
    previous = serializers.IntegerField(source="previous_id", allow_null=True)
    next = serializers.IntegerField(source="next_id", allow_null=True)

    def get_team(self, judged: JudgeEntry) -> str | None:
        round_entry = judged.round_entry
        return None if round_entry.round.is_blind else round_entry.entry.team.name

    @extend_schema_field(serializers.DictField(help_text=_("triangles, vertices, materials, textures, ...")))
    def get_stats(self, judged: JudgeEntry) -> dict[str, Any]:
        stats = judged.round_entry.revision.stats
        stats = stats if isinstance(stats, dict) else {}
        return {key: stats[key] for key in JUDGE_STATS if key in stats}

    def _artifact_url(self, judged: JudgeEntry, name: str) -> str:
        path = reverse("frontend:judge-artifact", kwargs={"round_entry_id": judged.round_entry.pk, "name": name})
        return _absolute(self, path)

    @extend_schema_field(ThumbnailSerializer(many=True))
    def get_thumbnails(self, judged: JudgeEntry) -> list[dict[str, str]]:
        return [{"name": name, "url": self._artifact_url(judged, name)} for name in judged.thumbnails]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_model_url(self, judged: JudgeEntry) -> str | None:
        return self._artifact_url(judged, MODEL) if judged.has_model else None


# --- Score sheet input ----------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DECIMAL)
class ScoreValueField(serializers.CharField):
    """A score as a number or a decimal string; the service checks it against the criterion's scale and steps."""


class ScoreInputSerializer(serializers.Serializer):
    """One criterion's score; a key left out keeps its stored value (null or "" clears the value)."""

    criterion = serializers.IntegerField()
    value = ScoreValueField(allow_null=True, allow_blank=True, required=False, max_length=32)
    comment = serializers.CharField(allow_blank=True, required=False, max_length=5000)


class SheetSaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text=_("The version the changes are based on."))
    comment = serializers.CharField(
        allow_blank=True, required=False, max_length=10000, help_text=_("The comment for the team (optional).")
    )
    scores = ScoreInputSerializer(many=True, required=False, default=list)

    def validate_scores(self, scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [score["criterion"] for score in scores]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each criterion may appear only once."))
        return scores


class SheetSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text=_("The version being submitted."))


# --- Organisers -----------------------------------------------------------------------------------------------


class RoundStatusSerializer(serializers.ModelSerializer):
    status = ROUND_STATUS

    class Meta:
        model = Round
        fields = ["id", "status", "frozen_at", "published_at"]


class JudgeTotalSerializer(serializers.Serializer):
    judge_id = serializers.IntegerField()
    judge_name = serializers.CharField()
    total = serializers.FloatField(help_text=_("The judge's weighted total, on the rubric's range."))


class LeaderboardRowSerializer(serializers.Serializer):
    round_entry = serializers.IntegerField(source="round_entry.pk")
    code = serializers.CharField()
    team = serializers.CharField(source="team_name")
    title = serializers.CharField()
    totals = JudgeTotalSerializer(many=True)
    submitted = serializers.IntegerField(help_text=_("Submitted sheets."))
    assigned = serializers.IntegerField(help_text=_("Judges assigned."))
    mean = serializers.FloatField(allow_null=True)
    normalised = serializers.FloatField(allow_null=True)
    trimmed = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text=_("By the round's ranking method."))
    rank = serializers.IntegerField(
        allow_null=True, help_text=_("Null until a sheet is submitted, or when the compliance gate leaves it unranked.")
    )
    gated = serializers.BooleanField(help_text=_("Left unranked by the round's compliance gate."))
    failed_checks = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The compliance checks the judged revision fails (a gate or scored round; else empty)."),
    )


class TrackBoardSerializer(serializers.Serializer):
    track = serializers.CharField(source="track.display_name")
    track_slug = serializers.CharField(source="track.slug")
    agreement = serializers.FloatField(allow_null=True, help_text=_("Kendall's W of the track's judges."))
    rows = LeaderboardRowSerializer(many=True)


class FlaggedJudgeSerializer(serializers.Serializer):
    judge_id = serializers.IntegerField()
    judge_name = serializers.CharField()
    correlation = serializers.FloatField(help_text=_("With the rest of the panel; low means the judge strays."))
    shared = serializers.IntegerField(help_text=_("Entries the judge shares with other judges."))
    limit = serializers.FloatField(
        help_text=_("The correlation below which the judge is flagged, for that many entries.")
    )


class LeaderboardSerializer(serializers.Serializer):
    """A round's leaderboard per track, from submitted sheets only (organisers: team names are shown)."""

    round = serializers.IntegerField(source="round.pk")
    method = serializers.CharField()
    low = serializers.FloatField(help_text=_("The rubric's lowest total."))
    high = serializers.FloatField(help_text=_("The rubric's highest total."))
    tracks = TrackBoardSerializer(many=True)
    flagged = FlaggedJudgeSerializer(many=True, help_text=_("Judges whose scores stray far from the panel."))


class AssignmentReportSerializer(serializers.Serializer):
    """What an assignment run did (``services.assignment.AssignmentReport``)."""

    created = serializers.IntegerField()
    kept = serializers.IntegerField()
    removed = serializers.IntegerField()
    unfilled = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Round entries with fewer judges than the round asks for.")
    )
    message = serializers.CharField()


# --- Public results -------------------------------------------------------------------------------------------


class PublishedResultSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="round_id")
    round_name = serializers.CharField(source="round.display_name")
    track = serializers.CharField(source="track.display_name")
    track_slug = serializers.CharField(source="track.slug")
    title = serializers.CharField(source="round_entry.entry.title")
    team = serializers.CharField(source="round_entry.entry.team.name")

    class Meta:
        model = RoundResult
        fields = ["round", "round_name", "track", "track_slug", "rank", "award", "title", "team"]
