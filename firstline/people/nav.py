from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Screening"), url_name="people:screening", perm="people.screen", order=15),
    NavItem(label=_("Residents"), url_name="people:residents", perm="people.view", order=20),
    NavItem(label=_("Key persons"), url_name="people:key_persons", perm="people.view", order=22),
    NavItem(label=_("Coverage (三级包保)"), url_name="people:coverage", perm="people.assign",
            order=24),
    NavItem(label=_("Risk areas"), url_name="people:risk_areas", perm="people.risk_areas",
            order=25),
    NavItem(label=_("Import roster"), url_name="people:import", perm="people.import", order=26),
    NavItem(label=_("Export roster"), url_name="people:export", perm="people.export", order=27),
    # Every export runs in the background (firstline.exportjobs): the files are fetched here.
    NavItem(label=_("My exports"), url_name="exportjobs:jobs", perm="people.export", order=28),
    NavItem(label=_("Personal-data audit"), url_name="people:audit", perm="audit.view", order=90),
]

PANELS = [Panel(url_name="people:panel", perm="people.view", order=20)]
