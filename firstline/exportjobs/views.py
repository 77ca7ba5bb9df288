"""The export pages: one's own exports, one job's progress (polled with htmx), the download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from firstline import clock

from . import registry, services


def _context(job):
    kind = registry.KINDS.get(job.kind)
    return {"job": job, "label": kind.label if kind else job.kind,
            "expired": job.expired_at(clock.now())}


@login_required
@require_GET
def job_list(request):
    jobs = [_context(j) for j in services.export_jobs_of(request.user)[:30]]
    return render(request, "exportjobs/jobs.html", {"jobs": jobs})


@login_required
@require_GET
def job_detail(request, pk):
    job = services.export_job_get_for_owner(request.user, pk)
    return render(request, "exportjobs/job.html", _context(job))


@login_required
@require_GET
def job_progress(request, pk):
    """Polled by the job page: where the export is (a worker writes the file)."""
    job = services.export_job_get_for_owner(request.user, pk)
    return render(request, "exportjobs/job.html#progress", _context(job))


@login_required
@require_GET
def job_download(request, pk):
    try:
        job, path = services.export_job_file(user=request.user, pk=pk)
    except services.ExportExpired:
        job = services.export_job_get_for_owner(request.user, pk)
        return render(request, "exportjobs/job.html", _context(job), status=410)
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if job.format == "xlsx" else
                    f"text/csv; charset={'gbk' if job.format == 'csv-gbk' else 'utf-8'}")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.file_name,
                            content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
