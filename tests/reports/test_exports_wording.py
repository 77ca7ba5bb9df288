"""The key-person ledger names where a fact came from in words, not the stored code."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import export_download

from .conftest import PASSWORD_FOR_TESTS, D


@pytest.fixture
def hq(cast):
    c = Client()
    assert c.login(username="hq", password=PASSWORD_FOR_TESTS)
    return c


def ledger_rows(client, **headers):
    response = export_download(client.get(
        "/reports/exports/key-persons.xlsx",
        {"area": "99000101", "from": D.isoformat(), "to": D.isoformat()}, **headers))
    assert response.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(
        io.BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows()]
    header = next(i for i, row in enumerate(rows) if "来源" in row or "來源" in row)
    return rows[header], rows[header + 1:]


def test_key_person_ledger_source_is_a_label(hq, facts):
    titles, rows = ledger_rows(hq)
    source = titles.index("来源")
    values = {row[source] for row in rows if row[2]}
    assert values == {"入户摸排"}


def test_key_person_ledger_source_in_traditional_chinese(hq, facts):
    titles, rows = ledger_rows(hq, HTTP_ACCEPT_LANGUAGE="zh-hant")
    source = titles.index("來源")
    assert {row[source] for row in rows if row[2]} == {"入戶摸排"}
