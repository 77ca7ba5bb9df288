"""HQ task files: the report's file through the API as on the page — PDF or image, checked by
content (not by name) and size; served only to those who see the task."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from firstline import clock
from firstline.operations.models import Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def send(api):
    r = api("hq").post("/api/v1/tasks", {"title": "排查返乡人员", "areas": ["C1", "C2"],
                                         "due_at": (clock.now() + timedelta(hours=6))
                                         .isoformat()})
    return r.json()["ids"]


def attach(api, task_id, name, content, who="staff_c1"):
    c = api(who)
    return c.client.post(f"/api/v1/tasks/{task_id}/file",
                         {"file": SimpleUploadedFile(name, content)}, **c._headers())


def test_a_file_through_the_api_is_kept_and_served_to_both_sides(api, web):
    c1_task, _ = send(api)
    assert api("staff_c1").post(f"/api/v1/tasks/{c1_task}/done", {"note": "已排查 12 户"}
                                ).status_code == 200
    r = attach(api, c1_task, "排查表.pdf", PDF)
    assert r.status_code == 201, r.content
    assert (r.json()["file_name"], r.json()["file_type"]) == ("排查表.pdf", "application/pdf")
    task = Task.objects.get(pk=c1_task)
    assert task.file.name.endswith(".pdf") and "排查表" not in task.file.name
    got = api("hq").get(f"/api/v1/tasks/{c1_task}/file")
    assert (got.status_code, got["Content-Type"]) == (200, "application/pdf")
    assert b"".join(got.streaming_content) == PDF
    page = web("hq").get(f"/operations/tasks/{c1_task}/file/")
    assert page.status_code == 200 and page["X-Content-Type-Options"] == "nosniff"
    assert "排查表.pdf" in web("hq").get("/operations/tasks/").content.decode()


def test_the_api_refuses_what_the_page_refuses(api):
    c1_task, _ = send(api)
    r = attach(api, c1_task, "report.pdf", HTML)
    assert (r.status_code, r.json()["error"]) == (415, "bad_file_type")
    r = attach(api, c1_task, "big.pdf", PDF + b"0" * (5 * 1024 * 1024))
    assert (r.status_code, r.json()["error"]) == (413, "file_too_large")
    assert not Task.objects.get(pk=c1_task).file
    assert attach(api, c1_task, "a.pdf", PDF).status_code == 201
    r = attach(api, c1_task, "b.pdf", PDF)
    assert (r.status_code, r.json()["error"]) == (409, "file_exists")


def test_the_page_checks_the_file_before_reporting_done(api, web):
    c1_task, _ = send(api)
    c = web("staff_c1", lang="en")
    r = c.post("/operations/tasks/", {"action": "done", "task": c1_task, "note": "完成",
                                      "file": SimpleUploadedFile("r.pdf", HTML)}, follow=True)
    assert "only PDF or images" in r.content.decode()
    task = Task.objects.get(pk=c1_task)
    assert task.done_at is None and not task.file  # nothing half-written
    c.post("/operations/tasks/", {"action": "done", "task": c1_task, "note": "完成",
                                  "file": SimpleUploadedFile("r.pdf", PDF)})
    task.refresh_from_db()
    assert task.done_at is not None and task.file_type == "application/pdf"


def test_another_areas_task_file_is_404(api, web):
    c1_task, c2_task = send(api)
    assert attach(api, c2_task, "a.pdf", PDF).status_code == 404
    attach(api, c1_task, "a.pdf", PDF)
    assert api("staff_c2").get(f"/api/v1/tasks/{c1_task}/file").status_code == 404
    assert web("staff_c2").get(f"/operations/tasks/{c1_task}/file/").status_code == 404
