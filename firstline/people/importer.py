"""The roster import (`firstline import residents FILE`), built for a million rows.

The file streams row by row (firstline.tabular); valid rows are gathered into batches of
`BATCH` and each batch is written in ONE transaction with a handful of bulk queries:
compounds, buildings and households are looked up (bounded caches, then one query for the
misses) and created as needed, residents are fetched by ID number in one query, then new
ones are bulk-inserted, changed ones bulk-updated, and every create or move closes the old
`Placement` and opens a new one. A row is never half-written; a rejected row is not written
at all and goes to FILE.errors.csv with its reason.

Duplicates inside the file are found with `IdSet`, a compact open-addressing set of the
first 17 digits of each ID (12 bytes a slot, ~24 MB for a million), instead of a Python set
of strings (~100 MB).
"""

import threading
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from stdnum.cn import ric

from firstline import clock
from firstline.accounts.scope import path_within
from firstline.areas.models import Area, Level
from firstline.db import advisory_xact_lock
from firstline.errors import InvalidInput
from firstline.tabular import ID_NUMBER_TITLES, TableError, open_table, unstorable_cells

from .models import Building, Compound, Household, Placement, Resident, residency_read
from .phones import phone_normalize

BATCH = 10000
ROSTER_WRITE_LOCK = "firstline.people.roster_write"

RESIDENT_COLUMNS = {
    # key: [the Chinese title first (used in messages), other accepted titles]
    "name": ["姓名", "名字"],
    "id_number": [*ID_NUMBER_TITLES, "id", "idnumber", "id_no"],
    "phone": ["手机号", "手机号码", "手機號", "手機號碼", "联系电话", "聯繫電話", "电话", "電話",
              "mobile"],
    "grid": ["网格", "網格", "网格编码", "網格編碼", "grid_code"],
    "compound": ["小区", "小區", "小区名称", "小區名稱"],
    "building": ["楼栋", "樓棟", "楼号", "樓號", "栋"],
    "unit": ["单元", "單元"],
    "room": ["房号", "房號", "门牌号", "門牌號", "室"],
    "residency": ["人员类型", "人員類型", "居住类型", "居住類型", "type"],
    "note": ["备注", "備註", "notes"],
}
REQUIRED = ("name", "id_number", "grid", "compound")
FREE_TEXT = ("note",)  # a date typed into 备注 is kept as the date it shows (2020-02-05)

MAX_LEN = {"name": 50, "compound": 100, "building": 50, "unit": 20, "room": 20, "note": 200}


# --- validation of single values ----------------------------------------------------------

def _address_normalize(**parts) -> tuple[str, str, str]:
    # services imports this module: look the public normaliser up when a row needs it.
    from .services import household_address_normalize

    return household_address_normalize(**parts)


# The roster template's example row (people.services.roster_template): an obviously made-up
# person, region 000000 (no place), born 2000-01-01, serial 000, with a computed check digit so
# the row reads as a well-formed one. It is never a resident: an import that still holds the
# example row, or a form given this number, is told to replace it.
EXAMPLE_ID_NUMBER = "00000020000101000" + ric.calc_check_digit("000000200001010000")


def id_number_problem(value: str) -> str | None:
    """Why `value` is not a valid 18-character resident ID (GB 11643), or None."""
    if value == EXAMPLE_ID_NUMBER:
        return _("This is the template's example row (a made-up person): replace it with a "
                 "real resident, or delete the row.")
    if len(value) != 18:
        return _("ID number has %(n)d characters; it must have 18.") % {"n": len(value)}
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return _("ID number may hold only digits and a final X.")
    try:
        # what stdnum.cn.ric.get_birth_date checks, without its slow cleaning
        if birth_date_of(value) > clock.today():
            raise ValueError("born in the future")
    except ValueError:
        return _("ID number holds no valid birth date.")
    if ric.calc_check_digit(value) != value[17]:
        return _("Bad check digit: the ID number is mistyped.")
    return None


def sex_of(id_number: str) -> str:
    return "M" if int(id_number[16]) % 2 else "F"


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


# --- a compact set of ID numbers ----------------------------------------------------------

