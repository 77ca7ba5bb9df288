"""HQ tasks over the API show their free text as the task page does: a mobile or an ID
number typed into the detail or the done note is masked (mask_in_text)."""

from datetime import timedelta

from firstline import clock
from firstline.operations import services


def test_the_api_lists_a_task_with_typed_numbers_masked(api, cast, areas):
    [task] = services.task_send(actor=cast.hq, title="排查", areas=[areas.c1],
                                detail="联系人13812345678", due_at=clock.now() + timedelta(hours=2))
    services.task_done(actor=cast.staff_c1, task=task, note="身份证110101199003071234已核")
    [item] = api("staff_c1").get("/api/v1/tasks").json()["items"]
    assert item["detail"] == "联系人138****5678"
    assert item["note"] == "身份证110***********1234已核"
    assert api("staff_c1").get(f"/api/v1/tasks/{task.pk}").json()["note"] == item["note"]
