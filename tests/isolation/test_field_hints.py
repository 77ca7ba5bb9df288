"""Hand-built forms of the isolation pages print each field through _field.html: every id an
input's aria-describedby names (its hint, <id>_helptext) is on the page."""

import re

import pytest
from django.test import Client

from firstline.isolation import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _dangling(page: str) -> set[str]:
    named = {i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()}
    assert named  # the pages do have hints
    return {i for i in named if f'id="{i}"' not in page}


def _client(cast):
    c = Client()
    assert c.login(username=cast.staff_c1.username, password=PASSWORD)
    return c


def test_the_start_form_has_every_hint_its_inputs_name(cast, roster):
    page = _client(cast).get(f"/isolation/new/?resident={roster.a1.pk}").content.decode()
    assert _dangling(page) == set()


def test_the_site_board_forms_have_every_hint_their_inputs_name(cast, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    page = _client(cast).get(f"/isolation/sites/{site.pk}/").content.decode()
    assert _dangling(page) == set()
