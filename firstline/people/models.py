from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from firstline import clock


class Residency(models.TextChoices):
    PERMANENT = "permanent", _("permanent (常住)")
    TEMPORARY = "temporary", _("temporary (暂住)")
    FLOATING = "floating", _("floating (流动)")


# What a roster file, the API or a form may say for a residency: the code, or the word in
# simplified or traditional Chinese (人口 and 户籍 as rosters write them) — the one mapping.
RESIDENCY_ALIASES = {
    "": Residency.PERMANENT,
    "常住": Residency.PERMANENT, "常住人口": Residency.PERMANENT, "户籍": Residency.PERMANENT,
    "戶籍": Residency.PERMANENT, "permanent": Residency.PERMANENT,
    "暂住": Residency.TEMPORARY, "暫住": Residency.TEMPORARY, "暂住人口": Residency.TEMPORARY,
    "暫住人口": Residency.TEMPORARY, "temporary": Residency.TEMPORARY,
    "流动": Residency.FLOATING, "流動": Residency.FLOATING, "流动人口": Residency.FLOATING,
    "流動人口": Residency.FLOATING, "floating": Residency.FLOATING,
}


def residency_read(value) -> str | None:
    """The Residency code for `value` — a code or its word in any of the three languages
    ("常住", "暫住", "Floating"); empty is permanent; None when it names none."""
    return RESIDENCY_ALIASES.get(" ".join(str(value or "").split()).lower())


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Compound(models.Model):
    """小区: a residential compound, in a community (the parent of the grids it spans)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="compounds",
                             verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="compound_unique")]

    def __str__(self):
        return self.name


class Building(models.Model):
    """楼栋. Created as needed by the roster import; lockdowns target a building."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="buildings",
                                 verbose_name=_("compound"))
    name = models.CharField(_("building"), max_length=50)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="building_unique")]

    def __str__(self):
        return f"{self.compound} {self.name}"


