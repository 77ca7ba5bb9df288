"""Writes of the lists app: import a list, answer a verification, cases and test results.

    checklist_import(path=, source=, deadline=, area=, actor=)   -> ImportResult
    verification_answer(verification=, result=, ..., actor=)     -> Verification
    case_record / case_contacts_list / case_lock_down / case_transfer / test_result_record

Every function is keyword-only, checks the actor's role and scope, runs in one transaction
and writes an audit row (no personal data in it). A list is all or nothing: a file that
cannot be read, or lacks a name and an ID-number or phone column, writes nothing.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope, scope_paths
from firstline.accounts.services import audit, require_perm
from firstline.apitypes import date_check, date_parse
from firstline.areas.models import Area, Level, subtree_q
from firstline.db import create_once, is_unique_violation
from firstline.errors import InvalidInput, RuleViolation, choice_check
from firstline.forms import typed_id
from firstline.people.services import phone_normalize
from firstline.people.vocab import symptoms_check
from firstline.rules import rule
from firstline.rules.temperature import is_fever, temperature_parse
from firstline.tabular import TableError
from firstline.texts import N_, message, word

from . import reading, selectors
from .models import (
    HANDOVER_NOTE_COLUMN,
    Case,
    CaseContact,
    CaseStatus,
    Checklist,
    ChecklistRow,
    MatchedBy,
    Result,
    Routing,
    SourceMapping,
    TestResult,
    Verification,
    VStatus,
    handover_title,
)

CHUNK = 2000  # ids per lookup query (SQLite's bound-parameter limit is far above)
# The alert kinds a call's findings open, as plain codes (isolation.AlertKind). A fever
# heard on a call is the plain `fever` kind (发热: one of the fever kinds that hold the
# household at the gate and count in the daily report), never `door_fever`, which the contract
# keeps for a temperature recorded on a screening visit — nobody visited. Its detail says
# the call: FEVER_ON_CALL.
ALERT_FEVER = "fever"
ALERT_RISK_RETURN = "risk_return"
FEVER_ON_CALL = N_("%(temperature)s °C, found on a verification call (核查)")


SUMMARY = N_("%(rows)s rows: %(by_id)s matched by ID number, %(by_name_phone)s by name and "
             "phone, %(by_name_address)s by name and address, %(unmatched)s unmatched")


# A file with a header and no row under it: a list with nobody on it is the wrong file (an
# export that lost its rows, the template instead of the list), never one to call through.
EMPTY_FILE = N_("The file has a header row but no rows under it: nothing was imported. "
                "Choose the file with the people on it.")


@dataclass
class ImportResult:
    checklist: Checklist | None = None
    created: bool = True
    rows: int = 0
    matched_by_id: int = 0
    matched_by_name_phone: int = 0
    matched_by_name_address: int = 0
    unmatched: int = 0
    items_created: int = 0
    items_joined: int = 0
    file_error: str = ""
    error_field: str = ""
    error_code: str = ""  # the API's code for file_error: bad_file unless said
    timings: dict = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return (f"rows {self.rows}, matched_by_id {self.matched_by_id}, matched_by_name_phone "
                f"{self.matched_by_name_phone}, matched_by_name_address "
                f"{self.matched_by_name_address}, unmatched {self.unmatched}")

    @property
    def summary_message(self) -> dict:
        """The summary for the audit log, said in its reader's language (firstline.texts)."""
        return message(SUMMARY, rows=self.rows, by_id=self.matched_by_id,
                       by_name_phone=self.matched_by_name_phone,
                       by_name_address=self.matched_by_name_address, unmatched=self.unmatched)

    def as_json(self) -> dict:
        return {"id": self.checklist.pk if self.checklist else None, "rows": self.rows,
                "matched_by_id": self.matched_by_id,
                "matched_by_name_phone": self.matched_by_name_phone,
                "matched_by_name_address": self.matched_by_name_address,
                "unmatched": self.unmatched, "created": self.created}


def _text(value, *, field: str, limit: int, required: bool = False, label: str = "") -> str:
    value = " ".join(str(value or "").split())
    if required and not value:
        raise InvalidInput("required", _("%(field)s is required.") % {"field": label or field},
                           field=field)
    if len(value) > limit:
        raise InvalidInput("too_long", _("%(field)s is too long: at most %(max)d characters.")
                           % {"field": label or field, "max": limit}, field=field)
    if "\x00" in value:
        raise InvalidInput("invalid", _("%(field)s contains a NUL character (\\x00): remove it.")
                           % {"field": label or field}, field=field)
    return value


def default_area(actor) -> Area:
    """Where a list lands when no area is named: the actor's (first) lists.manage area, or
    for the command line the top of the jurisdiction."""
    if actor is not None:
        paths = scope_paths(actor, "lists.manage")
        if paths:
            return Area.objects.get(path=paths[0])
    top = Area.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        raise InvalidInput("no_area", _("There is no jurisdiction yet: import areas first."),
                           field="area")
    return top


def deadline_for_new_list(text: str | None, *, today: date | None = None) -> date | None:
    """The deadline typed for a list uploaded from the page: empty is none; a day before today
    is refused (a list is called through from now on: 2019 is a typo, not a plan), and one
    after LATEST as everywhere (apitypes.date_parse)."""
    day = date_parse(text, field="deadline", label=_("Deadline"))
    if day is None:
        return None
    today = today or clock.today()
    if day < today:
        raise InvalidInput("past_deadline", _("%(field)s: %(value)s has already passed; give "
                                              "today or a later day.")
                           % {"field": _("Deadline"), "value": day.isoformat()},
                           field="deadline")
    return day


