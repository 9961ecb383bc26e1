"""The judge's pinned comments on an entry: list and add at /api/judging/entries/<id>/pins/, edit and delete at
…/pins/<pin_id>/.

Who reaches them is decided as for the score sheet (``selectors.judging.round_entry_for_judge``): an entry the judge
is not assigned to, or is conflicted with, is a 404 like a missing one, and a judge only ever reads and changes their
own pins (another judge's pin id is a 404 too). The rules (an open round, a sheet not submitted, valid numbers, the
cap) are the service's, ``services.judging.pins``; its refusals are 400s with a ``code``.
"""

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.auth import signed_in_user
from competitions.models import Pin, RoundEntry
from competitions.selectors import judging as judging_selectors
from competitions.selectors import pins as pin_selectors
from competitions.services.judging import pins as pin_services

from .views import RULE_ERROR

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOT_FOUND = OpenApiResponse(description="Not assigned to you, conflicted, no such entry, or not your pin.")


def _vector(help_text: "StrOrPromise", *, required: bool = True) -> "serializers.ListField":
    return serializers.ListField(
        child=serializers.FloatField(), min_length=3, max_length=3, help_text=help_text, required=required
    )


class PinSerializer(serializers.Serializer):
    """A pinned comment: a point of the scene and the surface normal there, in the model's own coordinates (the
    glTF scene's, which the blind copy keeps), and the comment."""

    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_("The pin's number on the entry: 1 for your oldest."))
    position = _vector(_("x, y, z of the point, in the model's coordinates."))
    normal = _vector(_("The unit normal of the surface at the point."))
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PinCreateSerializer(serializers.Serializer):
    position = _vector(_("x, y, z of the point, in the model's coordinates."))
    normal = _vector(_("The normal of the surface at the point; stored normalised."))
    text = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False)


class PinUpdateSerializer(serializers.Serializer):
    position = _vector(_("Where to move the pin; give the normal with it."), required=False)
    normal = _vector(_("The normal of the surface at the new point."), required=False)
    text = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False, required=False)


def _pin_data(shown: pin_selectors.ShownPin) -> dict[str, object]:
    pin = shown.pin
    return {
        "id": pin.pk,
        "number": shown.number,
        "position": list(pin.position),
        "normal": list(pin.normal),
        "text": pin.text,
        "created_at": pin.created_at,
        "updated_at": pin.updated_at,
    }


def _round_entry_for(request: Request, round_entry_id: int) -> RoundEntry:
    try:
        return judging_selectors.round_entry_for_judge(user=signed_in_user(request), round_entry_id=round_entry_id)
    except RoundEntry.DoesNotExist:
        raise Http404 from None


def _shown(request: Request, round_entry: RoundEntry, pin_id: int) -> dict[str, object]:
    for shown in pin_selectors.judge_pins(judge_id=signed_in_user(request).pk, round_entry=round_entry):
        if shown.pin.pk == pin_id:
            return PinSerializer(_pin_data(shown)).data
    raise Http404


class JudgePinsView(APIView):
    """The judge's pins on an entry: list them, add one."""

    @extend_schema(
        operation_id="judging_pins",
        summary="Your pinned comments on the entry",
        description="Oldest first, numbered from 1. Another judge's pins are never listed.",
        responses={200: PinSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, round_entry_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        pins = pin_selectors.judge_pins(judge_id=signed_in_user(request).pk, round_entry=round_entry)
        return Response(PinSerializer([_pin_data(shown) for shown in pins], many=True).data)

    @extend_schema(
        operation_id="judging_pin_add",
        summary="Pin a comment to a point of the scene",
        description=(
            "While your sheet is a draft in an open round; the first pin creates the draft sheet (as a first save "
            "does) and no pin changes the sheet's `version`. At most 50 pins per sheet (`pin_limit`); the comment "
            "is 1 to 1000 characters."
        ),
        request=PinCreateSerializer,
        responses={201: PinSerializer, 400: RULE_ERROR, 404: NOT_FOUND},
    )
    def post(self, request: Request, round_entry_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        form = PinCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        pin = pin_services.pin_add(
            round_entry=round_entry,
            judge=signed_in_user(request),
            position=data["position"],
            normal=data["normal"],
            text=data["text"],
        )
        return Response(_shown(request, round_entry, pin.pk), status=status.HTTP_201_CREATED)


class JudgePinView(APIView):
    """One of the judge's pins: edit it, delete it."""

    @extend_schema(
        operation_id="judging_pin_update",
        summary="Change a pin's comment, or move it",
        description="Send `text`, or `position` with `normal`, or all three; what you leave out stays.",
        request=PinUpdateSerializer,
        responses={200: PinSerializer, 400: RULE_ERROR, 404: NOT_FOUND},
    )
    def patch(self, request: Request, round_entry_id: int, pin_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        form = PinUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            pin_services.pin_update(
                round_entry=round_entry,
                judge=signed_in_user(request),
                pin_id=pin_id,
                text=data.get("text"),
                position=data.get("position"),
                normal=data.get("normal"),
            )
        except Pin.DoesNotExist:
            raise Http404 from None
        return Response(_shown(request, round_entry, pin_id))

    @extend_schema(
        operation_id="judging_pin_delete",
        summary="Delete a pin",
        request=None,
        responses={204: None, 400: RULE_ERROR, 404: NOT_FOUND},
    )
    def delete(self, request: Request, round_entry_id: int, pin_id: int) -> Response:
        round_entry = _round_entry_for(request, round_entry_id)
        try:
            pin_services.pin_delete(round_entry=round_entry, judge=signed_in_user(request), pin_id=pin_id)
        except Pin.DoesNotExist:
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)
