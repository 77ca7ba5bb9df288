from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}

# Chinese and English spellings accepted in import files.
LEVEL_ALIASES = {
    "city": Level.CITY, "市": Level.CITY,
    "district": Level.DISTRICT, "区县": Level.DISTRICT, "区": Level.DISTRICT, "县": Level.DISTRICT,
    "區縣": Level.DISTRICT, "區": Level.DISTRICT,
    "street": Level.STREET, "街道/乡镇": Level.STREET, "街道": Level.STREET, "乡镇": Level.STREET,
    "乡": Level.STREET, "镇": Level.STREET, "鄉鎮": Level.STREET, "鎮": Level.STREET,
    "community": Level.COMMUNITY, "社区/村": Level.COMMUNITY, "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY, "社區": Level.COMMUNITY,
    "grid": Level.GRID, "网格": Level.GRID, "網格": Level.GRID,
}


def subtree_q(area, field: str = "") -> Q:
    """Rows whose area `field` ("grid", "compound__area"; "" for areas themselves) lies in the
    subtree of `area` (an Area or its path), `area` included: the one subtree predicate.

    Paths end with a separator, so "/1/5/" never matches "/1/50/".
    """
    path = area if isinstance(area, str) else area.path
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": path})


class AreaQuerySet(models.QuerySet):
    def subtree(self, area):
        """`area` and every area under it (one indexed prefix query)."""
        return self.filter(subtree_q(area))


class Area(models.Model):
    """A node of the jurisdiction tree: city > district > street > community > grid.

    `path` is the materialized path of primary keys ("/1/5/9/"), so "everything under this
    area" is one indexed prefix query: `Area.objects.subtree(area)`; rows of other models
    under an area: `.filter(subtree_q(area, "grid"))`.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return Area.objects.filter(pk__in=ids).order_by("depth")
