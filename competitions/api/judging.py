"""The judging API: a judge's assignments and score sheets, the organisers' round actions, public results.

Every entry a judge reaches is fetched through ``selectors.judging.round_entry_for_judge`` first, so an entry the
judge is not assigned to (or is conflicted with) is a 404 exactly like a missing one. Organiser endpoints answer 404
to everyone who is not an organiser, so they do not reveal that a round exists. A service's ``RuleError`` becomes a
400 and a ``StaleVersion`` a 409 (with the version stored now) in ``competitions.api.exceptions``. Reading a sheet
never writes: a judge who has not saved yet reads an empty draft at version 0, and the first save creates it.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions import selectors
from competitions.auth import signed_in_user
from competitions.models import Round, RoundEntry
from competitions.selectors import judge_entry as entry_selectors
from competitions.selectors import judging as judging_selectors
from competitions.selectors import leaderboard as leaderboard_selectors
from competitions.selectors.judging import QueueItem
from competitions.services import assignment, judging, results
from competitions.services.csv_export import csv_lines

from . import judging_serializers as js
from .views import RULE_ERROR

STALE = OpenApiResponse(js.StaleVersionSerializer, description="The sheet was saved since: reload it.")
NOT_FOUND = OpenApiResponse(description="Not assigned to you, conflicted, or no such entry.")


# --- Judges ---------------------------------------------------------------------------------------------------


def _round_entry_for(request: Request, round_entry_id: int) -> RoundEntry:
    try:
        return judging_selectors.round_entry_for_judge(user=signed_in_user(request), round_entry_id=round_entry_id)
    except RoundEntry.DoesNotExist:
        raise Http404 from None


def _sheet_response(request: Request, round_entry: RoundEntry) -> Response:
    sheet = entry_selectors.judge_sheet(judge=signed_in_user(request), round_entry=round_entry)
    return Response(js.sheet_data(sheet, round_entry=round_entry))


def _queue_row(request: Request, item: QueueItem) -> dict[str, Any]:
    path = reverse("api:judging-entry", kwargs={"round_entry_id": item.round_entry_id})
    return {
        "round_entry": item.round_entry_id,
        "code": item.code,
        "title": item.title,
        "track": item.track.display_name,
        "team": item.team_name,  # None in a blind round
        "sheet_status": item.sheet_status or "none",
        "url": request.build_absolute_uri(path),
    }


class JudgeAssignmentsView(APIView):
    """The caller's assignments, per round they judge, with their progress."""

    @extend_schema(
        operation_id="judging_assignments",
        summary="Your assignments, with sheet status and progress",
        description=(
            "One block per round you judge (open, closed or published), or only the round given. In a blind round "
            "an entry is named by its code and `team` is null."
        ),
        parameters=[OpenApiParameter("round", int, description="Only this round.")],
        responses={200: js.JudgeRoundSerializer(many=True), 404: OpenApiResponse(description="Not your round.")},
    )
    def get(self, request: Request) -> Response:
        judge = signed_in_user(request)
        rounds: QuerySet[Round] = judging_selectors.rounds_judged_by(judge)
        if "round" in request.query_params:
            try:
                round_id = int(request.query_params["round"])
            except ValueError:
                raise Http404 from None
            rounds = rounds.filter(pk=round_id)
            if not rounds:
                raise Http404
        body = []
        for judged in rounds:
            queue = judging_selectors.judge_queue(user=judge, round=judged)
            scored, total = judging_selectors.judge_progress(user=judge, round=judged)
            body.append(
                {
                    "round": judged,
                    "progress": {"scored": scored, "total": total},
                    "assignments": [_queue_row(request, item) for item in queue],
                }
            )
        return Response(js.JudgeRoundSerializer(body, many=True).data)