def area_for_list(*, code: str | None, actor) -> Area:
    if not code:
        return default_area(actor)
    area = Area.objects.filter(code=code).first()
    if area is None or (actor is not None and not in_scope(actor, area, "lists.manage")):
        raise RuleViolation("not_found", _("Unknown area %(code)s.") % {"code": code},
                            status=404, field="area")
    return area


def _mapping_for(table: reading.RawTable, *, source: str, mapping) -> dict[str, int]:
    """{key: column index} from an explicit mapping (indexes or titles), else the sender's
    remembered one, else the usual titles."""
    if mapping:
        out = {}
        for key, value in mapping.items():
            if key not in reading.KEYS or value in (None, ""):
                continue
            if isinstance(value, int) or typed_id(value) is not None:
                index = int(value)
            else:
                titles = [reading.normalize_header(h) for h in table.header]
                wanted = reading.normalize_header(str(value))
                index = titles.index(wanted) if wanted in titles else -1
            if not 0 <= index < len(table.header):
                raise InvalidInput("bad_mapping", _("Column %(v)s is not in the file.")
                                   % {"v": value}, field=key)
            out[key] = index
        return out
    remembered = SourceMapping.objects.filter(source=source).values_list("mapping",
                                                                         flat=True).first()
    return reading.guess_mapping(table.header, remembered)


def _check_mapping(table: reading.RawTable, mapping: dict[str, int]) -> None:
    if "name" not in mapping:
        raise InvalidInput("column_missing", _("Required column missing: %(names)s")
                           % {"names": "姓名/name"}, field="name")
    if "id_number" not in mapping and "phone" not in mapping:
        raise InvalidInput("column_missing", _("The list needs an ID-number or a phone column "
                                               "besides the name."), field="id_number")


@dataclass(slots=True)
class _Row:
    number: int
    values: list
    name: str
    id_number: str
    phone: str
    address: str
    address_text: str = ""  # as typed, spaces removed: the database's prefilter
    resident: int | None = None
    grid: int | None = None
    matched_by: str = ""
    routing: str = ""
    reason: dict = field(default_factory=dict)  # why unmatched: facts (firstline.texts)


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Matcher:
    """Matches rows to the roster inside `area`'s subtree: ID number, then name + phone,
    then name + address. A person found by ID outside the area is routed to another street."""

    def __init__(self, area: Area):
        self.area = area
        self.pg = connection.vendor == "postgresql"

    def run(self, rows: list[_Row]) -> None:
        self._by_id(rows)
        rest = [r for r in rows if r.resident is None and r.name and r.routing == ""]
        if rest:
            self._by_name(rest)
        for r in rows:
            if r.resident is None and not r.reason:
                r.reason = message(N_("No resident with this ID number, name and phone, or "
                                      "name and address."))

    def _by_id(self, rows: list[_Row]) -> None:
        from firstline.people.models import Resident

        wanted = {r.id_number for r in rows if len(r.id_number) == 18}
        found: dict[str, tuple] = {}
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT r.id, r.id_number, r.grid_id, g.path FROM "
                    f"{connection.ops.quote_name(Resident._meta.db_table)} r "
                    f"JOIN areas_area g ON g.id = r.grid_id WHERE r.id_number = ANY(%s)",
                    [list(wanted)])
                for pk, number, grid, path in cursor.fetchall():
                    found[number] = (pk, grid, path)
            wanted = ()
        for chunk in _chunks(wanted):
            for pk, number, grid, path in Resident.objects.filter(id_number__in=chunk) \
                    .values_list("pk", "id_number", "grid_id", "grid__path"):
                found[number] = (pk, grid, path)
        for r in rows:
            hit = found.get(r.id_number)
            if hit is None:
                continue
            if hit[2].startswith(self.area.path):
                r.resident, r.grid, r.matched_by = hit[0], hit[1], MatchedBy.ID
            else:
                r.routing = Routing.OTHER_STREET
                r.reason = message(N_("On the roster of another area."))

    def _candidates(self, wanted: list) -> dict[str, list[tuple]]:
        """normalised name -> [(pk, grid, phone, address)] of residents in the area."""
        from firstline.people.models import Household, Resident

        out: dict[str, list[tuple]] = {}
        junk = ["·", " ", "・", "•", ".", "．", "‧", "\u3000"]
        # Two lookups: the names as the list has them (the name index), and the few roster
        # names holding a space or a middle dot, compared without them (no index can serve
        # that; a cheap filter keeps the comparison to those few rows).
        if self.pg:
            # One row per list row: (name, phone, address). The database returns only the
            # residents with that name whose phone is the same or whose compound the address
            # names; Python then checks the whole address.
            expr = "r.name"
            for _ch in junk:
                expr = f"replace({expr}, %s, '')"
            has_junk = " OR ".join(["strpos(r.name, %s) > 0"] * len(junk))
            qn = connection.ops.quote_name
            select = (f"SELECT r.id, r.grid_id, r.phone, n.name, c.name, h.building_name, "
                      f"h.unit, h.room FROM unnest(%s::text[], %s::text[], %s::text[]) "
                      f"AS n(name, phone, address) "
                      f"JOIN {qn(Resident._meta.db_table)} r ON {{on}} "
                      f"JOIN people_household h ON h.id = r.household_id "
                      f"JOIN people_compound c ON c.id = h.compound_id "
                      f"JOIN areas_area g ON g.id = r.grid_id "
                      f"WHERE g.path LIKE %s AND ((n.phone <> '' AND r.phone = n.phone) OR "
                      f"(n.address <> '' AND strpos(n.address, c.name) > 0))")
            keys = sorted({(r.name, r.phone, r.address_text) for r in wanted})
            arrays = [list(col) for col in zip(*keys, strict=True)] if keys else [[], [], []]
            like = self.area.path + "%"
            with connection.cursor() as cursor:
                cursor.execute(select.format(on="r.name = n.name"), [*arrays, like])
                rows = cursor.fetchall()
                cursor.execute(select.format(on=f"({has_junk}) AND {expr} = n.name"),
                               [*arrays, *junk, *junk, like])
                rows += cursor.fetchall()
        else:
            from django.db.models import F, Value
            from django.db.models.functions import Replace

            expr = F("name")
            for ch in junk:
                expr = Replace(expr, Value(ch), Value(""))
            fields = ("pk", "grid_id", "phone", "norm", "household__compound__name",
                      "household__building_name", "household__unit", "household__room")
            rows = []
            scoped = Resident.objects.filter(subtree_q(self.area, "grid"))
            dotted = scoped.filter(reduce(or_, (Q(name__contains=ch) for ch in junk)))
            names = {r.name for r in wanted}
            for chunk in _chunks(names, 500):
                rows.extend(scoped.filter(name__in=chunk).annotate(norm=F("name"))
                            .values_list(*fields))
                rows.extend(dotted.annotate(norm=expr).filter(norm__in=chunk)
                            .values_list(*fields))
        for pk, grid, phone, norm, compound, building, unit, room in rows:
            address = reading.normalize_address(
                Household.address_of(compound, building, unit, room))
            out.setdefault(norm, []).append((pk, grid, phone, address))
        return out

    def _by_name(self, rows: list[_Row]) -> None:
        candidates = self._candidates(rows)
        for r in rows:
            people = candidates.get(r.name, [])
            if r.phone:
                hits = {(pk, grid) for pk, grid, phone, _a in people if phone == r.phone}
                if len(hits) == 1:
                    (r.resident, r.grid), r.matched_by = hits.pop(), MatchedBy.NAME_PHONE
                    continue
                if len(hits) > 1:
                    r.reason = message(N_("Several residents have this name and phone."))
                    continue
            if r.address:
                hits = {(pk, grid) for pk, grid, _p, address in people
                        if reading.address_matches(r.address, address)}
                if len(hits) == 1:
                    (r.resident, r.grid), r.matched_by = hits.pop(), MatchedBy.NAME_ADDRESS
                elif len(hits) > 1:
                    r.reason = message(N_("Several residents have this name at this "
                                          "address."))


