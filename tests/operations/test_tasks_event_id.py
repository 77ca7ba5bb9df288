"""任务下达 sent again with its event_id (a phone retrying, a form sent twice) is one batch."""

import uuid
from datetime import timedelta

import pytest

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.operations import services
from firstline.operations.models import Task
from tests.conftest import event_id_in, race

EVENT = "0b7c3a52-1d9e-4f3a-8f55-6c1e2a9d7b10"


def _body(**extra):
    return {"title": "排查返乡人员", "detail": "今日 18 时前上报", "areas": ["C1", "C2"],
            "due_at": (clock.now() + timedelta(hours=6)).isoformat(), "event_id": EVENT,
            **extra}


def test_a_task_sent_again_with_its_event_id_answers_the_same_ids_and_writes_nothing(api):
    first = api("hq").post("/api/v1/tasks", _body())
    audits = AuditEntry.objects.count()
    again = api("hq").post("/api/v1/tasks", _body())
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() and len(first.json()["ids"]) == 2
    assert Task.objects.count() == 2 and AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_task_is_409(api):
    assert api("hq").post("/api/v1/tasks", _body()).status_code == 201
    r = api("hq").post("/api/v1/tasks", _body(title="另一件事"))
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Task.objects.count() == 2


def test_a_bad_event_id_is_422_naming_it(api):
    r = api("hq").post("/api/v1/tasks", _body(event_id="not-a-uuid"))
    assert r.status_code == 422 and "event_id" in r.content.decode()
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_task_sent_by_five_threads_at_once_is_one_batch(file_database, cast, areas):
    event = uuid.UUID(EVENT)
    due = clock.now() + timedelta(hours=6)

    def work(i):
        from firstline.accounts.models import User

        return services.task_send(actor=User.objects.get(username="hq"), title="排查",
                                  areas=[areas.c1, areas.c2], due_at=due, event_id=event)

    results = race(5, work)
    assert all(isinstance(r, list) for r in results), results
    assert len({tuple(t.pk for t in r) for r in results}) == 1
    assert sorted(r[0].replayed for r in results) == [False] + [True] * 4
    assert Task.objects.count() == 2


# --- the web form (operations tasks page) -----------------------------------------------------

def _form(event_id, **extra):
    due = clock.localtime(clock.now() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    return {"action": "send", "title": "排查返乡人员", "areas": ["C1", "C2"], "due_at": due,
            "event_id": event_id, **extra}


def test_the_task_form_sent_twice_is_one_batch_and_a_normal_answer(web, cast, areas):
    client = web("hq")
    event = event_id_in(client.get("/operations/tasks/").content.decode())
    first = client.post("/operations/tasks/", _form(event))
    again = client.post("/operations/tasks/", _form(event))
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    assert Task.objects.count() == 2
    assert event_id_in(client.get("/operations/tasks/").content.decode()) != event


def test_a_refused_task_form_keeps_its_event_id_and_then_sends_once(web, cast, areas):
    client = web("hq")
    event = event_id_in(client.get("/operations/tasks/").content.decode())
    refused = client.post("/operations/tasks/", _form(event, title=""))
    assert refused.status_code == 422 and event_id_in(refused.content.decode()) == event
    assert client.post("/operations/tasks/", _form(event)).status_code == 302
    assert client.post("/operations/tasks/", _form(event)).status_code == 302
    assert Task.objects.count() == 2


def test_the_task_form_sent_again_with_other_words_says_so_with_a_new_event_id(web, cast, areas):
    client = web("hq")
    assert client.post("/operations/tasks/", _form(EVENT)).status_code == 302
    r = client.post("/operations/tasks/", _form(EVENT, title="另一件事"))
    html = r.content.decode()
    assert r.status_code == 422 and "已经提交过一次" in html
    renewed = event_id_in(html)
    assert renewed != EVENT and Task.objects.count() == 2
    assert client.post("/operations/tasks/", _form(renewed, title="另一件事")).status_code == 302
    assert Task.objects.count() == 4