class IdSet:
    """Which ID numbers were seen, and on which row first. Keys are the first 17 digits
    (the 18th is their check digit), stored + 1 so 0 marks an empty slot."""

    def __init__(self, bits: int = 16):
        self._alloc(bits)
        self.count = 0

    def _alloc(self, bits):
        self.bits = bits
        self.mask = (1 << bits) - 1
        self.keys = array("q", bytes(8 << bits))
        self.rows = array("i", bytes(4 << bits))

    def _slot(self, key):
        return ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> (64 - self.bits)

    def add(self, id_number: str, row: int) -> int | None:
        """Remember `id_number` at `row`; return the earlier row if it was seen already."""
        key = int(id_number[:17]) + 1
        keys, mask = self.keys, self.mask
        i = self._slot(key)
        while True:
            k = keys[i]
            if k == 0:
                keys[i] = key
                self.rows[i] = row
                self.count += 1
                if self.count * 2 > mask:
                    self._grow()
                return None
            if k == key:
                return self.rows[i]
            i = (i + 1) & mask

    def _grow(self):
        old_keys, old_rows = self.keys, self.rows
        self._alloc(self.bits + 1)
        keys, mask = self.keys, self.mask
        for k, r in zip(old_keys, old_rows, strict=False):
            if k:
                i = self._slot(k)
                while keys[i]:
                    i = (i + 1) & mask
                keys[i] = k
                self.rows[i] = r

    def save(self, path) -> None:
        with open(path, "wb") as fh:
            array("q", [self.bits, self.count]).tofile(fh)
            self.keys.tofile(fh)
            self.rows.tofile(fh)

    @classmethod
    def load(cls, path) -> "IdSet":
        s = cls.__new__(cls)
        with open(path, "rb") as fh:
            head = array("q")
            head.fromfile(fh, 2)
            s._alloc(head[0])
            s.count = head[1]
            s.keys = array("q")
            s.keys.fromfile(fh, 1 << s.bits)
            s.rows = array("i")
            s.rows.fromfile(fh, 1 << s.bits)
        return s

    @property
    def nbytes(self) -> int:
        return len(self.keys) * self.keys.itemsize + len(self.rows) * self.rows.itemsize


# --- the import ---------------------------------------------------------------------------

@dataclass
class Outcome:
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    file_error: str = ""
    next_row: int = 0  # the last data row handled (resume after it)
    finished: bool = False
    seen_rows: int = 0

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, rejected {self.rejected}"

    @property
    def written(self) -> bool:
        """Rows were written before a file error stopped the run (all or nothing holds for
        what can be checked up front — the encoding, the caps; a file broken further on keeps
        the rows before the break, and the summary says so)."""
        return bool(self.imported or self.updated)


@dataclass(slots=True)
class _Row:
    number: int
    name: str
    id_number: str
    phone: str
    grid_id: int
    community_id: int
    compound: str
    building: str
    unit: str
    room: str
    residency: str
    note: str


def _error_value(column: str, value: str) -> str:
    """What the errors file says a rejected cell held: an ID number or phone masked through
    the one mask function (110***********123X): the uploader finds the row by its number."""
    from .services.pii import mask_id_number, mask_phone  # services imports this module

    if column == "id_number":
        return mask_id_number(value)
    if column == "phone":
        return mask_phone(value)
    return value


