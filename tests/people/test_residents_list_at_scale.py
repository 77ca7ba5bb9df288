"""The residents list as it must work at a million residents: an address finds its
residents, the count stops at a cap instead of reading a whole street, the export streams."""

import csv
import io

import pytest

from firstline.people import views
from firstline.people.services import csv_stream, excel_text, safe_cell

from .conftest import make_household, make_resident


@pytest.fixture
def flats(areas):
    a = make_household(areas.g1a, "凤凰城", building="1", unit="1", room="502")
    b = make_household(areas.g1a, "凤凰城", building="2", unit="1", room="502")
    return make_resident(a, name="王伟"), make_resident(b, name="李娜"), \
        make_resident(b, name="李雷", phone="13900001111")


@pytest.mark.parametrize("typed, names", [
    ("1栋1单元502室", {"王伟"}),
    ("凤凰城 2栋 1单元 502", {"李娜", "李雷"}),
    ("李", {"李娜", "李雷"}),
    ("1111", {"李雷"}),
])
def test_the_residents_search_finds_by_address_name_and_tails(flats, web, typed, names):
    # a phone tail in a URL is redirected to a session reference first (test_private_search)
    html = web("staff_c1").get("/people/", {"q": typed}, follow=True).content.decode()
    assert {n for n in ("王伟", "李娜", "李雷") if n in html} == names


def test_a_long_list_says_more_than_the_cap_instead_of_counting_it_all(flats, web,
                                                                       monkeypatch):
    monkeypatch.setattr(views.CappedPaginator, "CAP", 2)
    html = web("staff_c1").get("/people/").content.decode()
    assert "超过2名居民" in html


def test_a_short_list_is_counted_exactly(flats, web):
    html = web("staff_c1", lang="en").get("/people/").content.decode()
    assert "3 residents" in html and "More than" not in html


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@x", "\tx", "110101199003074514",
                                   "张三", "", None, 12])
def test_the_csv_cell_is_escaped_as_before(value):
    line = b"".join(csv_stream([[value]], encoding="utf-8-sig")).decode("utf-8-sig")
    buffer = io.StringIO()
    csv.writer(buffer).writerow([excel_text(safe_cell(value))])
    assert line == buffer.getvalue()


def test_every_page_lists_the_rows_of_the_plain_query_in_its_order(areas, web, monkeypatch):
    """Pages read their ids first, then those rows (a deferred join): the same residents,
    in the same order (grid, household, id), on every page, the last one short."""
    from firstline.people.models import Resident

    homes = [make_household(grid, "凤凰城", building=str(b), unit="1", room=str(100 + b))
             for b, grid in enumerate([areas.g1b, areas.g1a, areas.g1b, areas.g1a])]
    for k in range(7):
        make_resident(homes[k % 4], name=f"居民{k:02d}")
    monkeypatch.setattr(views, "_page", lambda request, qs, per_page=3, paginator=views.Paginator:
                        paginator(qs, per_page).get_page(request.GET.get("page")))
    expected = list(Resident.objects.filter(grid__path__startswith=areas.c1.path)
                    .order_by("grid_id", "household_id", "id").values_list("name", flat=True))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen, client = [], web("staff_c1")
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/people/", {"page": page}).content.decode()
        names = sorted((html.index(n), n) for n in expected if n in html)
        seen.extend(n for _at, n in names)
        # Rows past the page's start are skipped in the ids query alone, never in the query
        # joining households and compounds.
        joined = [q["sql"] for q in ctx.captured_queries if "people_compound" in q["sql"]
                  and "people_resident" in q["sql"]]
        assert joined and not any("OFFSET" in sql for sql in joined)
    assert seen == expected and len(expected) == 7
