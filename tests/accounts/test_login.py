from django.test import Client, override_settings

from tests.conftest import PASSWORD


def login(client, username, password, addr="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=addr)


def test_login_with_good_password_lands_on_home(cast):
    client = Client()
    response = login(client, "grid_a", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(cast):
    response = login(Client(), "grid_a", "wrong")
    assert response.status_code == 401
    assert "login" in response.templates[0].name


@override_settings(LOGIN_THROTTLE_LIMIT=3)
def test_repeated_failures_for_one_username_throttle_even_the_right_password(cast):
    for i in range(3):
        login(Client(), "grid_a", "wrong", addr=f"10.0.0.{i}")
    assert login(Client(), "grid_a", PASSWORD, addr="10.0.9.9").status_code == 429


@override_settings(LOGIN_THROTTLE_LIMIT=2)
def test_repeated_failures_from_one_address_throttle_other_usernames(cast):
    for i in range(8):
        login(Client(), f"someone{i}", "wrong", addr="10.9.9.9")
    assert login(Client(), "grid_a", PASSWORD, addr="10.9.9.9").status_code == 429
    assert login(Client(), "grid_a", PASSWORD, addr="10.1.1.1").status_code == 302


@override_settings(LOGIN_THROTTLE_LIMIT=3)
def test_api_token_exchange_is_throttled_too(cast):
    client = Client()
    for _ in range(3):
        client.post("/api/v1/auth/token", {"username": "hq", "password": "bad"},
                    content_type="application/json")
    response = client.post("/api/v1/auth/token", {"username": "hq", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"


def test_pages_need_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_login_form_needs_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "grid_a", PASSWORD).status_code == 403


def test_pages_carry_a_csp_without_inline_scripts(cast):
    response = Client().get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.content


def test_next_parameter_cannot_redirect_off_site(cast):
    response = Client().post("/login/?next=https://evil.example/",
                             {"username": "grid_a", "password": PASSWORD,
                              "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_passwords_are_hashed_with_argon2_in_production():
    from firstline import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