@dataclass
class RosterImporter:
    """One run over a roster file.

    scope_paths: area paths the importer may write into (None: every area, the CLI's system
    actor). add_error(row, column, value, reason) receives each rejection in row order.
    on_batch(outcome) is called inside each batch's transaction (to record progress
    atomically with the rows).
    """

    add_error: callable
    scope_paths: list[str] | None = None
    dry_run: bool = False
    now: datetime | None = None
    seen: IdSet = field(default_factory=IdSet)
    on_batch: callable = None
    batch_size: int = BATCH
    cache_limit: int = 50000  # buildings / households remembered between batches

    def __post_init__(self):
        self.now = self.now or clock.now()
        self.grids: dict[str, tuple | None] = {}
        self.compounds: dict[tuple, int] = {}
        self.buildings: dict[tuple, int] = {}
        self.households: dict[tuple, int] = {}
        self.outcome = Outcome()
        self._errors_lock = threading.Lock()

    # -- grids -------------------------------------------------------------------------
    def _grid(self, code: str):
        if code not in self.grids:
            if len(self.grids) > 50000:
                self.grids.clear()
            area = Area.objects.filter(code=code).values_list(
                "id", "level", "path", "parent_id").first()
            self.grids[code] = area
        return self.grids[code]

    def _in_scope(self, path: str) -> bool:
        return self.scope_paths is None or path_within(path, self.scope_paths)

    # -- one row -----------------------------------------------------------------------
    def _validate(self, number: int, row: dict, title) -> _Row | None:
        errors = []

        def err(column, value, reason):
            errors.append((number, title(column), _error_value(column, value), reason))

        unstorable = unstorable_cells(row)
        if unstorable:  # checked first: such a value must not reach a query
            for column, value, reason in unstorable:
                err(column, value, reason)
            return self._reject(errors)
        name = row["name"]
        raw_id = row["id_number"]
        id_number = raw_id.replace(" ", "").upper()
        phone = row["phone"]
        grid_code = row["grid"]
        compound = row["compound"]
        if not name:
            err("name", name, pgettext("person", "The name is empty."))
        if not id_number:
            err("id_number", raw_id, _("The ID number is empty."))
        else:
            problem = id_number_problem(id_number)
            if problem:
                err("id_number", raw_id, problem)
            else:
                first = self.seen.add(id_number, number)
                if first is not None:
                    err("id_number", raw_id,
                        _("ID number duplicated inside the file: it is also on row %(row)d.")
                        % {"row": first})
        if phone:
            try:
                phone = phone_normalize(phone)
            except InvalidInput as exc:
                err("phone", row["phone"], exc.detail)
        grid = None
        if not grid_code:
            err("grid", grid_code, _("The grid code is empty."))
        else:
            grid = self._grid(grid_code)
            if grid is None:
                err("grid", grid_code, _("Unknown grid code %(code)s.") % {"code": grid_code})
            elif grid[1] != Level.GRID:
                err("grid", grid_code, _("%(code)s is not a grid (it is a %(level)s).")
                    % {"code": grid_code, "level": Level(grid[1]).label})
            elif not self._in_scope(grid[2]):
                err("grid", grid_code, _("Grid %(code)s is outside your scope.")
                    % {"code": grid_code})
        if not compound:
            err("compound", compound, _("The compound is empty."))
        # 1栋/2单元/102室, as the pages show an address, is the household 1/2/102.
        row["building"], row["unit"], row["room"] = _address_normalize(
            building=row["building"], unit=row["unit"], room=row["room"])
        residency_raw = row["residency"]
        residency = residency_read(residency_raw)
        if residency is None:
            err("residency", residency_raw,
                _("Unknown residency type: use 常住 permanent, 暂住 temporary or 流动 floating."))
        for key, limit in MAX_LEN.items():
            if len(row[key]) > limit:
                err(key, row[key], _("Too long: at most %(n)d characters.") % {"n": limit})
        if errors:
            return self._reject(errors)
        # The compound belongs to the grid's parent (the community); a parentless grid
        # holds its compounds itself.
        return _Row(number, name, id_number, phone, grid[0], grid[3] or grid[0], compound,
                    row["building"],
                    row["unit"], row["room"], residency, row["note"])

    def _reject(self, errors: list[tuple]) -> None:
        with self._errors_lock:  # the writer thread may reject rows too (one grid per household)
            for e in errors:
                self.add_error(*e)
            self.outcome.rejected += 1

    # -- the whole file ----------------------------------------------------------------
    def run(self, path, *, start_row: int = 0, deadline: float | None = None,
            threaded: bool = False) -> Outcome:
        """Import `path` from after data row `start_row`; stop after the batch that passes
        `deadline` (time.monotonic()). `threaded`: write batches in a second thread with its
        own connection while this one reads and validates the next (two cores busy)."""
        if threaded:
            self._writer = _Writer(self._flush)
        try:
            return self._run(path, start_row=start_row, deadline=deadline)
        finally:
            if threaded:
                writer, self._writer = self._writer, None
                writer.finish()

    def _run(self, path, *, start_row: int, deadline: float | None) -> Outcome:
        out = self.outcome
        flush = self._writer.submit if getattr(self, "_writer", None) else self._flush
        try:
            table = open_table(path, columns=RESIDENT_COLUMNS, required=REQUIRED,
                               free_text=FREE_TEXT)
            if start_row == 0:
                table.check()  # the whole file decodes, or nothing is written
            self._title = table.title
            rows = table.rows()
            batch: list[_Row] = []
            for number, row in rows:
                out.seen_rows = number
                if number <= start_row:
                    continue
                valid = self._validate(number, row, table.title)
                if valid is not None:
                    batch.append(valid)
                if len(batch) >= self.batch_size:
                    flush(batch, number)
                    batch = []
                    if deadline is not None and clock.monotonic() > deadline:
                        rows.close()
                        return out
            flush(batch, out.seen_rows)
            if getattr(self, "_writer", None):
                self._writer.finish()
            out.finished = True
        except TableError as exc:
            out.file_error = exc.message
            self.add_error("", exc.column and table_title(exc.column), "", exc.message)
        return out

    # -- one batch ---------------------------------------------------------------------
    def _flush(self, batch: list[_Row], last_row: int) -> None:
        with transaction.atomic():
            if batch and not self.dry_run:
                # Two imports naming the same ID numbers (two clerks, a re-run while the
                # first still runs) take turns batch by batch, so each batch looks up the
                # residents the other committed and updates rather than inserting them twice.
                # One lock for the whole roster: a row may move a person across areas.
                advisory_xact_lock(ROSTER_WRITE_LOCK)
            if batch and not self.dry_run and connection.vendor == "postgresql":
                # The import is idempotent: a crash may lose the last batches (re-run the
                # file), never half of one; not waiting for each fsync triples throughput.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if batch:
                self._write(batch)
            self.outcome.next_row = max(self.outcome.next_row, last_row)
            if self.dry_run:
                transaction.set_rollback(True)
            elif self.on_batch is not None:
                self.on_batch(self.outcome)  # progress commits with the rows
        if self.dry_run and self.on_batch is not None:
            self.on_batch(self.outcome)

    def _write(self, batch: list[_Row]) -> None:
        out, now, dry = self.outcome, self.now, self.dry_run
        compound_ids = self._resolve_compounds({(r.community_id, r.compound) for r in batch})
        building_keys = {(compound_ids[(r.community_id, r.compound)], r.building)
                         for r in batch if r.building
                         and compound_ids.get((r.community_id, r.compound))}
        building_ids = self._resolve_buildings(building_keys)
        hh_wanted = {}
        for r in batch:
            cid = compound_ids.get((r.community_id, r.compound))
            if cid is not None:
                key = (cid, r.building, r.unit, r.room)
                hh_wanted.setdefault(key, (r.grid_id, building_ids.get((cid, r.building))))
        household_ids = self._resolve_households(hh_wanted)
        batch = self._one_grid_per_household(batch, compound_ids, household_ids)

        existing = {row[1]: row for row in _Sql().residents_by_id_number(
            [r.id_number for r in batch])}
        new, changed, moved = [], [], []
        for r in batch:
            cid = compound_ids.get((r.community_id, r.compound))
            hid = household_ids.get((cid, r.building, r.unit, r.room)) if cid else None
            old = existing.get(r.id_number)
            if old is None:
                out.imported += 1
                new.append((r, hid))
                continue
            if (old[2], old[3], old[4], old[5], old[6], old[7]) == (
                    r.name, r.phone, r.residency, r.grid_id, hid, r.note):
                continue
            out.updated += 1
            changed.append((old[0], r, hid))
            if (old[5], old[6]) != (r.grid_id, hid):
                moved.append(old[0])
        if dry:
            return
        ops = connection.ops
        now_db = ops.adapt_datetimefield_value(now)
        sql = _Sql()
        columns = ["name", "id_number", "sex", "birth_date", "phone", "residency", "grid_id",
                   "household_id", "note", "created_at", "updated_at"]
        rows = [(r.name, r.id_number, sex_of(r.id_number),
                 ops.adapt_datefield_value(birth_date_of(r.id_number)), r.phone, r.residency,
                 r.grid_id, hid, r.note, now_db, now_db) for r, hid in new]
        if new and sql.pg:
            # Take the ids from the sequence first: residents and their placements then go
            # in with two COPYs, no lookup back by ID number.
            ids = sql.next_ids(Resident._meta.db_table, len(new))
            sql.insert(Resident._meta.db_table, ["id", *columns],
                       [(pk, *row) for pk, row in zip(ids, rows, strict=False)])
            sql.insert(Placement._meta.db_table,
                       ["resident_id", "household_id", "grid_id", "since"],
                       [(pk, hid, r.grid_id, now_db) for pk, (r, hid) in zip(ids, new, strict=False)])
        elif new:
            sql.insert(Resident._meta.db_table, columns, rows)
            sql.placements_for(id_numbers=[r.id_number for r, _hid in new], since=now_db)
        if changed:
            sql.update(Resident._meta.db_table,
                       ["name", "phone", "residency", "grid_id", "household_id", "note",
                        "updated_at"],
                       [(pk, r.name, r.phone, r.residency, r.grid_id, hid, r.note, now_db)
                        for pk, r, hid in changed])
        if moved:
            Placement.objects.current().filter(resident_id__in=moved).update(until=now)
        if moved:
            sql.placements_for(ids=moved, since=now_db)

    def _one_grid_per_household(self, batch: list[_Row], compound_ids: dict,
                                household_ids: dict) -> list[_Row]:
        """A household (compound, building, unit, room) belongs to one grid (CONTRACT.md).
        A row putting an existing household's address in another grid is rejected (column
        网格/grid, naming the grid it is in) — unless this batch moves the whole household:
        every current member, and no row of it keeps another grid; then the household moves."""
        by_household: dict[int, list[_Row]] = {}
        for r in batch:
            cid = compound_ids.get((r.community_id, r.compound))
            hid = household_ids.get((cid, r.building, r.unit, r.room)) if cid else None
            if hid is not None:
                by_household.setdefault(hid, []).append(r)
        if not by_household:
            return batch
        grids = dict(Household.objects.filter(pk__in=list(by_household))
                     .values_list("pk", "grid_id"))
        split = {hid: rows for hid, rows in by_household.items()
                 if any(r.grid_id != grids.get(hid) for r in rows)}
        if not split:
            return batch
        members: dict[int, set[str]] = {}
        for hid, number in Resident.objects.filter(household_id__in=list(split)).values_list(
                "household_id", "id_number"):
            members.setdefault(hid, set()).add(number)
        rejected: set[int] = set()
        for hid, rows in split.items():
            targets = {r.grid_id for r in rows}
            if (len(targets) == 1 and members.get(hid)
                    and members[hid] <= {r.id_number for r in rows}):
                # The whole household moves to another grid with this file.
                if not self.dry_run:
                    Household.objects.filter(pk=hid).update(grid_id=targets.pop())
                continue
            rejected.update(id(r) for r in rows if r.grid_id != grids.get(hid))
        if not rejected:
            return batch
        codes = dict(Area.objects.filter(pk__in=set(grids.values())).values_list("pk", "code"))
        kept = []
        for r in batch:
            if id(r) not in rejected:
                kept.append(r)
                continue
            cid = compound_ids.get((r.community_id, r.compound))
            hid = household_ids.get((cid, r.building, r.unit, r.room))
            grid_code = codes.get(grids.get(hid), "?")
            with self._errors_lock:
                title = getattr(self, "_title", table_title)
                self.add_error(r.number, title("grid"), self._grid_code(r.grid_id),
                               _("This address is a household of grid %(grid)s, and a "
                                 "household belongs to one grid: use %(grid)s, or move the "
                                 "whole household in one file.") % {"grid": grid_code})
                self.outcome.rejected += 1
        return kept

    def _grid_code(self, grid_id: int) -> str:
        for code, area in self.grids.items():
            if area is not None and area[0] == grid_id:
                return code
        return str(grid_id)

    # -- lookups with creation -------------------------------------------------------------
    def _resolve_compounds(self, keys: set[tuple]) -> dict[tuple, int]:
        missing = [k for k in keys if k not in self.compounds]
        if missing:
            self._fetch_compounds(missing)
            still = [k for k in missing if k not in self.compounds]
            if still and not self.dry_run:
                Compound.objects.bulk_create([Compound(area_id=a, name=n) for a, n in still],
                                             ignore_conflicts=True)
                self._fetch_compounds(still)
                from firstline import events
                from firstline.areas.models import Area

                for area in Area.objects.filter(pk__in={a for a, _n in still}):
                    events.announce("compounds_created", area=area)
        return self.compounds

    def _fetch_compounds(self, keys):
        for cid, area_id, name in Compound.objects.filter(
                area_id__in={a for a, _n in keys}, name__in={n for _a, n in keys}).values_list(
                "id", "area_id", "name"):
            self.compounds[(area_id, name)] = cid

    def _resolve_buildings(self, keys: set[tuple]) -> dict[tuple, int]:
        if len(self.buildings) > self.cache_limit:  # bounded; cleared before the lookups
            self.buildings.clear()
        missing = [k for k in keys if k not in self.buildings]
        if missing:
            self._fetch_buildings(missing)
            still = [k for k in missing if k not in self.buildings]
            if still and not self.dry_run:
                Building.objects.bulk_create([Building(compound_id=c, name=n) for c, n in still],
                                             ignore_conflicts=True)
                self._fetch_buildings(still)
        return self.buildings

    def _fetch_buildings(self, keys):
        for bid, cid, name in Building.objects.filter(
                compound_id__in={c for c, _n in keys}, name__in={n for _c, n in keys}
        ).values_list("id", "compound_id", "name"):
            self.buildings[(cid, name)] = bid

    def _resolve_households(self, wanted: dict[tuple, tuple]) -> dict[tuple, int]:
        if len(self.households) > self.cache_limit:  # bounded; cleared before the lookups
            self.households.clear()
        missing = [k for k in wanted if k not in self.households]
        if missing:
            self._fetch_households(missing)
            still = [k for k in missing if k not in self.households]
            if still and not self.dry_run:
                now_db = connection.ops.adapt_datetimefield_value(self.now)
                _Sql().insert(
                    Household._meta.db_table,
                    ["compound_id", "building_name", "unit", "room", "grid_id", "building_id",
                     "created_at"],
                    [(c, b, u, r, *wanted[(c, b, u, r)], now_db) for c, b, u, r in still],
                    ignore_conflicts=True)
                self._fetch_households(still)
        return self.households

    def _fetch_households(self, keys: list[tuple]) -> None:
        """One query per 1000 keys: (compound_id, building_name, unit, room) IN (VALUES ...)."""
        table = Household._meta.db_table
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # four array parameters, however many keys
                cursor.execute(
                    f"SELECT h.id, h.compound_id, h.building_name, h.unit, h.room "
                    f"FROM {qn(table)} h JOIN unnest(%s::bigint[], %s::text[], %s::text[], "
                    f"%s::text[]) AS k(c, b, u, r) ON h.compound_id = k.c "
                    f"AND h.building_name = k.b AND h.unit = k.u AND h.room = k.r",
                    [list(col) for col in zip(*keys, strict=False)])
                for hid, cid, b, u, r in cursor.fetchall():
                    self.households[(cid, b, u, r)] = hid
                return
            for start in range(0, len(keys), 1000):
                chunk = keys[start:start + 1000]
                values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                params = [v for key in chunk for v in key]
                cursor.execute(
                    f"SELECT id, compound_id, {qn('building_name')}, {qn('unit')}, {qn('room')} "
                    f"FROM {qn(table)} WHERE (compound_id, {qn('building_name')}, {qn('unit')}, "
                    f"{qn('room')}) IN (VALUES {values})", params)
                for hid, cid, b, u, r in cursor.fetchall():
                    self.households[(cid, b, u, r)] = hid


