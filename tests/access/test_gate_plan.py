"""The gate's judgement reads the alert table by index, never whole: alerts pile up all
outbreak long (every missed report, every fever at home, at a door or at a gate), and a judging
statement that reads them all slows every scan of every gate with them (19 ms a scan at
100,000 alerts, against 0.4 ms for the whole judgement).

On PostgreSQL, with sequential scans priced out (`enable_seqscan = off`), a plan that still
reads isolation_alert whole has no other way to answer: that is what these tests catch. (On
the tests' few rows the planner would pick a sequential scan anyway.)"""

import pytest
from django.db import connection

from firstline.access.services import gate
from firstline.isolation.models import Alert

from .conftest import local

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'",
                                 reason="the plan is PostgreSQL's")]


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_judging_statement_reads_alerts_by_index(world):
    at = local(2020, 2, 5, 9)
    ops = connection.ops
    text = plan(gate._gate_sql(), gate.gate_params(
        ops.adapt_datefield_value(at.date()), ops.adapt_datetimefield_value(at),
        world.pass1.code, "HL-N"))
    assert "isolation_alert" in text
    assert "Seq Scan on isolation_alert" not in text, text


def test_a_households_fever_alerts_are_read_by_index(world):
    # household_restriction's last question (isolation.selectors.fever_open_at)
    qs = Alert.objects.restricting(world.h1, local(2020, 2, 5, 9))
    sql, params = qs.query.sql_with_params()
    text = plan(sql, params)
    assert "Seq Scan on isolation_alert" not in text, text


def test_the_judging_statement_reads_policy_versions_by_index(world):
    """The version in force (the last saved by then) and the next change to come are read
    through the compound's indexes, never the whole policy table."""
    at = local(2020, 2, 5, 9)
    ops = connection.ops
    text = plan(gate._gate_sql(), gate.gate_params(
        ops.adapt_datefield_value(at.date()), ops.adapt_datetimefield_value(at),
        world.pass1.code, "HL-N"))
    assert "access_policy" in text
    assert "Seq Scan on access_policy" not in text, text

