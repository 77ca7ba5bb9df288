"""The Django admin's resident searches on the audit page are scoped like the rest of it
(audit F8): each row is about the narrowest area holding what the search found."""

from firstline.accounts.models import AuditEntry
from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign
from firstline.people.selectors import audit_entries_visible_to

PASSWORD = "pw-Firstline-1"


def _auditor(name, area):
    user, _ = user_assign(username=name, role=Role.AUDITOR, area=area, password=PASSWORD)
    return user


def _search(web, q):
    web("admin").get("/admin/people/resident/", {"q": q})
    return AuditEntry.objects.filter(action="resident.search_full").latest("pk")


def _sees(user, entry):
    return audit_entries_visible_to(user).filter(pk=entry.pk).exists()


def test_a_search_finding_one_resident_is_about_its_grid(web, cast, areas, roster):
    e = _search(web, roster.a1.id_number)
    assert (e.object_type, e.object_id, e.detail) == ("areas.area", "G1a", "admin search: 1 rows")
    assert roster.a1.id_number not in e.detail


def test_only_the_auditors_of_the_found_residents_area_see_the_search(web, cast, areas, roster):
    e = _search(web, roster.a1.id_number)
    c1, c2 = _auditor("aud_c1", areas.c1), _auditor("aud_c2", areas.c2)
    assert (_sees(c1, e), _sees(c2, e), _sees(cast.auditor, e)) == (True, False, True)


def test_the_audit_page_of_another_community_does_not_list_it(web, cast, areas, roster):
    _search(web, roster.a1.id_number)
    _auditor("aud_c2", areas.c2)
    html = web("aud_c2", "en").get("/people/audit/").content.decode()
    assert "admin search: 1 rows" not in html
    _auditor("aud_c1", areas.c1)
    html = web("aud_c1", "en").get("/people/audit/").content.decode()
    assert "admin search: 1 rows" in html


def test_a_search_across_two_communities_is_about_their_street(web, cast, areas, roster):
    e = _search(web, "0000")  # a phone fragment: residents of C1 and C2 alike
    assert e.object_id == "99000101"
    c1 = _auditor("aud_c1", areas.c1)
    assert (_sees(c1, e), _sees(cast.auditor, e)) == (False, True)


def test_a_search_finding_nobody_is_seen_only_by_an_auditor_of_a_whole_tree(
        web, cast, areas, roster):
    e = _search(web, "110101190001011234")
    assert (e.object_id, e.detail) == ("", "admin search: 0 rows")
    city = _auditor("aud_city", areas.city)
    assert (_sees(cast.auditor, e), _sees(city, e)) == (False, True)