def _parse_rows(table: reading.RawTable, mapping: dict[str, int]) -> list[_Row]:
    def cell(values, key):
        index = mapping.get(key)
        return values[index] if index is not None and index < len(values) else ""

    rows = []
    for number, values in table.rows:
        if any("\x00" in v for v in values):
            raise InvalidInput("invalid", _("Row %(row)d holds a NUL character (\\x00), which "
                                            "cannot be stored: remove it.") % {"row": number},
                               field="file")
        for key in reading.KEY_ORDER:  # a column the list is matched by: no spoiled cell
            problem = table.problems.get((number, mapping.get(key, -1)))
            if problem:
                raise InvalidInput("invalid", _("Row %(row)d, column %(column)s: %(reason)s")
                                   % {"row": number, "column": table.header[mapping[key]],
                                      "reason": problem}, field="file")
        rows.append(_Row(number=number, values=values,
                         name=reading.normalize_name(cell(values, "name")),
                         id_number=reading.normalize_id_number(cell(values, "id_number")),
                         phone=phone_normalize(cell(values, "phone"), lenient=True),
                         address=reading.normalize_address(cell(values, "address")),
                         address_text=reading.compact(cell(values, "address"))))
    return rows


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checklist_import(*, path, source: str, deadline: date | None = None, area: Area | None = None,
                     actor=None, mapping: dict | None = None, filename: str = "",
                     now: datetime | None = None, case: Case | None = None,
                     table: reading.RawTable | None = None,
                     digest: str | None = None) -> ImportResult:
    """核查名单导入: match every row of the list, make or join one open verification per
    person, remember the sender's columns. All or nothing; the same file from the same
    sender for the same area a second time adds nothing (the first list is returned)."""
    import time

    if actor is not None:
        require_perm(actor, "lists.manage")
    now = now or clock.now()
    source = _text(source, field="source", limit=100, required=True, label=_("Sent by"))
    deadline = date_check(deadline, field="deadline", label=_("Deadline"))
    area = area or default_area(actor)
    if actor is not None and not in_scope(actor, area, "lists.manage"):
        raise RuleViolation("not_found", _("Not found."), status=404, field="area")
    result = ImportResult()
    started = time.perf_counter()
    if table is None:
        path = Path(path)
        try:
            table = reading.read_table(path)
        except TableError as exc:
            result.file_error, result.error_field = exc.message, "file"
            return result
        if not table.rows:
            result.file_error, result.error_field = _(EMPTY_FILE), "file"
            result.error_code = "empty_file"
            return result
        digest = _digest(path)
        filename = filename or path.name
    result.timings["read"] = time.perf_counter() - started
    existing = Checklist.objects.filter(area=area, source=source, digest=digest).first()
    if existing is not None:
        return _result_of(existing, created=False)
    mapping = _mapping_for(table, source=source, mapping=mapping)
    _check_mapping(table, mapping)
    rows = _parse_rows(table, mapping)
    result.timings["parse"] = time.perf_counter() - started - result.timings["read"]
    Matcher(area).run(rows)
    result.timings["match"] = time.perf_counter() - started - sum(result.timings.values())
    try:
        with transaction.atomic():
            checklist = _write(rows, table=table, mapping=mapping, source=source, area=area,
                               deadline=deadline, actor=actor, now=now, digest=digest,
                               filename=filename[:200], case=case, result=result)
            written = time.perf_counter()
    except IntegrityError as exc:
        # The same file imported by someone else at the same moment: theirs stands.
        if not is_unique_violation(exc):
            raise
        existing = Checklist.objects.filter(area=area, source=source, digest=digest).first()
        if existing is None:
            raise
        return _result_of(existing, created=False)
    t = result.timings
    t["write"] = written - started - t["read"] - t["parse"] - t["match"]
    result.timings["commit"] = time.perf_counter() - written  # deferred FK checks run here
    result.checklist = checklist
    return result


