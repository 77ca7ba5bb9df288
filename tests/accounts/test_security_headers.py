"""The rest of the security pass: headers, hosts, passwords."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from firstline.accounts.models import User


def test_a_full_read_is_not_stored_by_browsers_or_proxies(api, cast, areas):
    from firstline.people.models import Resident
    from tests.conftest import make_household
    from tests.people.conftest import make_resident

    r = make_resident(make_household(areas.g1a, room="101"), name="邵兰")
    response = api("staff_c1").get(f"/api/v1/residents/{r.pk}", reason="contact")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert Resident.objects.filter(pk=r.pk).exists()


def test_pages_are_no_store_too(web):
    assert web("staff_c1").get("/people/")["Cache-Control"] == "no-store"


def test_the_api_docs_have_a_content_security_policy(db):
    response = Client().get("/api/v1/docs")
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("host", ["evil.example", "firstline.evil.example"])
def test_a_forged_host_is_refused(db, host, settings):
    settings.ALLOWED_HOSTS = [h for h in settings.ALLOWED_HOSTS if h != "testserver"] or [
        "localhost"]
    assert Client().get("/login/", HTTP_HOST=host).status_code == 400


def test_the_default_allowed_hosts_are_local_names_not_a_wildcard():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
         " 'firstline.settings'); os.environ.pop('FIRSTLINE_ALLOWED_HOSTS', None); "
         "from django.conf import settings; print(settings.ALLOWED_HOSTS)"],
        capture_output=True, text=True, check=True)
    assert "'*'" not in out.stdout and "localhost" in out.stdout


def test_user_create_accepts_a_good_password_from_stdin(areas, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Firstline-good-2020\n"))
    call_command("user_create", "good", "--role", "grid_worker", "--area", "G1a",
                 "--password-stdin")
    assert User.objects.get(username="good").check_password("Firstline-good-2020")


@pytest.mark.parametrize("password", ["a", "83920571946", "liuyang2026"],
                         ids=["too short", "all digits", "like the username"])
def test_user_create_refuses_what_the_docs_say_it_refuses(areas, monkeypatch, password):
    # docs/cli.md, docs/admin.md: at least 8 characters, not common, not all digits, not like
    # the username; nothing is created.
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError) as exc:
        call_command("user_create", "liuyang2026", "--role", "grid_worker", "--area", "G1a",
                     "--password-stdin")
    assert exc.value.returncode == 1
    assert not User.objects.filter(username="liuyang2026").exists()


def test_a_short_password_is_refused_wholly_in_simplified_chinese(areas, monkeypatch):
    # Django 5.2's zh_Hans catalogue lacks its new "too short … %d" wording.
    import io

    from django.utils import translation

    monkeypatch.setattr("sys.stdin", io.StringIO("q7#kz\n"))
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command("user_create", "short", "--role", "grid_worker", "--area", "G1a",
                     "--password-stdin")
    assert "密码太短：至少 8 个字符。" in str(exc.value)
    assert "too short" not in str(exc.value)
