"""A bounded schemathesis run over every operation of the API: no answer is a 5xx.

The schema is loaded from the app itself (no network); every request goes through Django's
WSGI handler in this thread, inside the test's database transaction, with the token of C2's
community staff, who own a seeded world (tests/test_scope_table.py's, built through the API):
a generated id sometimes names a real object. Each operation gets a few examples that follow
the schema and a few that break it (those must be 4xx, never 5xx). `make test` runs it on
SQLite and PostgreSQL (.ci/run). FIRSTLINE_SCHEMATHESIS_EXAMPLES raises the bound locally.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.test_scope_table import world  # noqa: F401  (the seeded world, a fixture)

pytestmark = pytest.mark.schemathesis

EXAMPLES = int(os.environ.get("FIRSTLINE_SCHEMATHESIS_EXAMPLES", "6"))


@pytest.fixture
def in_test_transaction():
    """The raw WSGI handler closes the database connection after each request (Django's test
    client unhooks that): keep it open, or PostgreSQL would drop the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx(world, api, in_test_transaction):  # noqa: F811
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {api('staff_c2').token}"}
    failures, operations, statuses = [], 0, Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            probe(operation, mode, headers, statuses, failures)()
    print(operations, "operations,", sum(statuses.values()), "requests:", sorted(statuses.items()))
    assert operations >= 60
    # the token works: the staff read and write (not a run of 401s)
    assert statuses[200] + statuses[201] > operations
    assert failures == [], "\n".join(map(str, failures[:20]))



def probe(operation, mode, headers, statuses, failures):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=["explicit", "generate"])
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append((case.method, case.formatted_path, mode.value,
                             response.status_code, case.as_curl_command(headers)))

    return run