class JudgeEntryView(APIView):
    """An assigned entry as the judge sees it, with the rubric and their score sheet."""

    @extend_schema(
        operation_id="judging_entry",
        summary="An entry assigned to you: stats, thumbnails, rubric and your sheet",
        responses={200: js.JudgeEntrySerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, round_entry_id: int) -> Response:
        try:
            judged = entry_selectors.judge_entry(user=signed_in_user(request), round_entry_id=round_entry_id)
        except RoundEntry.DoesNotExist:
            raise Http404 from None
        return Response(js.JudgeEntrySerializer(judged, context={"request": request}).data)


class JudgeSheetView(APIView):
    """The judge's score sheet of an entry: read it, save a draft."""

    @extend_schema(
        operation_id="judging_sheet",
        summary="Your score sheet for the entry",
        description=(
            "Reading writes nothing. Before your first save there is no sheet yet: you read an empty draft, `id` "
            "null and `version` 0, with every score null; the first save creates it."
        ),
        responses={200: js.SheetSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, round_entry_id: int) -> Response:
        return _sheet_response(request, _round_entry_for(request, round_entry_id))

    @extend_schema(
        operation_id="judging_sheet_save",
        summary="Save the draft",
        description=(
            "Send the `version` you read (0 before the first save, which creates the sheet). Criteria not listed "
            "keep their values. A 409 means the sheet was saved since (another tab?): its body carries the current "
            "version."
        ),
        request=js.SheetSaveSerializer,
        responses={200: js.SheetSerializer, 400: RULE_ERROR, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request: Request, round_entry_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        form = js.SheetSaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        values = {score.pop("criterion"): score for score in data["scores"]}
        judging.sheet_save(
            round_entry=round_entry,
            judge=signed_in_user(request),
            version=data["version"],
            values=values,
            comment=data.get("comment"),
        )
        return _sheet_response(request, round_entry)


class JudgeSheetSubmitView(APIView):
    @extend_schema(
        operation_id="judging_sheet_submit",
        summary="Submit the sheet: every criterion scored; it is locked afterwards",
        request=js.SheetSubmitSerializer,
        responses={200: js.SheetSerializer, 400: RULE_ERROR, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request: Request, round_entry_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        form = js.SheetSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        judging.sheet_submit(
            round_entry=round_entry, judge=signed_in_user(request), version=form.validated_data["version"]
        )
        return _sheet_response(request, round_entry)


# --- Organisers -----------------------------------------------------------------------------------------------


class OrganiserRoundView(APIView):
    """A round, for the organisers of its competition only: anyone else gets a 404."""

    def get_round(self, request: Request, pk: int) -> Round:
        user = signed_in_user(request)
        rounds = Round.objects.filter(competition__in=judging_selectors.competitions_organised_by(user))
        return get_object_or_404(rounds.select_related("competition"), pk=pk)


class LeaderboardView(OrganiserRoundView):
    @extend_schema(
        operation_id="rounds_leaderboard",
        summary="The round's leaderboard per track (organisers)",
        description="From submitted sheets only, with every judge's total, the agreement per track and flagged judges.",
        responses={200: js.LeaderboardSerializer, 404: OpenApiResponse(description="Not an organiser, or no round.")},
    )
    def get(self, request: Request, pk: int) -> Response:
        leaderboard = leaderboard_selectors.round_leaderboard(self.get_round(request, pk))
        return Response(js.LeaderboardSerializer(leaderboard).data)


class PublishView(OrganiserRoundView):
    @extend_schema(
        operation_id="rounds_publish",
        summary="Publish the round's results (organisers)",
        request=None,
        responses={200: js.RoundStatusSerializer, 400: RULE_ERROR, 404: OpenApiResponse(description="Not found.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        published = results.round_publish(round=self.get_round(request, pk), actor=signed_in_user(request))
        return Response(js.RoundStatusSerializer(published).data)


class AssignView(OrganiserRoundView):
    @extend_schema(
        operation_id="rounds_assign",
        summary="Assign judges to every entry of the round (organisers)",
        description="Keeps valid assignments and fills every entry up to the round's judges per entry.",
        request=None,
        responses={200: js.AssignmentReportSerializer, 400: RULE_ERROR, 404: OpenApiResponse(description="Not found.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = assignment.round_assign(round=self.get_round(request, pk), actor=signed_in_user(request))
        return Response(js.AssignmentReportSerializer(report).data)


class ScoresCsvView(OrganiserRoundView):
    @extend_schema(
        operation_id="rounds_scores_csv",
        summary="Every score per criterion, judge and entry, as CSV (organisers)",
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: OpenApiResponse(description="Not found.")},
    )
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        judged = self.get_round(request, pk)
        rows = leaderboard_selectors.scores_csv(judged)
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{leaderboard_selectors.scores_csv_filename(judged)}"'
        return response


# --- Public ---------------------------------------------------------------------------------------------------


class PublishedResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="competitions_results",
        summary="The published results of a competition",
        description="Ranks and awards of every published round, per track. Empty until a round is published.",
        responses={200: js.PublishedResultSerializer(many=True)},
        auth=[],
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = get_object_or_404(selectors.competitions_visible(), slug=slug)
        rows = judging_selectors.published_results(competition=competition)
        return Response(js.PublishedResultSerializer(rows, many=True).data)