class _Writer:
    """Runs `flush(batch, last_row)` in a thread, at most two batches behind the reader."""

    def __init__(self, flush):
        import queue
        import threading

        self.flush_direct = flush
        self.queue = queue.Queue(maxsize=2)
        self.error = None
        self.done = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.flush_direct(*item)
                    except BaseException as exc:  # re-raised in the reading thread
                        self.error = exc
        finally:
            connection.close()

    def submit(self, batch, last_row):
        if self.error is not None:
            raise self.error
        self.queue.put((batch, last_row))

    def finish(self):
        if not self.done:
            self.done = True
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class _Sql:
    """Bulk writes without model instances: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.qn = connection.ops.quote_name

    def insert(self, table: str, columns: list[str], rows: list[tuple],
               ignore_conflicts: bool = False) -> None:
        cols = ", ".join(self.qn(c) for c in columns)
        with connection.cursor() as cursor:
            if self.pg:
                target = self.qn(table)
                if ignore_conflicts:
                    target = f"fl_people_ins_{table}"
                    target = target + "_" + str(len(columns))
                    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} "
                                   f"ON COMMIT DELETE ROWS AS SELECT {cols} "
                                   f"FROM {self.qn(table)} WITH NO DATA")
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                if ignore_conflicts:
                    cursor.execute(f"INSERT INTO {self.qn(table)} ({cols}) SELECT {cols} "
                                   f"FROM {target} ON CONFLICT DO NOTHING")
                    cursor.execute(f"DELETE FROM {target}")
            else:
                marks = ", ".join(["%s"] * len(columns))
                verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
                cursor.executemany(f"{verb} INTO {self.qn(table)} ({cols}) VALUES ({marks})",
                                   rows)

    def next_ids(self, table: str, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]

    def residents_by_id_number(self, numbers: list[str]) -> list[tuple]:
        cols = "id, id_number, name, phone, residency, grid_id, household_id, note"
        table = self.qn(Resident._meta.db_table)
        out = []
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(f"SELECT {cols} FROM {table} WHERE id_number = ANY(%s)",
                               [numbers])
                return cursor.fetchall()
            for start in range(0, len(numbers), 5000):
                chunk = numbers[start:start + 5000]
                cursor.execute(f"SELECT {cols} FROM {table} WHERE id_number IN "
                               f"({', '.join(['%s'] * len(chunk))})", chunk)
                out.extend(cursor.fetchall())
        return out

    def update(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """rows are (id, *values)."""
        with connection.cursor() as cursor:
            if self.pg:
                cols = ", ".join(self.qn(c) for c in ["id", *columns])
                cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS fl_people_upd "
                               f"ON COMMIT DELETE ROWS AS SELECT {cols} "
                               f"FROM {self.qn(table)} WITH NO DATA")
                raw = cursor.cursor
                with raw.copy(f"COPY fl_people_upd ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                sets = ", ".join(f"{self.qn(c)} = u.{self.qn(c)}" for c in columns)
                cursor.execute(f"UPDATE {self.qn(table)} AS t SET {sets} FROM fl_people_upd u "
                               f"WHERE t.id = u.id")
                cursor.execute("DELETE FROM fl_people_upd")
            else:
                sets = ", ".join(f"{self.qn(c)} = %s" for c in columns)
                cursor.executemany(f"UPDATE {self.qn(table)} SET {sets} WHERE id = %s",
                                   [(*row[1:], row[0]) for row in rows])

    def placements_for(self, *, since, id_numbers=None, ids=None) -> None:
        """Open a placement at the resident's current household and grid."""
        p, r = self.qn(Placement._meta.db_table), self.qn(Resident._meta.db_table)
        key, values = ("id_number", id_numbers) if id_numbers is not None else ("id", ids)
        with connection.cursor() as cursor:
            for start in range(0, len(values), 5000):
                chunk = values[start:start + 5000]
                if self.pg:
                    where, params = f"{key} = ANY(%s)", [since, list(chunk)]
                else:
                    where = f"{key} IN ({', '.join(['%s'] * len(chunk))})"
                    params = [since, *chunk]
                cursor.execute(
                    f"INSERT INTO {p} (resident_id, household_id, grid_id, since) "
                    f"SELECT id, household_id, grid_id, %s FROM {r} WHERE {where}", params)


def table_title(column: str) -> str:
    names = RESIDENT_COLUMNS.get(column)
    return f"{names[0]}/{column}" if names else column
