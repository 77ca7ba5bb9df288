"""Every gate scan writes every index of access_crossing (10M rows in a street): it keeps only
the indexes its readers need (migration 0010: all of them read crossings by day)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "access_crossing")
    return {name: c for name, c in found.items()
            if (c["index"] or c["unique"]) and not c["primary_key"]}


def test_a_pass_scan_writes_only_the_event_id_and_the_day_index():
    keys = {tuple(c["columns"][:2]) for c in indexes().values()}
    assert keys == {("event_id",), ("day", "area_id"), ("area_id", "scanned_at")}


def test_the_visitors_index_leaves_pass_scans_out():
    # The partial index of visitors' rows: a pass scan (subject "resident") adds nothing to it.
    from firstline.access.models import Crossing

    (visits,) = [i for i in Crossing._meta.indexes if i.name == "access_crossing_visits"]
    assert visits.condition is not None
    assert "access_crossing_visits" in indexes()


def test_no_foreign_key_of_a_crossing_has_an_index_of_its_own():
    from firstline.access.models import Crossing

    fks = [f for f in Crossing._meta.concrete_fields if f.is_relation]
    assert fks and not [f.name for f in fks if f.db_index]


def test_a_quota_window_row_writes_one_index_besides_its_key():
    # The gate's upsert (household, window_start): the unique key serves lookups by household
    # too, so the household has no index of its own (migration 0011).
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "access_quotause")
    keys = [tuple(c["columns"]) for c in found.values()
            if (c["index"] or c["unique"]) and not c["primary_key"]]
    assert keys == [("household_id", "window_start")]