class Household(models.Model):
    """户: (compound, building, unit, room). `grid` is the grid its residents belong to."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="households",
                                 verbose_name=_("compound"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="households", verbose_name=_("building"))
    building_name = models.CharField(_("building"), max_length=50, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    room = models.CharField(_("room"), max_length=20, blank=True, default="")
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="households",
                             verbose_name=_("grid"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["compound", "building_name", "unit", "room"],
                                    name="household_address_unique")
        ]
        # The address search (selectors.households_matching) compares room, building and
        # unit case-insensitively (UPPER(x) = UPPER(typed)): an index on the same expressions,
        # room first (the most selective part), so a search reads a few index entries.
        indexes = [models.Index(Upper("room"), Upper("building_name"), Upper("unit"),
                                name="people_household_address_ci")]

    def __str__(self):
        return self.address

    @property
    def address(self) -> str:
        return self.address_of(self.compound.name, self.building_name, self.unit, self.room)

    @staticmethod
    def address_of(compound: str, building: str, unit: str, room: str) -> str:
        """"翰林华府 7栋 2单元 301室" from its parts (also for a row read without the model)."""
        parts = [compound]
        if building:
            parts.append(f"{building}栋")
        if unit:
            parts.append(f"{unit}单元")
        if room:
            parts.append(f"{room}室")
        return " ".join(parts)


class Resident(models.Model):
    """A person on the roster, keyed by their resident ID number (身份证号).

    `household`/`grid` are where they live now; `Placement` keeps the dated history so a past
    day's report gives the same numbers after a move.
    """

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=11, blank=True, default="")
    residency = models.CharField(_("residency"), max_length=16, choices=Residency.choices,
                                 default=Residency.PERMANENT)
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="residents",
                             verbose_name=_("grid"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residents",
                                  verbose_name=_("household"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # No index on phone: searches match its tail (LIKE '%1234'), which no B-tree serves.
        indexes = [
            models.Index(fields=["name"]),
            # The residents list in its order (grid, household): a page of a street of a
            # million is read from this index, not sorted from the table.
            models.Index(fields=["grid", "household", "id"], name="people_resident_grid_hh"),
        ]

    def __str__(self):
        return self.name


def held_at(at, prefix: str = "") -> Q:
    """A dated fact (placement, key person) holding just before instant `at`: `since` < at
    <= `until`; the end of a day is 24:00, so a fact ended at midnight still counts for that
    day. As a Q for conditional counts (`Count(..., filter=held_at(w.end))`)."""
    return Q(**{f"{prefix}since__lt": at}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": at}))


class DatedFactQuerySet(models.QuerySet):
    """Facts that hold from `since` until `until` (None: still): placements, key persons."""

    def current(self, at=None):
        """Holding just before instant `at` (held_at); without `at`: not ended."""
        if at is None:
            return self.filter(until__isnull=True)
        return self.filter(held_at(at))

    def overlapping(self, start, end):
        """Holding at some moment of [start, end)."""
        return self.filter(Q(until__isnull=True) | Q(until__gte=start), since__lt=end)


class RiskAreaQuerySet(models.QuerySet):
    def listed_on(self, on):
        """Listed on local date `on`: since <= on < until (None: not delisted)."""
        return self.filter(Q(until__isnull=True) | Q(until__gt=on), since__lte=on)

    def not_delisted_by(self, on):
        """Still listed on `on` or listed later (the list staff keep)."""
        return self.filter(Q(until__isnull=True) | Q(until__gt=on))


class Placement(models.Model):
    """Where a resident lived from `since` until `until` (None: still there)."""

    # resident and grid are the first columns of the composite indexes below: no index of
    # their own (the roster import writes a million of these).
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="placements",
                                 db_index=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    since = models.DateTimeField(default=clock.now)
    until = models.DateTimeField(null=True, blank=True)

    objects = DatedFactQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [
            models.Index(fields=["grid", "since"]),
            models.Index(fields=["resident", "since"]),
            # The daily report's residents/households: an index-only pass in (grid, household)
            # order (`include` is PostgreSQL-only; elsewhere a plain (grid, household) index).
            models.Index(fields=["grid", "household"], include=["since", "until"],
                         name="people_placement_grid_hh"),
            # The dashboard's today: the placements ended during a day (its residents are
            # yesterday's plus the day's arrivals and departures). Partial: only ended
            # placements, so the roster import's million open ones never write it.
            models.Index(fields=["until"], condition=models.Q(until__isnull=False),
                         name="people_placement_until"),
        ]

    def __str__(self):
        return f"{self.resident} @ {self.household_id} since {self.since:%Y-%m-%d}"


# --- screening (入户摸排), key persons (重点人员), responsibility (三级包保) ------------------


# The levels the national list used (中/高风险). A constant, not field choices: entries made
# in the admin before the page existed may carry other text, shown as typed.
RISK_LEVELS = {"high": _("high risk"), "medium": _("medium risk")}


class RiskArea(models.Model):
    """An entry of the configurable list of risk areas (中高风险地区): a province, a city or a
    county of GB/T 2260 (people.divisions), by its `code` (2, 4 or 6 digits).

    A place is covered when its code starts with the entry's: a county inside a listed city
    is covered, a whole province covers everything in it. `province`/`city`/`county` keep the
    official names for display. Active from `since` (local date) until `until` (exclusive;
    None: still listed). A visit records whether the place a person came from was on the list
    at the time of the visit. Entries older than the codes have `code` "" and are matched by
    their names (migration 0012 coded every one it could read).
    """

    code = models.CharField(_("division code"), max_length=6, blank=True, default="",
                            help_text=_("GB/T 2260: 2 digits a province, 4 a city, 6 a county"))
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(pgettext_lazy("place", "city"), max_length=30, blank=True, default="")
    county = models.CharField(_("county"), max_length=30, blank=True, default="")
    level = models.CharField(_("level"), max_length=16, blank=True, default="",
                             help_text=_("e.g. high / medium"))
    since = models.DateField(_("listed from"))
    until = models.DateField(_("listed until"), null=True, blank=True)
    source = models.CharField(_("source document"), max_length=200, blank=True, default="")

    objects = RiskAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        ordering = ["province", "city"]

    def __str__(self):
        return f"{self.province}{self.city}{self.county}"

    @property
    def place_label(self) -> str:
        """湖北省武汉市, 湖北省武汉市江岸区; a whole province: 湖北省（全省）."""
        if self.city or self.county:
            return f"{self.province}{self.city}{self.county}"
        return gettext("%(province)s (whole province)") % {"province": self.province}

    @property
    def level_label(self) -> str:
        return str(RISK_LEVELS.get(self.level, self.level))


class KeyPersonCategory(models.Model):
    """A category of key person (重点人员). Configurable; the defaults come from the seeds.

    `auto` categories are also derived from the facts a visit records (`risk_area`: came
    from a listed risk area; `fever`: temperature at or over the fever rule).
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True, default="")
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=50, blank=True,
                                    default="")
    auto = models.CharField(_("derived from"), max_length=16, blank=True, default="",
                            choices=[("", "-"), ("risk_area", _("came from a risk area")),
                                     ("fever", _("fever"))])
    order = models.PositiveSmallIntegerField(_("order"), default=50)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key-person category")
        verbose_name_plural = _("key-person categories")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        if language == "zh-hant" and self.name_zh_hant:
            return self.name_zh_hant
        return self.name


