"""The export job's page in a real browser: it polls (htmx) while the worker writes, then
offers the download without a reload."""

import pytest

from firstline.exportjobs.models import ExportJob
from firstline.exportjobs.services import export_job_run
from tests.conftest import DESKTOP, browser_login

from .conftest import make_household, make_resident

NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_job_page_shows_the_download_once_the_worker_has_written_the_file(
        live_server, new_page, cast, areas, settings):
    settings.TASKS = NO_WORKER  # queued, and nobody runs it until the test does
    h = make_household(areas.g1a)
    for i in range(3):
        make_resident(h, name=f"居民{i}", phone=f"1390000000{i}")
    page = new_page(viewport=DESKTOP)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/people/export/")
    page.select_option("select[name=area]", "C1")
    page.select_option("select[name=format]", "csv-utf8")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/exports/*/")
    job = ExportJob.objects.get()
    assert page.locator("#progress").get_attribute("hx-get") == f"/exports/{job.pk}/progress/"
    assert page.locator(f"a[href='/exports/{job.pk}/download/']").count() == 0

    export_job_run(job_id=job.pk)  # what `firstline worker` does

    link = page.locator(f"a[href='/exports/{job.pk}/download/']")
    link.wait_for(timeout=10_000)  # the next poll brings it; the page was not reloaded
    assert page.locator("#progress").get_attribute("hx-get") is None  # polling stopped
    with page.expect_download() as info:
        link.click()
    body = open(info.value.path(), encoding="utf-8-sig").read()
    assert body.count("\n") == 4 and "居民0" in body
