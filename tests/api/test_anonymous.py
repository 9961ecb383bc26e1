import pytest

from tests.factories import EntryRevisionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/teams/"),
        ("post", "/api/teams/"),
        ("get", "/api/teams/{team}/"),
        ("post", "/api/teams/join/"),
        ("post", "/api/teams/{team}/leave/"),
        ("post", "/api/teams/{team}/rotate-invite-code/"),
        ("get", "/api/entries/"),
        ("post", "/api/entries/"),
        ("get", "/api/entries/{entry}/"),
        ("patch", "/api/entries/{entry}/"),
        ("get", "/api/entries/{entry}/revisions/"),
        ("post", "/api/entries/{entry}/revisions/"),
        ("get", "/api/revisions/{revision}/"),
    ],
)
def test_anonymous_request_is_unauthorised(anonymous, method, path):
    revision = EntryRevisionFactory()
    url = path.format(team=revision.entry.team_id, entry=revision.entry_id, revision=revision.pk)

    response = getattr(anonymous, method)(url)

    assert response.status_code == 401


def test_wrong_token_is_unauthorised(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = anonymous.get("/api/teams/")

    assert response.status_code == 401
