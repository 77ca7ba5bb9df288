from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from firstline.accounts.models import ApiToken, token_digest
from firstline.accounts.services import token_create, token_revoke
from tests.conftest import PASSWORD


def get_area(token, code="C1"):
    return Client().get(f"/api/v1/areas/{code}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_password_exchange_gives_a_working_token(cast):
    response = Client().post("/api/v1/auth/token", {"username": "staff_c1", "password": PASSWORD},
                             content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert get_area(body["token"]).status_code == 200


def test_token_is_stored_only_as_a_digest(cast):
    plain, token = token_create(user=cast.staff_c1)
    assert token.digest == token_digest(plain)
    assert not ApiToken.objects.filter(digest=plain).exists()
    assert plain not in {t.hint for t in ApiToken.objects.all()}


def test_bad_credentials_are_401_with_error_body(cast):
    response = Client().post("/api/v1/auth/token", {"username": "staff_c1", "password": "nope"},
                             content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"] == "bad_credentials"


def test_expired_token_is_refused(cast):
    plain, token = token_create(user=cast.staff_c1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = get_area(plain)
    assert response.status_code == 401
    assert set(response.json()) == {"error", "detail"}


def test_revoked_token_is_refused(cast):
    plain, token = token_create(user=cast.staff_c1)
    token_revoke(token=token)
    assert get_area(plain).status_code == 401


def test_token_of_a_deactivated_user_is_refused(cast):
    plain, _ = token_create(user=cast.staff_c1)
    cast.staff_c1.is_active = False
    cast.staff_c1.save()
    assert get_area(plain).status_code == 401


def test_missing_and_garbage_tokens_are_401(cast):
    assert Client().get("/api/v1/areas/C1").status_code == 401
    assert get_area("x" * 500).status_code == 401


def test_cli_prints_the_token_alone_on_the_last_line(cast, capsys):
    call_command("token_create", "staff_c1")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("fl_") and " " not in last
    assert get_area(last).status_code == 200


def test_malformed_json_body_is_a_4xx_not_a_500(cast):
    response = Client().post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


@pytest.mark.parametrize("payload", [{}, {"username": "x"}, {"username": 1, "password": []}])
def test_token_request_validation_is_422(cast, payload):
    response = Client().post("/api/v1/auth/token", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