class Transport(models.TextChoices):
    NONE = "", _("not travelled")
    TRAIN = "train", _("train")
    FLIGHT = "flight", _("flight")
    CAR = "car", _("car")
    BUS = "bus", _("coach / bus")
    OTHER = "other", _("other")


class VisitSource(models.TextChoices):
    SCREENING = "screening", _("door-to-door screening")
    DECLARATION = "declaration", _("return declaration confirmed")


SCREENED = {"source": VisitSource.SCREENING, "nobody_home": False}


class ScreeningVisitQuerySet(models.QuerySet):
    def screened(self):
        """Visits that screened their household (入户摸排 done): a screening visit, at the door
        or by phone, where someone answered (not "nobody home"). Not an attempt with nobody
        home, nor the confirmation of one member's return declaration (返回登记, recorded as
        a visit so the key-person facts follow, but it screens nobody else). The one
        definition of "visited" for the screening list, the households due for a visit and
        the daily report's households_visited. (ScreeningVisit.screened says it of one.)"""
        return self.filter(**SCREENED)


class ScreeningVisit(models.Model):
    """入户摸排: one door-to-door screening visit of a household by a grid worker (or an
    attempt: nobody home), or the record of a confirmed return declaration (`source`). Only
    `ScreeningVisit.objects.screened()` counts as the household visited."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits",
                                  verbose_name=_("household"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"), help_text=_("the household's grid (scope)"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("grid worker"))
    visited_at = models.DateTimeField(_("visited at"), default=clock.now)
    nobody_home = models.BooleanField(_("nobody home"), default=False)
    by_phone = models.BooleanField(_("by phone"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=VisitSource.choices,
                              default=VisitSource.SCREENING)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    rule_version = models.CharField(max_length=64, blank=True, default="")
    event_id = models.UUIDField(null=True, blank=True, unique=True,
                                help_text=_("sent by a phone syncing offline: a retry "
                                            "records nothing new"))
    created_at = models.DateTimeField(default=clock.now)  # the server's receipt time
    # The device's own time when it ran ahead and visited_at is the server's (CONTRACT "Time").
    device_at = models.DateTimeField(null=True, blank=True)

    objects = ScreeningVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening visit")
        verbose_name_plural = _("screening visits")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["grid", "visited_at"]),
                   models.Index(fields=["household", "visited_at"])]

    def __str__(self):
        return f"{self.household} {self.visited_at:%Y-%m-%d}"

    @property
    def screened(self) -> bool:
        """This visit screened its household (ScreeningVisit.objects.screened())."""
        return all(getattr(self, f) == v for f, v in SCREENED.items())

    @property
    def outcome_label(self) -> str:
        """What a visit that did not screen the household was: nobody home, a declaration."""
        if self.source == VisitSource.DECLARATION:
            return self.get_source_display()
        return gettext("nobody home") if self.nobody_home else ""

    @property
    def clock(self) -> str:
        from firstline import clock

        return "corrected" if clock.was_corrected(self.device_at, self.visited_at) else "ok"


class VisitPerson(models.Model):
    """What a visit found about one member of the household."""

    visit = models.ForeignKey(ScreeningVisit, on_delete=models.CASCADE, related_name="people")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="visit_records",
                                 verbose_name=_("resident"))
    present = models.BooleanField(_("at home"), default=True)
    from_province = models.CharField(_("came from (province)"), max_length=30, blank=True,
                                     default="")
    from_city = models.CharField(_("came from (city)"), max_length=30, blank=True, default="")
    from_risk_area = models.BooleanField(_("from a risk area"), default=False)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    transport = models.CharField(_("transport"), max_length=16, choices=Transport.choices,
                                 blank=True, default="")
    transport_no = models.CharField(_("train / flight / plate number"), max_length=30,
                                    blank=True, default="")
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True, default="")
    temperature = models.DecimalField(_("temperature"), max_digits=4, decimal_places=1,
                                      null=True, blank=True)
    categories = models.ManyToManyField(KeyPersonCategory, blank=True, related_name="+",
                                        verbose_name=_("resulting categories"))

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        constraints = [models.UniqueConstraint(fields=["visit", "resident"],
                                               name="visit_person_unique")]

    def __str__(self):
        return f"{self.visit} {self.resident}"


class KeyPerson(models.Model):
    """重点人员: a dated fact — `resident` was in `category` from `since` until `until`.

    Derived from the records (screening visits today; other apps may add sources), never
    typed twice: a visit opens the categories it finds and closes the visit-derived ones it
    no longer finds. Counting "on a day" uses the facts open at the end of that local day.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="key_facts",
                                 verbose_name=_("resident"))
    category = models.ForeignKey(KeyPersonCategory, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("category"))
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=32, default="visit",
                              help_text=_("what derived it: visit, isolation..."))
    source_visit = models.ForeignKey(ScreeningVisit, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="opened_facts", verbose_name=_("visit"))
    closed_by_visit = models.ForeignKey(ScreeningVisit, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="closed_facts")

    objects = DatedFactQuerySet.as_manager()

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        constraints = [
            models.UniqueConstraint(fields=["resident", "category", "source"],
                                    condition=models.Q(until__isnull=True),
                                    name="one_open_key_fact"),
        ]
        indexes = [models.Index(fields=["category", "since"]),
                   models.Index(fields=["resident", "until"])]

    def __str__(self):
        return f"{self.resident} {self.category}"