def _result_of(checklist: Checklist, *, created: bool) -> ImportResult:
    return ImportResult(checklist=checklist, created=created, rows=checklist.rows,
                        matched_by_id=checklist.matched_by_id,
                        matched_by_name_phone=checklist.matched_by_name_phone,
                        matched_by_name_address=checklist.matched_by_name_address,
                        unmatched=checklist.unmatched)


def _write(rows: list[_Row], *, table, mapping, source, area, deadline, actor, now, digest,
           filename, case, result: ImportResult) -> Checklist:
    from firstline.isolation.services import default_owners

    counts = {MatchedBy.ID: 0, MatchedBy.NAME_PHONE: 0, MatchedBy.NAME_ADDRESS: 0}
    for r in rows:
        if r.resident is not None:
            counts[r.matched_by] += 1
    result.rows = len(rows)
    result.matched_by_id = counts[MatchedBy.ID]
    result.matched_by_name_phone = counts[MatchedBy.NAME_PHONE]
    result.matched_by_name_address = counts[MatchedBy.NAME_ADDRESS]
    result.unmatched = len(rows) - sum(counts.values())
    checklist = Checklist.objects.create(
        source=source, filename=filename, digest=digest, area=area, deadline=deadline,
        columns=table.header, mapping=mapping, rows=result.rows,
        matched_by_id=result.matched_by_id, matched_by_name_phone=result.matched_by_name_phone,
        matched_by_name_address=result.matched_by_name_address, unmatched=result.unmatched,
        case=case, created_by=actor if getattr(actor, "pk", None) else None, created_at=now)
    grids = {r.resident: r.grid for r in rows if r.resident is not None}
    import time

    t = time.perf_counter()
    items = _open_items(grids, deadline=deadline, now=now, owners=default_owners, result=result)
    result.timings["write.items"] = time.perf_counter() - t
    if connection.vendor == "postgresql":
        import json

        _copy(ChecklistRow._meta.db_table,
              ["checklist_id", "number", "values", "name", "resident_id", "matched_by",
               "verification_id", "routing", "reason", "reason_facts"],
              ((checklist.pk, r.number, json.dumps(r.values, ensure_ascii=False), r.name[:100],
                r.resident, r.matched_by, items.get(r.resident), r.routing, "",
                json.dumps(r.reason, ensure_ascii=False)) for r in rows))
    else:
        ChecklistRow.objects.bulk_create(
            (ChecklistRow(checklist=checklist, number=r.number, values=r.values,
                          name=r.name[:100], resident_id=r.resident, matched_by=r.matched_by,
                          verification_id=items.get(r.resident), routing=r.routing,
                          reason_facts=r.reason) for r in rows),
            batch_size=2000)
    result.timings["write.rows"] = time.perf_counter() - t - result.timings["write.items"]
    SourceMapping.objects.update_or_create(
        source=source, defaults={"mapping": {k: table.header[i] for k, i in mapping.items()},
                                 "updated_at": now})
    audit(actor=actor, action=AuditAction.CHECKLIST_IMPORT, obj=checklist,
          detail=result.summary_message, via="web" if actor is not None else "cli")
    return checklist


def _open_items(grids: dict[int, int], *, deadline, now, owners, result) -> dict[int, int]:
    """{resident: open verification id}: joined when one is open, made otherwise. The
    partial unique constraint settles two imports racing for the same person."""
    open_items = _open_item_ids(grids)
    new_residents = [pk for pk in grids if pk not in open_items]
    result.items_joined = len(open_items)
    if new_residents:
        workers = owners({grids[pk] for pk in new_residents})
        if connection.vendor == "postgresql":
            worker_ids = {g: u.pk for g, u in workers.items()}
            _copy(Verification._meta.db_table,
                  ["resident_id", "grid_id", "worker_id", "status", "due", "result",
                   "symptoms", "from_province", "from_city", "note", "created_at"],
                  ((pk, grids[pk], worker_ids.get(grids[pk]), VStatus.OPEN, deadline, "", "",
                    "", "", "", now) for pk in new_residents), ignore_conflicts=True)
        else:
            Verification.objects.bulk_create(
                (Verification(resident_id=pk, grid_id=grids[pk],
                              worker=workers.get(grids[pk]), due=deadline, created_at=now)
                 for pk in new_residents), batch_size=2000, ignore_conflicts=True)
        fresh = _open_item_ids({pk: grids[pk] for pk in new_residents})
        result.items_created = len(fresh)
        open_items.update(fresh)
    if deadline is not None and result.items_joined:
        # The earliest deadline among an item's lists is the item's due date.
        joined = [open_items[pk] for pk in grids if pk not in new_residents]
        for chunk in _chunks(joined):
            Verification.objects.filter(pk__in=chunk).filter(
                Q(due__isnull=True) | Q(due__gt=deadline)).update(due=deadline)
    return open_items


