"""The roster import's errors file never echoes a refused ID number or phone in full (audit
F5), and a half-written errors file a killed run left behind is swept away after a day."""

import os
from datetime import UTC, datetime, timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from firstline import clock
from firstline.people.models import ImportJob
from firstline.people.services import (
    import_job_create,
    import_job_errors_path,
    import_job_step,
    import_partials_sweep,
    mask_id_number,
)
from firstline.tabular import errors_path_for

from .test_import import HEADER_CN, ID2, errors_of, good_rows, run, write_csv

BAD_ID = ID2[:-1] + ("1" if ID2[-1] != "1" else "2")  # a mistyped check digit
NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def _age(path, days):
    old = clock.now().timestamp() - days * 86400
    os.utime(path, (old, old))


def test_a_refused_id_number_is_masked_in_the_errors_file(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", [good_rows()[0],
                                          ["王芳", BAD_ID, "", "G1a", "阳光花园", "", "", "", "", ""]])
    run(path)
    (e,) = errors_of(path)
    assert (e["row"], e["column"], e["value"]) == ("2", "身份证号", mask_id_number(BAD_ID))
    assert "check digit" in e["reason"]
    assert BAD_ID not in errors_path_for(path).read_text(encoding="utf-8")


def test_a_refused_phone_is_masked_in_the_errors_file(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", [
        good_rows()[0], ["王芳", ID2, "138000011112", "G1a", "阳光花园", "", "", "", "", ""]])
    run(path)
    (e,) = errors_of(path)
    assert (e["column"], e["value"]) == ("手机号", "138*****1112")
    assert "138000011112" not in errors_path_for(path).read_text(encoding="utf-8")


def test_the_web_jobs_errors_file_masks_the_id_number_too(cast, areas):
    rows = [good_rows()[0], ["王芳", BAD_ID, "", "G1a", "阳光花园", "", "", "", "", ""]]
    lines = [",".join(HEADER_CN)] + [",".join(r) for r in rows]
    job = import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile(
        "r.csv", ("\n".join(lines) + "\n").encode()))
    job = import_job_step(job_id=job.pk, seconds=None)
    text = import_job_errors_path(job).read_text(encoding="utf-8-sig")
    assert mask_id_number(BAD_ID) in text and BAD_ID not in text


@time_machine.travel(NOON, tick=False)
def test_the_next_cli_import_removes_a_killed_runs_part_file_a_day_old(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", good_rows())
    stale = errors_path_for(path).with_name("r.csv.errors.csv.4242.1.part")
    fresh = errors_path_for(path).with_name("r.csv.errors.csv.4343.1.part")  # a run right now
    other = tmp_path / "someone-elses.part"
    for p in (stale, fresh, other):
        p.write_text("row,column,value,reason\n")
    _age(stale, 2), _age(other, 2)
    run(path)
    assert (stale.exists(), fresh.exists(), other.exists()) == (False, True, True)
    assert errors_path_for(path).exists()


@time_machine.travel(NOON, tick=False)
def test_a_file_name_with_brackets_sweeps_its_own_part_files_only(areas, tmp_path):
    """名单[1].csv is a name, not a pattern: 名单1.csv's leftovers are not its own."""
    path = write_csv(tmp_path / "名单[1].csv", good_rows())
    own = tmp_path / "名单[1].csv.errors.csv.123.140.part"
    neighbour = tmp_path / "名单1.csv.errors.csv.9.9.part"
    for p in (own, neighbour):
        p.write_text("row,column,value,reason\n")
        _age(p, 3)
    run(path)
    assert (own.exists(), neighbour.exists()) == (False, True)


@time_machine.travel(NOON, tick=False)
def test_the_sweep_removes_a_failed_jobs_part_file_and_keeps_a_running_ones(cast, areas):
    lines = [",".join(HEADER_CN)] + [",".join(r) for r in good_rows()]
    jobs = [import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile(
        "r.csv", ("\n".join(lines) + "\n").encode())) for _ in range(3)]
    parts = [import_job_errors_path(j).with_name(import_job_errors_path(j).name + ".part")
             for j in jobs]
    for p in parts:
        p.write_text("\ufeffrow,column,value,reason\n")
    ImportJob.objects.filter(pk=jobs[0].pk).update(state=ImportJob.State.FAILED)
    ImportJob.objects.filter(pk=jobs[1].pk).update(state=ImportJob.State.RUNNING)
    _age(parts[0], 2), _age(parts[1], 2)  # jobs[2] failed too, but only an hour ago
    ImportJob.objects.filter(pk=jobs[2].pk).update(state=ImportJob.State.FAILED)
    _age(parts[2], 1 / 24)
    assert import_partials_sweep() == [parts[0]]
    assert [p.exists() for p in parts] == [False, True, True]
    assert all(j.path and os.path.exists(j.path) for j in jobs)  # the uploads stay


def test_the_worker_sweeps_every_hour():
    from firstline.worker import SCHEDULE

    (item,) = [p for p in SCHEDULE if p.name == "people.import_partials_sweep"]
    assert item.every == timedelta(hours=1)
