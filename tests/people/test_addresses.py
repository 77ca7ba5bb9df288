"""Household addresses typed the way the pages show them (1栋 2单元 102室) are the same
household as 1/2/102: one normaliser for the import, the forms and the search boxes."""

import pytest

from firstline.people.models import Building, Household, Resident
from firstline.people.services import building_name_normalize, household_address_normalize

from .test_import import ID1, ID2, ID3, run, write_csv


@pytest.mark.parametrize("typed,stored", [
    (("1栋", "2单元", "102室"), ("1", "2", "102")),
    (("1", "2", "102"), ("1", "2", "102")),
    (("３号楼", "２单元", "１０２号"), ("3", "2", "102")),
    (("5幢", "", "301"), ("5", "", "301")),
    (("7楼", " 1 单元", "2 0 1 室"), ("7", "1", "201")),
    (("A座", "东单元", "B1室"), ("A座", "东", "B1")),
    (("栋", "单元", "室"), ("栋", "单元", "室")),  # nothing would remain: kept as typed
    (("Ａ座", "", ""), ("A座", "", "")),
    (("", "", ""), ("", "", "")),
])
def test_household_address_normalize(typed, stored):
    b, u, r = typed
    assert household_address_normalize(building=b, unit=u, room=r) == stored


def test_building_name_normalize_for_the_building_box():
    assert building_name_normalize("12号楼") == "12"
    assert building_name_normalize("１２栋") == "12"


def test_import_with_suffixes_joins_the_existing_household(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", [
        ["王伟", ID1, "", "G1a", "阳光花园", "1", "2", "102", "常住", ""]]))
    out = run(write_csv(tmp_path / "b.csv", [
        ["王芳", ID2, "", "G1a", "阳光花园", "1栋", "2单元", "102室", "常住", ""],
        ["李强", ID3, "", "G1a", "阳光花园", "１栋", "２单元", "１０２", "常住", ""]]))
    assert out.summary == "imported 2, updated 0, rejected 0"
    assert Household.objects.count() == 1 and Building.objects.count() == 1
    h = Household.objects.get()
    assert h.address == "阳光花园 1栋 2单元 102室"
    assert set(Resident.objects.values_list("household", flat=True)) == {h.pk}


def test_reimport_with_suffixes_changes_nothing(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", [
        ["王伟", ID1, "", "G1a", "阳光花园", "1", "2", "102", "常住", ""]]))
    out = run(write_csv(tmp_path / "b.csv", [
        ["王伟", ID1, "", "G1a", "阳光花园", "1栋", "2单元", "102室", "常住", ""]]))
    assert out.summary == "imported 0, updated 0, rejected 0"


def test_screening_search_finds_a_building_typed_with_its_suffix(roster, cast):
    from django.test import Client

    c = Client()
    c.force_login(cast.grid_a)
    html = c.get("/people/screening/", {"q": "1栋"}).content.decode()
    assert roster.h1.address in html
    html = c.get("/people/screening/", {"q": "101室"}).content.decode()
    assert roster.h1.address in html


def test_admin_building_form_normalises_the_name(roster):
    from firstline.people.admin import BuildingAdminForm

    form = BuildingAdminForm(data={"compound": roster.h1.compound_id, "name": "９号楼"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "9"


def test_admin_household_form_normalises_the_address(roster, cast):
    from firstline.people.admin import HouseholdAdminForm

    form = HouseholdAdminForm(instance=roster.h1, data={
        "compound": roster.h1.compound_id, "building": roster.h1.building_id or "",
        "building_name": "1栋", "unit": "2单元", "room": "101室", "grid": roster.h1.grid_id})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["building_name"], form.cleaned_data["unit"],
            form.cleaned_data["room"]) == ("1", "2", "101")
