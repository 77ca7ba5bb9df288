"""A list uploaded on the web is matched by the worker (a background task on the database
queue); the page only watches it."""

import pytest
from django.core.management import call_command

from firstline.lists.models import Checklist

from .conftest import write_csv


@pytest.mark.django_db(transaction=True)
def test_a_list_upload_is_matched_by_the_worker_and_its_page_only_watches(
        web, roster, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = web("hq")
    path = write_csv(tmp_path / "l.csv", ["人名", "证件", "电话"],
                     [["王芳", roster.fang.id_number, ""]])
    with open(path, "rb") as fh:
        step2 = client.post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                               "area": "99000101"})
    done = client.post("/lists/upload/", {"token": step2.context["token"], "filename": "l.csv",
                                          "source": "航班", "deadline": "", "area": "99000101",
                                          "name": "0", "id_number": "1", "confirm": "1"})
    assert done.status_code == 302 and "/lists/upload/status/?task=" in done["Location"]
    for _ in range(2):  # watching does not match
        wait = client.get(done["Location"])
        assert wait.status_code == 200 and "l.csv" in wait.content.decode()
    assert not Checklist.objects.exists()
    assert web("staff_c1").get(done["Location"]).status_code == 404  # someone else's upload

    call_command("worker", "--batch")
    finished = client.get(done["Location"])
    checklist = Checklist.objects.get()
    assert finished.status_code == 302 and finished["Location"] == f"/lists/{checklist.pk}/"
    assert checklist.matched_by_id == 1