def _copy(table: str, columns: list[str], rows, *, ignore_conflicts: bool = False) -> None:
    """PostgreSQL COPY: a list of 100,000 rows goes in within seconds (the ORM's bulk insert
    spends most of its time preparing values). With `ignore_conflicts` the rows go through a
    temporary table and INSERT ... ON CONFLICT DO NOTHING (the partial unique index of open
    items settles a race with another import)."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        target = qn(table)
        if ignore_conflicts:
            target = f"fl_lists_tmp_{table}"
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DROP AS "
                           f"SELECT {cols} FROM {qn(table)} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_conflicts:
            cursor.execute(f"INSERT INTO {qn(table)} ({cols}) SELECT {cols} FROM {target} "
                           f"ON CONFLICT DO NOTHING")
            cursor.execute(f"DROP TABLE {target}")


def _open_item_ids(grids) -> dict[int, int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT resident_id, id FROM "
                           f"{connection.ops.quote_name(Verification._meta.db_table)} "
                           f"WHERE status = %s AND resident_id = ANY(%s)",
                           [VStatus.OPEN, list(grids)])
            return dict(cursor.fetchall())
    out = {}
    for chunk in _chunks(grids):
        out.update(Verification.objects.filter(resident_id__in=chunk, status=VStatus.OPEN)
                   .values_list("resident_id", "pk"))
    return out


def checklist_row_route(*, row: ChecklistRow, routing: str, actor, to_area: str = "",
                        to_name: str = "", note: str = "",
                        now: datetime | None = None) -> ChecklistRow:
    """Route an unmatched row: not ours / unknown person / to another street. "To another
    street" is a hand-over: to a street in Firstline (`to_area`, its code) the row joins a
    list there — one per list handed over, in the sender's columns plus 转办说明 — and is
    matched against that street's roster (an item for its grid worker when it matches);
    to a street outside (`to_name`) it goes into the hand-over export. Either way with the
    reason (`note`), who and when. Handed over once: asking again changes nothing."""
    require_perm(actor, "lists.manage")
    if not in_scope(actor, row.checklist.area, "lists.manage"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if routing not in Routing.values:
        raise InvalidInput("bad_routing", _("routing must be one of: %(v)s.")
                           % {"v": ", ".join(v for v in Routing.values if v)}, field="routing")
    if row.resident_id is not None:
        raise RuleViolation("matched", _("This row matched a resident: nothing to route."))
    now = now or clock.now()
    note = _text(note, field="note", limit=200)
    with transaction.atomic():
        row = ChecklistRow.objects.select_for_update().select_related("checklist").get(
            pk=row.pk)
        if row.handed_over_id is not None or (row.routing == Routing.OTHER_STREET
                                              and row.routed_at is not None):
            if routing == Routing.OTHER_STREET and _same_target(row, to_area, to_name):
                return row  # handed over already: nothing more
            raise RuleViolation("handed_over", _("Row %(n)s was already handed over to "
                                                 "%(to)s.") % {"n": row.number,
                                                               "to": row.routed_to_name})
        # the why is kept whatever the routing ("电话空号" for an unknown person): the
        # export upward says it
        row.routing, row.route_note = routing, note
        fields = ["routing", "route_note"]
        if routing == Routing.OTHER_STREET:
            target, name = _handover_target(row.checklist, to_area, to_name)
            row.routed_to, row.routed_to_name = target, name
            row.routed_at, row.routed_by = now, actor
            fields += ["routed_to", "routed_to_name", "routed_at", "routed_by"]
            if target is not None:
                row.handed_over = _handover_append(row, target=target, note=note, now=now)
                fields.append("handed_over")
        row.save(update_fields=fields)
        if routing == Routing.OTHER_STREET:
            to = row.routed_to_name
            if row.routed_to is not None:
                to = f"{to} {row.routed_to.code}"
            detail = message(N_("row %(n)s: %(routing)s → %(to)s"), n=row.number,
                             routing=word(Routing(routing).label), to=to)
        else:
            detail = message(N_("row %(n)s: %(routing)s"), n=row.number,
                             routing=word(Routing(routing).label))
        audit(actor=actor, action=AuditAction.CHECKLIST_ROUTE, obj=row.checklist, detail=detail)
    return row


def _same_target(row: ChecklistRow, to_area: str, to_name: str) -> bool:
    if row.routed_to_id is not None:
        return (to_area or "").strip() == row.routed_to.code
    return (to_name or "").strip() == row.routed_to_name


def _handover_target(checklist: Checklist, to_area: str, to_name: str):
    """(street in Firstline or None, its name) for a hand-over; 422 naming the field."""
    to_area, to_name = (to_area or "").strip(), (to_name or "").strip()
    if to_area:
        target = Area.objects.filter(code=to_area).first()
        if target is None or target.level != Level.STREET:
            raise InvalidInput("bad_area", _("to_area: %(code)s is not a street in Firstline; "
                                             "name a street outside with to_name.")
                               % {"code": to_area[:30]}, field="to_area")
        if checklist.area.path.startswith(target.path) or target.path.startswith(
                checklist.area.path):
            raise InvalidInput("own_street", _("to_area: %(name)s is this list's own street.")
                               % {"name": target.name}, field="to_area")
        return target, target.name
    if not to_name:
        raise InvalidInput("to_required", _("To another street: say which (to_area, a street's "
                                            "code, or to_name)."), field="to_area")
    return None, _text(to_name, field="to_name", limit=100)


def _handover_append(row: ChecklistRow, *, target: Area, note: str, now: datetime) -> Checklist:
    """Add `row` to the list handed over from its list to `target` (made on first use),
    matched against the target's roster like an imported row."""
    from firstline.isolation.services import default_owners

    origin = row.checklist
    from_name = origin.street_name
    # The stored source is for the API and the unique key: said in the site's language, not
    # the sender's, so that every hand-over from `origin` to `target` joins one list
    # whoever sends it. People read the list's `title`, said in their own language.
    with translation.override(settings.LANGUAGE_CODE):
        source = handover_title(origin.source, from_name)
    digest = hashlib.sha256(f"handover {origin.pk} {target.pk}".encode()).hexdigest()
    columns = [*origin.columns, HANDOVER_NOTE_COLUMN]
    # One list per origin and target (the digest says both): found by it, so that a list
    # made before with a source in another language is still the one rows join.
    handover = Checklist.objects.filter(area=target, digest=digest,
                                        handover_of=origin).order_by("pk").first()
    if handover is None:
        handover, _created = Checklist.objects.get_or_create(
            area=target, source=source[:100], digest=digest,
            defaults={"filename": origin.filename, "deadline": origin.deadline,
                      "columns": columns, "mapping": origin.mapping, "created_at": now,
                      "handover_of": origin, "created_by": row.routed_by})
    handover = Checklist.objects.select_for_update().get(pk=handover.pk)
    # The sender's cells under the sender's headers, then the note under 转办说明: cells past
    # the last header (a stray one at a row's end) stay on the sender's row alone.
    width = len(origin.columns)
    values = [*row.values[:width], *([""] * (width - len(row.values))),
              f"{from_name}：{note}" if note else from_name]
    number = handover.rows + 1
    table = reading.RawTable(columns, [(number, values)], "handover")
    [parsed] = _parse_rows(table, {k: int(v) for k, v in handover.mapping.items()})
    Matcher(target).run([parsed])
    item = None
    if parsed.resident is not None:
        result = ImportResult()
        item = _open_items({parsed.resident: parsed.grid}, deadline=handover.deadline,
                           now=now, owners=default_owners, result=result)[parsed.resident]
    ChecklistRow.objects.create(checklist=handover, number=number, values=values,
                                name=parsed.name[:100], resident_id=parsed.resident,
                                matched_by=parsed.matched_by, verification_id=item,
                                routing=parsed.routing, reason_facts=parsed.reason)
    counts = {"rows": number}
    key = {MatchedBy.ID: "matched_by_id", MatchedBy.NAME_PHONE: "matched_by_name_phone",
           MatchedBy.NAME_ADDRESS: "matched_by_name_address"}.get(parsed.matched_by,
                                                                  "unmatched")
    counts[key] = getattr(handover, key) + 1
    Checklist.objects.filter(pk=handover.pk).update(**counts)
    return handover


