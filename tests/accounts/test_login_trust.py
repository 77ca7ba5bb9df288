"""One login throttle for every login path, atomic under concurrency; the proxy's right-most
untrusted address."""

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from firstline.accounts.models import LoginFailure
from firstline.accounts.services import Throttled, client_address, login_check
from tests.conftest import PASSWORD


def web_login(client, username, password, addr="10.0.0.1", path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_admin_login_posts_check_no_password(cast):
    c = Client()
    for _ in range(30):
        r = web_login(c, "admin", "wrong", path="/admin/login/")
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert c.get("/admin/").status_code == 302  # not signed in


def test_admin_login_with_the_right_password_does_not_sign_in_either(cast):
    c = Client()
    web_login(c, "admin", PASSWORD, path="/admin/login/")
    assert c.get("/admin/").status_code == 302


@override_settings(LOGIN_THROTTLE_LIMIT=3)
def test_a_locked_account_stays_locked_for_the_admin(cast):
    for i in range(3):
        web_login(Client(), "admin", "wrong", addr=f"10.0.0.{i}")
    c = Client()
    assert web_login(c, "admin", PASSWORD, addr="10.0.5.5").status_code == 429
    web_login(c, "admin", PASSWORD, addr="10.0.5.5", path="/admin/login/")
    assert c.get("/admin/").status_code == 302


def test_the_admin_sends_to_the_one_login_page_and_back(cast):
    r = Client().get("/admin/")
    r = Client().get(r.url)
    assert r.status_code == 302 and r.url == "/login/?next=%2Fadmin%2F"
    c = Client()
    r = c.post("/login/?next=/admin/", {"username": "admin", "password": PASSWORD,
                                        "next": "/admin/"})
    assert r.status_code == 302 and r.url == "/admin/"
    assert c.get("/admin/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_THROTTLE_LIMIT=5)
def test_forty_parallel_wrong_passwords_check_at_most_the_limit(cast):
    from django.contrib.auth import authenticate as real_authenticate

    from firstline.accounts import services

    checked, throttled = [], []
    lock = threading.Lock()

    def counting(request, **kw):
        with lock:
            checked.append(1)
        return real_authenticate(request, **kw)

    barrier = threading.Barrier(40)

    def attempt(i):
        request = RequestFactory().post("/login/", REMOTE_ADDR=f"10.1.{i // 200}.{i % 200}")
        barrier.wait()
        try:
            login_check(request=request, username="grid_a", password="wrong")
        except Throttled:
            with lock:
                throttled.append(1)
        finally:
            connection.close()

    services.authenticate, original = counting, services.authenticate
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        services.authenticate = original
    assert len(checked) <= 5 and len(checked) + len(throttled) == 40
    assert LoginFailure.objects.filter(kind="user").count() == 40


@override_settings(TRUST_X_FORWARDED_FOR=True, TRUSTED_PROXIES=["10.0.0.2"])
def test_the_right_most_untrusted_forwarded_address_is_the_client():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.2",
                                   REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "203.0.113.9"


@override_settings(TRUST_X_FORWARDED_FOR=True, LOGIN_THROTTLE_LIMIT=2)
def test_a_client_cannot_escape_the_throttle_by_forging_the_left_of_the_header(cast):
    for i in range(8):
        Client().post("/login/", {"username": f"u{i}", "password": "x"},
                      HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    r = Client().post("/login/", {"username": "grid_a", "password": PASSWORD},
                      HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert r.status_code == 429
