from firstline.accounts.models import ApiToken, AuditEntry


def test_a_user_creates_and_revokes_their_own_token(cast, client):
    client.force_login(cast.grid_a)
    page = client.post("/accounts/me/", {"action": "token", "label": "north gate"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=cast.grid_a)
    assert token.hint in page.content.decode()
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", object_id=str(token.pk)).exists()


def test_nobody_can_revoke_someone_elses_token(cast, client):
    from firstline.accounts.services import token_create

    _plain, token = token_create(user=cast.hq)
    client.force_login(cast.grid_a)
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_password_change_needs_the_old_password(cast, client):
    client.force_login(cast.grid_a)
    response = client.post("/accounts/me/", {"action": "password", "old_password": "wrong",
                                             "new_password1": "N3w-long-pass!",
                                             "new_password2": "N3w-long-pass!"})
    assert response.status_code == 200
    cast.grid_a.refresh_from_db()
    assert not cast.grid_a.check_password("N3w-long-pass!")


def test_admin_role_reaches_the_django_admin_and_others_do_not(cast, client):
    client.force_login(cast.admin)
    assert client.get("/admin/areas/area/").status_code == 200
    client.force_login(cast.hq)
    assert client.get("/admin/areas/area/").status_code == 302


def test_the_home_page_links_the_admin_for_admins_only(cast, client):
    client.force_login(cast.admin)
    assert 'href="/admin/"' in client.get("/").content.decode()
    client.force_login(cast.hq)
    assert 'href="/admin/"' not in client.get("/").content.decode()


def test_the_admin_of_background_tasks_speaks_the_admins_language(cast, client):
    # django-tasks' admin ships English-only labels (and two plain strings no catalogue can
    # reach): Firstline's own config and admin class carry them into the admin's language.
    from django_tasks_db.models import DBTaskResult

    from firstline import clock
    DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                backend_name="database", run_after=clock.now(),
                                exception_class_path="", traceback="")
    client.force_login(cast.admin)
    index = client.get("/admin/").content.decode()
    assert "后台任务" in index and "Tasks Database Backend" not in index
    page = client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    for label in ("任务名称", "入队时间", "优先级", "队列", "待执行"):
        assert label in page, label
    for english in ("Task name", "Enqueued at", "Queue name", "Task Results"):
        assert english not in page, english