# --- one person, one call -------------------------------------------------------------------

def verification_answer(*, verification: Verification, result: str, actor,
                        temperature=None, symptoms: str = "", from_province: str = "",
                        from_city: str = "", returned_on: date | None = None, note: str = "",
                        source: str = "", now: datetime | None = None) -> Verification:
    """One outcome answers every list the item names. Two workers answering at once: the
    first is recorded, the second gets 409 `already_answered` (a conditional update).
    `source` is the recorded fact the answer was taken from ("visit:12", "reading:34", one of
    the resident's own: 422 naming `source` otherwise), kept as a reference, not as the note."""
    require_perm(actor, "lists.verify")
    if not in_scope(actor, verification.grid, "lists.verify"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    now = now or clock.now()
    today = clock.localdate(now)
    choice_check(result, Result.values, "result", code="bad_result")
    t = temperature_parse(temperature, on=today)
    symptoms = _text(symptoms, field="symptoms", limit=200)
    # the screening ticks the page offers, as codes joined by commas ("cough,fatigue"): any
    # other word is refused, so a page and an export can say every one in words
    symptoms_check(symptoms, field="symptoms")
    from_province = _text(from_province, field="from_province", limit=30)
    from_city = _text(from_city, field="from_city", limit=30)
    note = _text(note, field="note", limit=200)
    date_check(returned_on, field="returned_on")
    if returned_on is not None and returned_on > today:
        raise InvalidInput("bad_date", _("The return date is in the future."),
                           field="returned_on")
    source = (source or "").strip()
    if source and not selectors.fact_is_of(verification.resident, source):
        raise InvalidInput("bad_source", _("source: not a recorded visit or reading of this "
                                           "person."), field="source")
    with transaction.atomic():
        done = Verification.objects.filter(pk=verification.pk, status=VStatus.OPEN).update(
            status=VStatus.DONE, result=result, temperature=t, symptoms=symptoms,
            from_province=from_province, from_city=from_city, returned_on=returned_on,
            note=note, source=source, answered_at=now, answered_by=actor)
        if not done:
            raise RuleViolation("already_answered",
                                _("Someone already recorded the outcome of this item."))
        verification.refresh_from_db()
        verification.alerts = _follow_up(verification, now=now)
        audit(actor=actor, action=AuditAction.VERIFICATION_ANSWER, obj=verification, detail=result)
    return verification


def verification_phone(*, verification: Verification, actor) -> tuple[str, bool]:
    """(the phone, whether in full) of the person to call: for a reader holding
    people.view_full over the person's grid the phone alone is read, and audited as a phone
    read (people.pii_read, never as a read of the ID number too); else the masked number and
    a masked read. The why is the verification item, said in the auditor's language."""
    from firstline.accounts.audit_texts import verification_reason
    from firstline.people.services import mask_phone, pii_read, resident_read

    resident = verification.resident
    reason = verification_reason(verification.pk)
    if in_scope(actor, resident.grid, "people.view_full"):
        return pii_read(actor, resident, ["phone"], reason,
                        action=AuditAction.PHONE_READ)["phone"], True
    resident_read(actor=actor, resident=resident, unmask=False, reason=reason)
    return mask_phone(resident.phone), False


def _follow_up(v: Verification, *, now: datetime) -> list:
    """Outcomes that need action open alerts (a fever: `fever`, its detail naming the call; a
    return from a risk area: `risk_return`); returns them (the page says so to the worker who
    answered)."""
    from firstline.isolation.services import alert_open
    from firstline.people.services import risk_area_match

    day = clock.localdate(now)
    resident = v.resident
    alerts = []
    if is_fever(v.temperature, on=day):
        alerts.append(alert_open(kind=ALERT_FEVER, area=v.grid, resident=resident,
                   household=resident.household,
                   detail=message(FEVER_ON_CALL, temperature=v.temperature),
                   source=f"verification:{v.pk}", opened_at=now))
    if (v.from_province or v.from_city) and v.returned_on is not None:
        days = int(rule("isolation.days", on=day).value)
        if v.returned_on > day - timedelta(days=days):
            risk = risk_area_match(province=v.from_province, city=v.from_city,
                                   on=v.returned_on)
            if risk is not None:
                alerts.append(alert_open(
                    kind=ALERT_RISK_RETURN, area=v.grid, resident=resident,
                    household=resident.household,
                    detail=f"{v.from_province}{v.from_city} {v.returned_on:%m-%d}",
                    source=f"verification:{v.pk}", opened_at=now))
    return [a for a in alerts if a is not None]


# --- cases, contacts, tests -------------------------------------------------------------------

def _resident_in_scope(actor, resident, perm="lists.manage"):
    if not in_scope(actor, resident.grid, perm):
        raise RuleViolation("not_found", _("Not found."), status=404, field="resident_id")


def _person_locked(resident) -> None:
    """One writer of a person's cases at a time (the resident row, locked to the end of the
    transaction)."""
    from firstline.people.models import Resident

    Resident.objects.select_for_update().filter(pk=resident.pk).first()


def _open_case(resident) -> Case | None:
    """The person's open case (any status but ruled out): at most one (constraint
    one_open_case_per_resident; the services that make cases also hold _person_locked)."""
    return (Case.objects.filter(resident=resident).exclude(status=CaseStatus.RULED_OUT)
            .order_by("-on", "-pk").first())


def _case_create(resident, **fields) -> Case | None:
    """A new case, or None when the database already holds an open one for the person (made
    by a writer that did not take _person_locked): the caller then treats it as the open
    case, as if it had been there first."""
    try:
        with transaction.atomic():
            return Case.objects.create(resident=resident, grid=resident.grid, **fields)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return None


@transaction.atomic
def case_record(*, resident, status: str, on: date, actor, source: str = "",
                contacts: list[dict] | None = None, now: datetime | None = None) -> Case:
    """病例: suspected / confirmed / asymptomatic / ruled out, with its date and source.

    One open case per person (any status but ruled out), as test_result_record keeps it: a
    second record while one is open is that case's progress, not a second case (a double tap
    on a bad network made two). Its status takes the new one (suspected → confirmed, ... →
    ruled out, which closes it; the change is in the audit log) except that a case never goes
    back to suspected (a late retry of the first record changes nothing); contacts not yet on
    it are added. A ruled-out record for a person whose last case is ruled out answers that
    case (the retry of the record that closed it). `case.created` says whether a case was
    made."""
    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, resident)
    now = now or clock.now()
    choice_check(status, CaseStatus.values, "status", code="bad_status")
    date_check(on, field="on")
    if on > clock.localdate(now):
        raise InvalidInput("bad_date", _("The date %(day)s is after today (%(today)s): give "
                                         "today or an earlier day.")
                           % {"day": on.isoformat(), "today": clock.localdate(now).isoformat()},
                           field="on")
    source = _text(source, field="source", limit=200)
    rows = []
    for index, c in enumerate(contacts or []):
        rows.append({
            "name": _text(c.get("name"), field=f"contacts.{index}.name", limit=50,
                          required=True),
            "id_number": _text(c.get("id_number"), field=f"contacts.{index}.id_number",
                               limit=30),
            "phone": _text(c.get("phone"), field=f"contacts.{index}.phone", limit=30),
            "address": _text(c.get("address"), field=f"contacts.{index}.address", limit=200),
            "note": _text(c.get("note"), field=f"contacts.{index}.note", limit=200)})
    _person_locked(resident)  # two records at once make one case
    case = _open_case(resident)
    if case is None and status == CaseStatus.RULED_OUT:
        # a retry of the record that closed the last case (with none open, the last one is
        # ruled out): that case, not a new ruled-out one
        case = Case.objects.filter(resident=resident).order_by("-on", "-pk").first()
    made = None
    if case is None:
        made = _case_create(resident, status=status, on=on, source=source, created_by=actor,
                            created_at=now)
        case = made or _open_case(resident)
    if made is not None:
        case.created = True
        audit(actor=actor, action=AuditAction.CASE_RECORD, obj=case, detail=status)
    else:
        case.created = False
        if status not in (case.status, CaseStatus.SUSPECTED):
            before, case.status = case.status, status
            case.save(update_fields=["status"])
            audit(actor=actor, action=AuditAction.CASE_STATUS, obj=case,
                  detail=f"{before} → {status} on {on.isoformat()}")
    named = set(case.contacts.values_list("name", "id_number", "phone")) if rows else set()
    for row in rows:
        if (row["name"], row["id_number"], row["phone"]) not in named:
            CaseContact.objects.create(case=case, **row)
            named.add((row["name"], row["id_number"], row["phone"]))
    return case


