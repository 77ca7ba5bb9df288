"""Exports speak the user's language: the roster's sex column, the key-person CSV header."""

import csv
import io

from firstline.people.services import screening_visit_record
from tests.conftest import export_download

PASSWORD = "pw-Firstline-1"



def roster_csv(client, **headers):
    res = client.get("/people/export/", {"area": "C1", "format": "csv-utf8"}, **headers)
    rows = list(csv.reader(io.StringIO(b"".join(export_download(res).streaming_content).decode("utf-8-sig"))))
    return rows[0], rows[1:]


def test_roster_export_sex_is_a_word_in_chinese(web, roster):
    header, rows = roster_csv(web("staff_c1"))
    sex = header.index("性别/sex")
    assert {row[sex] for row in rows} <= {"男", "女"} and len(rows) == 4
    by_name = {row[0]: row[sex] for row in rows}
    assert by_name["王伟"] == {"M": "男", "F": "女"}[roster.a1.sex]


def test_roster_export_sex_in_english(web, roster):
    header, rows = roster_csv(web("staff_c1", lang="en"))
    sex = header.index("性别/sex")
    assert {row[sex] for row in rows} <= {"male", "female"}


def test_key_person_csv_header_says_person_name(web, roster, cast):
    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                 people=[{"resident": roster.a1, "temperature": "38.5"}])
    res = web("staff_c1").get("/people/key-persons/export.csv")
    header = next(csv.reader(io.StringIO(
        b"".join(export_download(res).streaming_content).decode("utf-8-sig"))))
    assert header[1] == "姓名" and "名称" not in header


def test_unmasked_csv_keeps_id_numbers_as_text_for_excel_and_imports_back(web, roster,
                                                                          tmp_path):
    """An 18-digit ID as a number in Excel is 3.1E+17 and loses digits when saved: the CSV
    writes long digit runs behind a tab (text to Excel); our import reads them back as they
    were — re-importing the export changes nothing."""
    from firstline.people.services import residents_import

    res = web("hq").post("/people/export/", {"area": "C1", "format": "csv-utf8",
                                             "unmasked": "on", "reason": "transfer"})
    body = b"".join(export_download(res).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    all_digits = [row[1] for row in rows[1:] if row[1].strip().isdigit()]
    assert all_digits and all(v.startswith("\t") for v in all_digits)
    assert all(not row[1].startswith("\t") for row in rows[1:] if row[1].endswith("X"))
    path = tmp_path / "roster-again.csv"
    path.write_bytes(body)
    result = residents_import(path)
    assert (result.imported, result.updated, result.rejected) == (0, 0, 0), result


def test_key_person_csv_in_english_begins_its_titles_and_words_with_a_capital(web, roster,
                                                                              cast):
    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                           people=[{"resident": roster.a1, "temperature": "38.5"}])
    res = web("staff_c1", lang="en").get("/people/key-persons/export.csv")
    header, *rows = csv.reader(io.StringIO(
        b"".join(export_download(res).streaming_content).decode("utf-8-sig")))
    assert header == ["Category", "Name", "ID number", "Phone", "Grid", "Address", "Since"]
    assert rows and all(row[0][:1].isupper() for row in rows)  # "Fever", not "fever"
