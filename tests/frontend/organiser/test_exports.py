"""The Exports page of a competition: linked from the console's home, its tables downloaded as CSV and XLSX, the
archive asked for, its progress shown while it builds, and downloaded once ready. Every URL is a 404 for an
organiser of another competition, a judge and an entrant, and sends a visitor to the login page."""

import csv
import io
import zipfile
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from competitions.models import CompetitionOrganiser, ExportJob, Team
from competitions.services import exports
from tests.factories import CompetitionFactory, UserFactory

pytestmark = pytest.mark.django_db


def urls(slug: str, job_id: int = 1) -> list[str]:
    return [
        reverse("frontend:organise-exports", kwargs={"slug": slug}),
        *(
            reverse("frontend:organise-export-table", kwargs={"slug": slug, "table": table, "extension": extension})
            for table in ("teams", "entries", "results")
            for extension in ("csv", "xlsx")
        ),
        reverse("frontend:organise-export-archive", kwargs={"slug": slug}),
        reverse("frontend:organise-export-download", kwargs={"slug": slug, "job_id": job_id}),
    ]


@pytest.fixture
def built(olga, round, alice) -> ExportJob:
    """A finished archive of the round's competition (Alice's entry has the factory's four-byte file)."""
    with mock.patch("competitions.services.queue.export_task_send"):
        job = exports.export_archive_request(competition=round.competition, actor=olga)
    return exports.export_archive_build(job_id=job.pk)


def test_home_links_to_each_competitions_exports(client, olga, round):
    client.force_login(olga)

    home = client.get(reverse("frontend:organise-home")).content.decode()

    assert reverse("frontend:organise-exports", kwargs={"slug": round.competition.slug}) in home


def test_teams_csv_and_xlsx_downloads_match_the_database(client, olga, round, alice):
    client.force_login(olga)
    slug = round.competition.slug
    team = Team.objects.get(competition=round.competition)

    as_csv = client.get(reverse("frontend:organise-export-table", kwargs={"slug": slug, "table": "teams",
                                                                         "extension": "csv"}))  # fmt: skip
    as_xlsx = client.get(reverse("frontend:organise-export-table", kwargs={"slug": slug, "table": "teams",
                                                                          "extension": "xlsx"}))  # fmt: skip

    assert as_csv["Content-Disposition"] == f'attachment; filename="{slug}-teams.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(as_csv.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:5] == [str(team.pk), "Aurora", alice.profile.display_name, alice.email, "captain"]
    sheet = load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)), read_only=True).active
    assert list(sheet.iter_rows(values_only=True))[1][:5] == (
        team.pk, "Aurora", alice.profile.display_name, alice.email, "captain"
    )  # fmt: skip
    assert as_xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE


def test_an_unknown_table_is_a_404(client, olga, round):
    client.force_login(olga)
    url = reverse("frontend:organise-export-table", kwargs={"slug": round.competition.slug, "table": "judges",
                                                            "extension": "csv"})  # fmt: skip

    assert client.get(url).status_code == 404


def test_asking_for_the_archive_queues_it_and_the_page_reloads_while_it_builds(client, olga, round):
    client.force_login(olga)
    slug = round.competition.slug

    with mock.patch("competitions.services.queue.export_task_send"):
        response = client.post(reverse("frontend:organise-export-archive", kwargs={"slug": slug}))
    page = client.get(reverse("frontend:organise-exports", kwargs={"slug": slug})).content.decode()

    assert response.status_code == 302
    job = ExportJob.objects.get(competition=round.competition)
    assert (job.status, job.created_by) == (ExportJob.Status.PENDING, olga)
    assert 'http-equiv="refresh"' in page and f'data-export-job="{job.pk}"' in page


def test_a_finished_archive_is_downloaded_and_the_page_stops_reloading(client, olga, built):
    client.force_login(olga)
    slug = built.competition.slug

    page = client.get(reverse("frontend:organise-exports", kwargs={"slug": slug})).content.decode()
    response = client.get(reverse("frontend:organise-export-download", kwargs={"slug": slug, "job_id": built.pk}))

    assert 'http-equiv="refresh"' not in page
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "manifest.csv" in archive.namelist()


def test_every_exports_url_is_a_404_for_an_organiser_of_another_competition(client, round, built):
    other = UserFactory()
    CompetitionOrganiser.objects.create(competition=CompetitionFactory(), user=other)
    client.force_login(other)

    for url in urls(round.competition.slug, built.pk):
        method = client.post if url.endswith("/archive/") else client.get
        assert method(url).status_code == 404, url
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize("who", ["alice", "jules"])
def test_every_exports_url_is_a_404_for_entrants_and_judges(client, round, alice, jules, built, who):
    client.force_login({"alice": alice, "jules": jules}[who])

    for url in urls(round.competition.slug, built.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


def test_every_exports_url_sends_a_visitor_to_the_login_page(client, round, built):
    for url in urls(round.competition.slug, built.pk):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("frontend:login")), url
