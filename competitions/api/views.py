"""The entrant API. Each view parses with a serializer, calls one service or selector, and responds.

Querysets come from ``competitions.selectors``, filtered to what the caller may see, so another team's objects
are 404 exactly like missing ones. A service's ``RuleError`` becomes a 400 in ``competitions.api.exceptions``.
"""

import io
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from competitions import selectors
from competitions.auth import signed_in_user
from competitions.exceptions import StorageFull
from competitions.models import Competition, Entry, EntryRevision, Team, UploadSession
from competitions.services import accounts, entries, invitations, teams, uploads

from . import serializers as s
from . import tus

RULE_ERROR = OpenApiResponse(s.ErrorSerializer, description="Invalid input, or refused by the competition's rules.")
TUS_RESUMABLE = OpenApiParameter(
    "Tus-Resumable", str, OpenApiParameter.HEADER, description="1.0.0 (optional; another version is a 412)."
)
TUS_VERSION = OpenApiResponse(s.ErrorSerializer, description="A Tus-Resumable version other than 1.0.0.")


class TokenObtainThrottle(SimpleRateThrottle):
    """Guesses at passwords are slowed down per client address."""

    scope = "api-token"
    rate = "10/minute"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainView(APIView):
    """Exchange an email and password for the API token of a confirmed account."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        operation_id="auth_token_obtain",
        request=s.TokenObtainSerializer,
        responses={200: s.TokenSerializer, 400: RULE_ERROR},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = s.TokenObtainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # Django's own request: the login lockout marks it, and its middleware answers for a locked-out client.
        token = accounts.user_api_token(email=data["email"], password=data["password"], request=request._request)
        return Response(s.TokenSerializer({"token": token}).data)


@extend_schema_view(
    list=extend_schema(summary="Published competitions", auth=[]),
    retrieve=extend_schema(summary="One competition, with its rules", auth=[]),
)
class CompetitionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Competition]:
        return selectors.competitions_visible()

    def get_serializer_class(self) -> type[BaseSerializer]:
        return s.CompetitionDetailSerializer if self.action == "retrieve" else s.CompetitionSerializer


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's teams. Someone else's team is a 404."""

    serializer_class = s.TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Team.objects.none()
        # Counting members groups the rows, which drops the model's default ordering; pages need one.
        return selectors.teams_of(signed_in_user(self.request)).order_by("-competition__submission_deadline", "name")

    def _team_response(self, team: Team, code: int = status.HTTP_200_OK) -> Response:
        team = self.get_queryset().get(pk=team.pk)
        return Response(self.get_serializer(team).data, status=code)

    @extend_schema(
        summary="Create a team, with you as its captain",
        request=s.TeamCreateSerializer,
        responses={201: s.TeamSerializer, 400: RULE_ERROR},
    )
    def create(self, request: Request) -> Response:
        form = s.TeamCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        team = teams.team_create(user=signed_in_user(request), **form.validated_data)
        return self._team_response(team, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="teams_join",
        summary="Join a team by its invite code",
        request=s.TeamJoinSerializer,
        responses={200: s.TeamSerializer, 400: RULE_ERROR},
    )
    @action(detail=False, methods=["post"])
    def join(self, request: Request) -> Response:
        form = s.TeamJoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        team = teams.team_join(user=signed_in_user(request), invite_code=form.validated_data["invite_code"])
        return self._team_response(team)

    @extend_schema(
        operation_id="teams_leave",
        summary="Leave the team",
        request=None,
        responses={200: s.TeamLeaveSerializer, 400: RULE_ERROR},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str) -> Response:
        dissolved = teams.team_leave(team=self.get_object(), user=signed_in_user(request))
        return Response(s.TeamLeaveSerializer({"dissolved": dissolved}).data)

    @extend_schema(
        operation_id="teams_rotate_invite_code",
        summary="Replace the invite code (captain only); the old one stops working",
        request=None,
        responses={200: s.InviteCodeSerializer, 400: RULE_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="rotate-invite-code")
    def rotate_invite_code(self, request: Request, pk: str) -> Response:
        code = teams.team_rotate_invite_code(team=self.get_object(), by=signed_in_user(request))
        return Response(s.InviteCodeSerializer({"invite_code": code}).data)

    @extend_schema(
        operation_id="teams_invite",
        summary="Invite someone by email (any member); they join through the link the email carries",
        request=s.TeamInvitationCreateSerializer,
        responses={201: s.TeamInvitationSerializer, 400: RULE_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="invitations")
    def invite(self, request: Request, pk: str) -> Response:
        form = s.TeamInvitationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(
            team=self.get_object(), email=form.validated_data["email"], user=signed_in_user(request)
        )
        return Response(s.TeamInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Entries of the caller's teams. Someone else's entry is a 404."""

    serializer_class = s.EntrySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Entry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Entry.objects.none()
        return selectors.entries_visible_to(signed_in_user(self.request))

    def _entry_response(self, entry: Entry, code: int = status.HTTP_200_OK) -> Response:
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(entry).data, status=code)

    @extend_schema(
        summary="Create an entry of your team in a track",
        request=s.EntryCreateSerializer,
        responses={201: s.EntrySerializer, 400: RULE_ERROR},
    )
    def create(self, request: Request) -> Response:
        form = s.EntryCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        entry = entries.entry_create(user=signed_in_user(request), **form.validated_data)
        return self._entry_response(entry, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the title or description before the deadline",
        request=s.EntryUpdateSerializer,
        responses={200: s.EntrySerializer, 400: RULE_ERROR},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        form = s.EntryUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = form.validated_data
        entry = entries.entry_update(
            entry=entry,
            user=signed_in_user(request),
            title=changes.get("title", entry.title),
            description=changes.get("description", entry.description),
        )
        return self._entry_response(entry)

    @extend_schema(
        methods=["GET"],
        operation_id="entries_revisions_list",
        summary="The entry's revisions, newest first",
        description="Every file uploaded to the entry, with its processing status.",
        responses=s.RevisionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="entries_revisions_upload",
        summary="Upload a file as the entry's next revision",
        description=(
            "Send the file as multipart/form-data in the field `file`. The revision starts as `received` and is "
            "processed in the background: poll its `status_url` until `is_final` is true."
        ),
        request={"multipart/form-data": s.RevisionUploadSerializer},
        responses={201: s.RevisionSerializer, 400: RULE_ERROR},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        serializer_class=s.RevisionSerializer,
    )
    def revisions(self, request: Request, pk: str) -> Response:
        # The entry is fetched through the caller's entries first: nothing is stored for someone else's entry.
        entry = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.revisions_of(entry))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        form = s.RevisionUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        revision = entries.revision_receive(entry=entry, user=signed_in_user(request), upload=upload)
        return Response(self.get_serializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="entries_uploads_start",
        summary="Open a resumable upload (tus 1.0 creation)",
        description=(
            "For large files and unreliable connections. Send no body; give the size in `Upload-Length` and the file "
            "name in `Upload-Metadata` as `filename <base64 of the UTF-8 name>`. Every rule is checked now, before "
            "any byte is sent. Then PATCH the bytes to the upload's `url` (the `Location` header)."
        ),
        parameters=[
            OpenApiParameter("Upload-Length", int, OpenApiParameter.HEADER, required=True, description="Bytes."),
            OpenApiParameter(
                "Upload-Metadata", str, OpenApiParameter.HEADER, required=True, description="filename <base64>"
            ),
            TUS_RESUMABLE,
        ],
        request=None,
        responses={201: s.UploadSerializer, 400: RULE_ERROR, 412: TUS_VERSION},
    )
    @action(detail=True, methods=["post"], serializer_class=s.UploadSerializer)
    def uploads(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        try:
            tus.check_version(request.headers)
            size = tus.upload_length(request.headers)
            name = tus.file_name(request.headers)
        except tus.ProtocolError as error:
            return _protocol_error(error)
        session = uploads.upload_start(entry=entry, user=signed_in_user(request), original_name=name, size=size)
        body = self.get_serializer(session).data
        headers = {"Location": body["url"], **tus.session_headers(session)}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


@extend_schema_view(retrieve=extend_schema(summary="A revision's processing status, report and statistics"))
class RevisionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Revisions of the caller's entries, for polling. Someone else's revision is a 404."""

    serializer_class = s.RevisionSerializer

    def get_queryset(self) -> QuerySet[EntryRevision]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return EntryRevision.objects.none()
        return selectors.revisions_visible_to(signed_in_user(self.request))


def _protocol_error(error: tus.ProtocolError) -> Response:
    return Response(error.body(), status=error.status, headers=tus.session_headers())


@method_decorator(never_cache, name="dispatch")
class UploadView(APIView):
    """One of the caller's resumable uploads (tus 1.0). Someone else's upload is a 404.

    HEAD answers the offset (``Upload-Offset``), PATCH appends a chunk at that offset, DELETE cancels; GET
    describes the upload and, once complete, the revision it became. Answers are never cached: an offset is only
    true when it is asked. The portal's upload page (static/js/upload.js) uses it with the session login.
    """

    def get_object(self, pk: UUID) -> UploadSession:
        return get_object_or_404(selectors.upload_sessions_of(signed_in_user(self.request)), pk=pk)

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in tus.session_headers().items():
            response.setdefault(header, value)
        return response

    @extend_schema(
        operation_id="uploads_offset",
        summary="How many bytes the server has (Upload-Offset header)",
        parameters=[TUS_RESUMABLE],
        responses={200: None},
    )
    def head(self, request: Request, pk: UUID) -> Response:
        return Response(status=status.HTTP_200_OK, headers=tus.session_headers(self.get_object(pk)))

    @extend_schema(operation_id="uploads_retrieve", summary="A resumable upload", responses=s.UploadSerializer)
    def get(self, request: Request, pk: UUID) -> Response:
        session = self.get_object(pk)
        body = s.UploadSerializer(session, context={"request": request}).data
        return Response(body, headers=tus.session_headers(session))

    @extend_schema(
        operation_id="uploads_append",
        summary="Append a chunk at the server's offset",
        description=(
            "The body is the bytes from `Upload-Offset` on, with `Content-Type: application/offset+octet-stream` "
            "and a `Content-Length`. 204 with the new `Upload-Offset`; the chunk that brings the last byte creates "
            "the revision (GET the upload to see it). A wrong offset is a 409 carrying the server's offset; bytes "
            "past the announced size are a 413."
        ),
        parameters=[
            OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True, description="Bytes."),
            TUS_RESUMABLE,
        ],
        request={tus.CHUNK_CONTENT_TYPE: OpenApiTypes.BINARY},
        responses={
            204: None,
            400: RULE_ERROR,
            409: OpenApiResponse(s.UploadConflictSerializer, description="Continue from the server's offset."),
            411: OpenApiResponse(s.ErrorSerializer, description="No Content-Length header."),
            412: TUS_VERSION,
            413: OpenApiResponse(s.ErrorSerializer, description="Bytes past the size announced at the start."),
            415: OpenApiResponse(s.ErrorSerializer, description=f"A Content-Type other than {tus.CHUNK_CONTENT_TYPE}."),
        },
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        session = self.get_object(pk)
        try:
            offset, length = tus.chunk_offset_and_length(request.headers)
        except tus.ProtocolError as error:
            return _protocol_error(error)
        try:
            session = uploads.upload_append(
                session=session, offset=offset, stream=request.stream or io.BytesIO(), length=length
            )
        except uploads.UploadOffsetConflict as error:
            body = {"code": error.code, "detail": error.message, "field": error.field, "offset": error.offset}
            return Response(body, status=status.HTTP_409_CONFLICT, headers={"Upload-Offset": str(error.offset)})
        except uploads.UploadTooLong as error:
            body = {"code": error.code, "detail": error.message, "field": error.field}
            return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except UploadSession.DoesNotExist:
            raise Http404 from None
        except StorageFull as error:
            # The chunk was not kept, or at the last byte the revision not made: the offset says where to go on from
            # once there is room (an empty chunk at the end completes the upload).
            body = {"code": error.code, "detail": error.message, "field": error.field}
            headers = {"Retry-After": str(error.retry_after_seconds), **tus.session_headers(session)}
            return Response(body, status=error.status, headers=headers)
        return Response(status=status.HTTP_204_NO_CONTENT, headers=tus.session_headers(session))

    @extend_schema(operation_id="uploads_cancel", summary="Cancel the upload", request=None, responses={204: None})
    def delete(self, request: Request, pk: UUID) -> Response:
        uploads.upload_cancel(session=self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
