"""firstline.db.create_once answers a create with the first row of its event_id only when the
database refused it as "already there" (a unique violation); any other refusal is a fault of
the create itself and propagates as it is."""

import uuid

import pytest
from django.db import IntegrityError, connection

from firstline.db import create_once, is_unique_violation, sent_meanwhile
from firstline.residents.models import Notice
from tests.conftest import race


@pytest.mark.django_db(transaction=True)
def test_a_create_refused_by_not_null_propagates_though_its_event_id_was_taken_meanwhile(
        file_database, cast):
    # Another request commits the first notice of this event_id between this one's lookup
    # and its insert; this insert is refused for its missing title (NOT NULL), not for the
    # event_id: that refusal is the answer, not the other request's notice.
    event = uuid.uuid4()

    def notice(token, title):
        return Notice.objects.create(token=token, title=title, body="请大家少出门。",
                                     created_by=cast.staff_c1, event_id=event)

    winner = []

    def another_request_commits_after_the_lookup(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not winner and sql.lstrip().upper().startswith("SELECT") and "event_id" in sql:
            winner.extend(race(1, lambda i: notice("first", "致全体居民的一封公开信")))
        return result

    with (connection.execute_wrapper(another_request_commits_after_the_lookup),
          pytest.raises(IntegrityError) as refused):
        create_once(Notice, event, same=lambda first: True, create=lambda: notice("again", None))
    assert isinstance(winner[0], Notice) and not is_unique_violation(refused.value)
    assert list(Notice.objects.values_list("token", flat=True)) == ["first"]


@pytest.mark.django_db
def test_sent_meanwhile_says_whether_a_row_of_this_event_id_is_there(cast):
    # the one question a create asks after a lock or a refused insert (transfers, packages)
    event, other = uuid.uuid4(), uuid.uuid4()
    assert not sent_meanwhile(Notice, event)
    Notice.objects.create(token="t", title="停水通知", body="今晚停水。", created_by=cast.staff_c1,
                          event_id=event)
    assert sent_meanwhile(Notice, event)
    assert sent_meanwhile(Notice.objects.filter(token="t"), event)
    assert not sent_meanwhile(Notice.objects.filter(token="x"), event)
    assert not sent_meanwhile(Notice, other)
    assert not sent_meanwhile(Notice, None)