def case_contacts_list(*, case: Case, actor, deadline: date | None = None,
                       now: datetime | None = None) -> ImportResult:
    """From a case, one step: its household's other members and its named contacts become a
    list to verify, source "case N" (made once; asking again returns the same list)."""
    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, case.resident)
    header = ["姓名", "身份证号", "手机号", "地址", "关系"]
    rows = []
    household = case.resident.household
    for member in household.residents.exclude(pk=case.resident_id).order_by("pk"):
        rows.append([member.name, member.id_number, member.phone, household.address,
                     _("household member")])
    for contact in case.contacts.order_by("pk"):
        rows.append([contact.name, contact.id_number, contact.phone, contact.address,
                     contact.note or _("close contact")])
    table = reading.RawTable(header, [(i, r) for i, r in enumerate(rows, start=1)], "case")
    digest = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()
    community = case.grid.parent or case.grid
    area = community if in_scope(actor, community, "lists.manage") else case.grid
    return checklist_import(path=None, source=f"case {case.pk}", deadline=deadline, area=area,
                            actor=actor, mapping={"name": 0, "id_number": 1, "phone": 2,
                                                  "address": 3},
                            filename=f"case-{case.pk}", now=now, case=case, table=table,
                            digest=digest)


def case_lock_down(*, case: Case, actor, days: int | None = None, now: datetime | None = None):
    """封控 the case's building (or its compound when the household has no building)."""
    from firstline.isolation.services import lockdown_create

    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, case.resident)
    now = now or clock.now()
    return lockdown_create(**_lockdown_target(case), starts_on=clock.localdate(now), days=days,
                           reason=_("case %(n)s") % {"n": case.pk}, actor=actor, now=now)