class Responsibility(models.Model):
    """三级包保: who answers for one key person — a cadre, a grid worker, a doctor/volunteer."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE,
                                    related_name="responsibility", verbose_name=_("resident"))
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("responsible cadre"))
    grid_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("grid worker"))
    helper_name = models.CharField(_("doctor / volunteer"), max_length=50, blank=True,
                                   default="")
    helper_phone = models.CharField(_("doctor / volunteer phone"), max_length=20, blank=True,
                                    default="")
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("responsibility (三级包保)")
        verbose_name_plural = _("responsibilities (三级包保)")

    def __str__(self):
        return str(self.resident)

    @property
    def complete(self) -> bool:
        return bool(self.cadre_id and self.grid_worker_id and self.helper_name)


# --- the roster import job (web uploads) --------------------------------------------------


class ImportJob(models.Model):
    """One uploaded roster file. Processed by a background task (`task_id`, run by
    `firstline worker`) in steps, resumable at `next_row`; a lease keeps two processes from
    working on it at once, and a job whose lease ran out is enqueued again."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded on the web")
        CLI = "cli", _("command line")

    # A command-line import (`firstline import residents`) is recorded here too, from its
    # first batch, so a run that was killed shows as such; only uploads are resumed.
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UPLOAD)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("uploaded by"), null=True,
                                   blank=True)
    filename = models.CharField(_("file"), max_length=200)
    path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.PENDING)
    next_row = models.PositiveIntegerField(default=0, help_text=_("data rows already done"))
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    file_error = models.CharField(max_length=300, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    @property
    def interrupted(self) -> bool:
        """Running, but nothing has advanced it within its lease: the process doing it was
        killed or lost its database (an upload resumes at its next step; a command-line run
        must be run again — the import is idempotent)."""
        from firstline import clock

        return (self.state == self.State.RUNNING and self.lease_until is not None
                and self.lease_until < clock.now())

    @property
    def state_label(self) -> str:
        return str(_("interrupted")) if self.interrupted else self.get_state_display()

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.next_row * 100 / self.total_rows))
