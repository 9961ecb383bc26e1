"""The organisers' entry actions in the API: disqualify and reinstate an entry, with a reason. An entry of a
competition the person does not organise is a 404 like a missing one; the rules (and the audit) are
``competitions.services.entry_lifecycle``'s, and a refusal is a 400 with its code."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.auth import signed_in_user
from competitions.models import Entry
from competitions.selectors.judging import competitions_organised_by
from competitions.services import entry_lifecycle

from .views import RULE_ERROR

NOT_FOUND = OpenApiResponse(description="Not an organiser of the entry's competition, or no such entry.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=entry_lifecycle.REASON_MAX_LENGTH)


class EntryStandingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = ["id", "title", "disqualified_at", "disqualified_reason"]


class _OrganiserEntryView(APIView):
    def get_entry(self, request: Request, pk: int) -> Entry:
        entries = Entry.objects.filter(track__competition__in=competitions_organised_by(signed_in_user(request)))
        return get_object_or_404(entries.select_related("team__competition"), pk=pk)

    def reason(self, request: Request) -> str:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return str(data.validated_data["reason"])


class EntryDisqualifyView(_OrganiserEntryView):
    @extend_schema(
        operation_id="entries_disqualify",
        summary="Disqualify an entry, with the reason the team will read (organisers)",
        request=ReasonSerializer,
        responses={200: EntryStandingSerializer, 400: RULE_ERROR, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = self.get_entry(request, pk)
        reason = self.reason(request)
        entry = entry_lifecycle.entry_disqualify(entry=entry, actor=signed_in_user(request), reason=reason)
        return Response(EntryStandingSerializer(entry).data)


class EntryReinstateView(_OrganiserEntryView):
    @extend_schema(
        operation_id="entries_reinstate",
        summary="Reinstate a disqualified entry, with a reason for the audit log (organisers)",
        request=ReasonSerializer,
        responses={200: EntryStandingSerializer, 400: RULE_ERROR, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = self.get_entry(request, pk)
        reason = self.reason(request)
        entry = entry_lifecycle.entry_reinstate(entry=entry, actor=signed_in_user(request), reason=reason)
        return Response(EntryStandingSerializer(entry).data)
