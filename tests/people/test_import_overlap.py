"""Issue 17: two roster imports of the same ID numbers at once (two clerks, a re-run while
the first still runs) both end with a summary line and the right final count — never a raw
UniqueViolation traceback — and an import leaves a trace from its first batch."""

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from firstline.demo.fake import fake_id_number
from firstline.people.models import Resident
from firstline.people.services import residents_import

from ..conftest import race


def _id(seed: int, i: int) -> str:
    """The i-th ID number of a seed: unique (a birth date per thousand, a serial within)."""
    return fake_id_number(random.Random(seed), serial=i % 1000,
                          born=date(1950, 1, 1) + timedelta(days=seed * 100 + i // 1000))


HEADER = ["姓名", "身份证号", "手机号", "网格", "小区", "楼栋", "单元", "房号", "人员类型", "备注"]


def roster_file(path: Path, n: int, *, seed: int = 17, bad: int = 0,
                reverse: bool = False) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in (reversed(range(n)) if reverse else range(n)):
            w.writerow([f"居民{i}", _id(seed, i), "",
                        "G1a" if i % 2 else "G1b", "阳光花园", str(i % 20 + 1), "1",
                        str(100 + i % 50), "常住", ""])
        for i in range(bad):
            w.writerow([f"坏行{i}", "110101199003070000", "", "G1a", "阳光花园", "1", "1",
                        "101", "常住", ""])
    return path


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_once_both_finish_and_the_roster_is_right(
        file_database, areas, tmp_path):
    files = [roster_file(tmp_path / f"roster{i}.csv", 24000, reverse=i == 1) for i in range(2)]

    outcomes = race(2, lambda i: residents_import(files[i]))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Resident.objects.count() == 24000
    assert sum(o.imported for o in outcomes) == 24000  # each row imported once, by one of them
    assert all(o.rejected == 0 and not o.file_error for o in outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_cli_imports_both_print_a_summary_line(file_database, areas, tmp_path):
    files = [roster_file(tmp_path / f"cli{i}.csv", 24000, seed=5,
                                     reverse=i == 1) for i in range(2)]

    def run(i):
        out = io.StringIO()
        call_command("import_residents", str(files[i]), stdout=out)
        return out.getvalue()

    outputs = race(2, run)
    assert not [o for o in outputs if isinstance(o, Exception)], outputs
    assert all(o.strip().splitlines()[-1].startswith("imported ") for o in outputs)
    assert Resident.objects.count() == 24000