def _lockdown_target(case: Case) -> dict:
    household = case.resident.household
    return ({"building": household.building} if household.building_id
            else {"compound": household.compound})


def case_lock_down_plan(*, case: Case, actor, days: int | None = None,
                        now: datetime | None = None):
    """What case_lock_down would do, writing nothing: the place, the households and people it
    puts under home isolation, until when (the isolation app's lockdown_plan, one definition)
    — said on the page before one tap isolates a whole building."""
    from firstline.isolation.services import lockdown_plan

    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, case.resident)
    now = now or clock.now()
    return lockdown_plan(**_lockdown_target(case), starts_on=clock.localdate(now), days=days,
                         now=now)


@transaction.atomic
def case_transfer(*, case: Case, actor, days: int | None = None, now: datetime | None = None):
    """The case's home → centralized isolation: an active home isolation is released and a
    centralized one starts today (the transfer itself is planned on the isolation pages)."""
    from firstline.isolation.models import Isolation, Kind, Status
    from firstline.isolation.services import isolation_release, isolation_start

    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, case.resident)
    now = now or clock.now()
    today = clock.localdate(now)
    active = Isolation.objects.filter(resident=case.resident, status=Status.ACTIVE).first()
    if active is not None and active.kind == Kind.CENTRALIZED:
        raise RuleViolation("already_centralized",
                            _("This person is already in centralized isolation."))
    if active is not None:
        isolation_release(isolation=active, reason=_("transferred to centralized isolation"),
                          actor=actor, now=now)
    return isolation_start(resident=case.resident, kind=Kind.CENTRALIZED,
                           reason="other", reason_note=_("case %(n)s") % {"n": case.pk},
                           starts_on=today, days=days, actor=actor, now=now)


# A positive test makes one of these in one step (a suspected case is confirmed by it).
CASE_FROM_TEST = (CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC)


@transaction.atomic
def test_result_record(*, resident, sampled_on: date, result: str, actor,
                       case_status: str | None = None,
                       now: datetime | None = None, event_id=None) -> TestResult:
    """核酸检测结果. A positive one prompts a case (`prompt_case` on the answer); with
    `case_status` (confirmed or asymptomatic) it makes the case in the same step: dated the
    sample date, source "test N". Idempotent per person: when the resident already has an
    open case (any status but ruled out) the test joins it — a suspected one takes the new
    status — and no second case is made, however many positives arrive at once. Once per
    `event_id` (firstline.db.create_once): a retry answers the first test, `replayed` True."""
    require_perm(actor, "lists.manage")
    _resident_in_scope(actor, resident)
    now = now or clock.now()
    choice_check(result, TestResult.Outcome.values, "result", code="bad_result")
    date_check(sampled_on, field="sampled_on")
    if sampled_on > clock.localdate(now):
        raise InvalidInput("bad_date", _("The sample date is in the future."),
                           field="sampled_on")
    if case_status:
        choice_check(case_status, CASE_FROM_TEST, "case", code="bad_status")
    if case_status and result != TestResult.Outcome.POSITIVE:
        raise InvalidInput("not_positive", _("Only a positive result makes a case."),
                           field="case")

    def same(first: TestResult) -> bool:
        return ((first.resident_id, first.sampled_on, first.result, first.created_by_id)
                == (resident.pk, sampled_on, result, actor.pk))

    def create() -> TestResult:
        if result == TestResult.Outcome.POSITIVE:
            _person_locked(resident)  # two positives at once make one case
        test = TestResult.objects.create(resident=resident, grid=resident.grid,
                                         sampled_on=sampled_on, result=result, created_by=actor,
                                         created_at=now, event_id=event_id)
        audit(actor=actor, action=AuditAction.TEST_RECORD, obj=test, detail=result)
        open_case = _open_case(resident)
        test.case_created = False
        if case_status:
            made = None
            if open_case is None:
                made = _case_create(resident, status=case_status, on=sampled_on,
                                    source=f"test {test.pk}", created_by=actor, created_at=now)
                open_case = made or _open_case(resident)
            if made is not None:
                audit(actor=actor, action=AuditAction.CASE_RECORD, obj=open_case,
                      detail=f"{case_status} from test {test.pk}")
                test.case_created = True
            elif open_case.status == CaseStatus.SUSPECTED:
                open_case.status = case_status
                open_case.save(update_fields=["status"])
                audit(actor=actor, action=AuditAction.CASE_STATUS, obj=open_case,
                      detail=f"suspected → {case_status} by test {test.pk}")
        if result == TestResult.Outcome.POSITIVE and open_case is not None:
            test.case = open_case
            test.save(update_fields=["case"])
        test.prompt_case = result == TestResult.Outcome.POSITIVE and open_case is None
        return test

    test, replayed = create_once(TestResult, event_id, same=same, create=create)
    if replayed:
        # The first answer again: the case it made or joined, or the prompt to make one.
        test.case_created = Case.objects.filter(source=f"test {test.pk}").exists()
        test.prompt_case = test.result == TestResult.Outcome.POSITIVE and test.case_id is None
    test.replayed = replayed
    return test
