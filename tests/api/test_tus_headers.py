"""Malformed tus headers on the API's upload endpoints, from a script with a token and from the upload page's
session login: each is refused with the protocol's status and a body that names the header, never a server error,
and nothing is stored."""

import base64
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from competitions.models import Entry, UploadSession
from tests.factories import EntryFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_METADATA = "filename " + base64.b64encode(b"harbour.glb").decode()
BAD_NUMBERS = {
    "thousands of digits": "9" * 5000,
    "hundreds of digits": "1" * 300,
    "more than a bigint": str(2**63),
    "negative": "-1",
    "with a plus sign": "+5",
    "in scientific notation": "1e3",
    "hexadecimal": "0x10",
    "empty": "",
    "only spaces": "   ",
    "two numbers": "12 34",
    "full-width digits": "１２",
    "Arabic-Indic digits": "١٢",
    "with a decimal point": "12.0",
}
BAD_METADATA = {
    "not base64": "filename harbour.glb",
    "three parts": "filename aGFyYm91cg== extra",
    "not UTF-8": "filename " + base64.b64encode(b"\xff\xfe").decode(),
    "not ASCII": "filename 名字",
    "a key given twice": f"{GOOD_METADATA},{GOOD_METADATA}",
    "a control character in the name": "filename " + base64.b64encode(b"scene\x00.glb").decode(),
    "a key with a non-ASCII letter": "fïlename " + base64.b64encode(b"a.glb").decode(),
}
BAD_VERSIONS = {"an older version": "0.2.2", "empty": "", "a bare major version": "1.0"}


@dataclass
class Endpoint:
    """The tus endpoints, with a client signed in as the entry's captain (by token, or by the session login)."""

    client: Client
    start_url: str
    chunk_url: str  # a session opened with a good request, for PATCH

    def start(self, **headers: str) -> object:
        return self.client.post(self.start_url, headers={"Tus-Resumable": "1.0.0", **headers})

    def patch(self, **headers: str) -> object:
        # Content-Length 0 so the request is whole; only the header under test is wrong.
        return self.client.generic(
            "PATCH",
            self.chunk_url,
            b"",
            headers={"Tus-Resumable": "1.0.0", **headers},
            CONTENT_TYPE="application/offset+octet-stream",
            CONTENT_LENGTH="0",
        )


def _opened(client: Client, entry: Entry) -> Endpoint:
    start_url = reverse("api:entry-uploads", kwargs={"pk": entry.pk})
    response = client.post(start_url, headers={"Upload-Length": "100", "Upload-Metadata": GOOD_METADATA})
    assert response.status_code == 201, response.content
    return Endpoint(client, start_url, response["Location"])


@pytest.fixture(params=["token", "session"])
def endpoint(request) -> Endpoint:
    alice = UserFactory()
    entry = EntryFactory(team=TeamFactory(captain=alice))
    if request.param == "token":
        return _opened(Client(headers={"Authorization": f"Token {Token.objects.create(user=alice).key}"}), entry)
    client = Client()
    client.force_login(alice)
    return _opened(client, entry)


def assert_refused(response, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == field
    assert body["code"].startswith("upload_")
    assert isinstance(body["detail"], str) and body["detail"]
    assert response["Tus-Resumable"] == "1.0.0"


@pytest.mark.parametrize("value", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_malformed_upload_length_is_400_naming_the_header_and_opens_nothing(endpoint, value):
    response = endpoint.start(**{"Upload-Length": value, "Upload-Metadata": GOOD_METADATA})

    assert_refused(response, 400, "Upload-Length")
    assert UploadSession.objects.count() == 1  # only the fixture's


@pytest.mark.parametrize("value", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_malformed_upload_offset_is_400_naming_the_header_and_stores_nothing(endpoint, value):
    response = endpoint.patch(**{"Upload-Offset": value})

    assert_refused(response, 400, "Upload-Offset")
    assert UploadSession.objects.get().received == 0


@pytest.mark.parametrize("value", BAD_METADATA.values(), ids=BAD_METADATA.keys())
def test_malformed_upload_metadata_is_400_naming_the_header(endpoint, value):
    response = endpoint.start(**{"Upload-Length": "100", "Upload-Metadata": value})

    assert_refused(response, 400, "Upload-Metadata")
    assert UploadSession.objects.count() == 1


@pytest.mark.parametrize("value", BAD_VERSIONS.values(), ids=BAD_VERSIONS.keys())
def test_a_tus_version_we_do_not_speak_is_412_on_opening_and_on_a_chunk(endpoint, value):
    opened = endpoint.start(**{"Tus-Resumable": value, "Upload-Length": "100", "Upload-Metadata": GOOD_METADATA})
    chunk = endpoint.patch(**{"Tus-Resumable": value, "Upload-Offset": "0"})

    assert_refused(opened, 412, "Tus-Resumable")
    assert_refused(chunk, 412, "Tus-Resumable")
    assert opened["Tus-Version"] == "1.0.0"


def test_the_largest_length_a_header_may_carry_reaches_the_rules_and_is_refused_as_too_large(endpoint):
    response = endpoint.start(**{"Upload-Length": str(2**63 - 1), "Upload-Metadata": GOOD_METADATA})

    assert response.status_code == 400
    assert response.json()["code"] != "upload_protocol"  # a rule refused it, not the header parser


def test_metadata_with_a_key_and_no_value_and_spaces_around_pairs_is_accepted(endpoint):
    response = endpoint.start(**{"Upload-Length": "100", "Upload-Metadata": f" is_confidential , {GOOD_METADATA} "})

    assert response.status_code == 201, response.content
