"""The organiser console's Exports page of a competition: the teams with their members, the entries with their
figures and status, and the published results, as CSV or XLSX; and the archive of every judged file with its
thumbnails and the results, built in the background (the page reloads itself while it is built) and downloaded
once ready. Organisers of the competition only: for anyone else every URL is a 404."""

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from competitions.auth import AuthenticatedHttpRequest
from competitions.models import ExportJob
from competitions.selectors import exports as selectors
from competitions.services import exports
from frontend.views.organise import competition_of, organiser_required
from frontend.views.stored_files import stored_file_response

TABLE_LABELS = {
    "teams": gettext_lazy("Teams and members"),
    "entries": gettext_lazy("Entries, with their figures and status"),
    "results": gettext_lazy("Published results"),
}
JOBS_SHOWN = 5


@organiser_required
@require_GET
def exports_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    jobs = list(ExportJob.objects.filter(competition=competition).select_related("created_by__profile")[:JOBS_SHOWN])
    context = {
        "competition": competition,
        "tables": [(table, TABLE_LABELS[table]) for table in selectors.TABLES],
        "jobs": jobs,
        "building": any(not job.is_finished for job in jobs),
    }
    return render(request, "organiser/exports.html", context)


@organiser_required
@require_GET
def table_download(request: AuthenticatedHttpRequest, slug: str, table: str, extension: str) -> HttpResponseBase:
    competition = competition_of(request, slug)
    if table not in selectors.TABLE_ROWS or extension not in ("csv", "xlsx"):
        raise Http404
    rows = selectors.TABLE_ROWS[table](competition)
    filename = selectors.export_filename(competition, table, extension)
    if extension == "csv":
        response = StreamingHttpResponse(exports.table_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    scratch = tempfile.TemporaryFile()  # FileResponse closes it when sent
    exports.table_xlsx(rows, title=table, into=scratch)
    scratch.seek(0)
    return FileResponse(scratch, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


@organiser_required
@require_POST
def archive_request(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    competition = competition_of(request, slug)
    exports.export_archive_request(competition=competition, actor=request.user)
    messages.success(request, _("The archive is being built. This page shows its progress."))
    return redirect("frontend:organise-exports", slug=competition.slug)


@organiser_required
@require_GET
def archive_download(request: AuthenticatedHttpRequest, slug: str, job_id: int) -> FileResponse:
    competition = competition_of(request, slug)
    job = get_object_or_404(ExportJob, competition=competition, pk=job_id, status=ExportJob.Status.DONE)
    filename = f"{competition.slug}-archive-{job.pk}.zip"
    return stored_file_response(
        job.file, as_attachment=True, filename=filename, content_type="application/zip", cache=False
    )
