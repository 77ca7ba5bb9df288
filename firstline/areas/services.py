from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from firstline.tabular import ErrorsFile, TableError, errors_path_for, open_table, unstorable_cells

from .models import LEVEL_ALIASES, LEVEL_RANK, Area

AREA_COLUMNS = {
    "code": ["编码", "編碼", "代码", "代碼"],
    "name": ["名称", "名稱"],
    "level": ["级别", "級別", "层级", "層級"],
    "parent_code": ["上级编码", "上級編碼", "上级", "上級", "parent"],
}


def area_path_refresh(area: Area) -> None:
    """Recompute `path`/`depth` of `area` and of its whole subtree (after a create or a move)."""
    old_path = area.path
    parent = area.parent
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.depth = parent.depth + 1 if parent else 0
    Area.objects.filter(pk=area.pk).update(path=area.path, depth=area.depth)
    if old_path and old_path != area.path:
        for child in Area.objects.subtree(old_path).exclude(pk=area.pk):
            child.path = area.path + child.path[len(old_path):]
            child.depth = child.path.count("/") - 2
            Area.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


@transaction.atomic
def area_upsert(*, code: str, name: str, level: str, parent: Area | None) -> tuple[Area, str]:
    """Create or update one area. Returns (area, "imported" | "updated" | "unchanged")."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area.objects.create(code=code, name=name, level=level, parent=parent)
        area_path_refresh(area)
        return area, "imported"
    if (area.name, area.level, area.parent_id) == (name, level, parent.pk if parent else None):
        return area, "unchanged"
    moved = area.parent_id != (parent.pk if parent else None)
    area.name, area.level, area.parent = name, level, parent
    area.save(update_fields=["name", "level", "parent"])
    if moved:
        area_path_refresh(area)
    return area, "updated"


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # (row, column, value, reason)
    file_error: str = ""

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, rejected {self.rejected}"


def areas_import(path, *, dry_run: bool = False) -> ImportResult:
    """`firstline import areas FILE`: the jurisdiction tree, idempotent by code.

    Rows may come in any order; a row is rejected (with its reason in FILE.errors.csv) when
    its code repeats, its level is unknown, its parent is unknown or rejected, or its level
    does not fit under its parent. Every other row is written, in one transaction.
    """
    result = ImportResult()
    try:
        table = open_table(path, columns=AREA_COLUMNS, required=["code", "name", "level"])
        rows = list(table.rows())
    except TableError as exc:
        result.file_error = exc.message
        result.errors.append(("", exc.column, "", exc.message))
        _write_errors(path, result)
        return result

    def reject(number, column, value, reason):
        result.errors.append((number, table.title(column), value, reason))

    valid: dict[str, tuple[int, dict]] = {}
    seen: set[str] = set()
    for number, row in rows:
        code, name, level_raw = row["code"], row["name"], row["level"]
        level = LEVEL_ALIASES.get(level_raw.strip().lower())
        unstorable = unstorable_cells(row)
        if unstorable:  # checked first: such a value must not reach a query
            for column, value, reason in unstorable:
                reject(number, column, value, reason)
        elif not code:
            reject(number, "code", code, _("The code is empty."))
        elif code in seen:
            reject(number, "code", code, _("The code %(code)s repeats an earlier row.")
                   % {"code": code})
        elif not name:
            reject(number, "name", name, _("The name is empty."))
        elif len(code) > 32 or len(name) > 100:
            reject(number, "code" if len(code) > 32 else "name", code if len(code) > 32 else name,
                   _("Too long (code at most 32, name at most 100 characters)."))
        elif level is None:
            reject(number, "level", level_raw,
                   _("Unknown level. Use one of: city 市, district 区县, street 街道/乡镇, "
                     "community 社区/村, grid 网格."))
        elif row["parent_code"] == code:
            reject(number, "parent_code", code, _("An area cannot be its own parent."))
        else:
            valid[code] = (number, {**row, "level": level})
        seen.add(code)
    # A duplicated code rejects the later rows only; the first occurrence stands.

    existing = {a.code: a for a in Area.objects.filter(
        code__in={r["parent_code"] for _, r in valid.values() if r["parent_code"]} | set(valid))}
    resolved: dict[str, str] = {}  # code -> level, for rows accepted so far

    def level_of(code):
        if code in resolved:
            return resolved[code]
        if code in existing and code not in valid:
            return existing[code].level
        return None

    pending = dict(valid)
    with transaction.atomic():
        progress = True
        order = []
        while pending and progress:
            progress = False
            for code, (number, row) in list(pending.items()):
                parent_code = row["parent_code"]
                if parent_code and parent_code in pending:
                    continue  # its parent is not settled yet
                if parent_code:
                    parent_level = level_of(parent_code)
                    if parent_level is None:
                        if parent_code in valid or parent_code in seen:
                            reason = _("Its parent %(code)s was rejected.")
                        else:
                            reason = _("Unknown parent code %(code)s.")
                        reject(number, "parent_code", parent_code, reason % {"code": parent_code})
                        del pending[code]
                        progress = True
                        continue
                    if LEVEL_RANK[row["level"]] <= LEVEL_RANK[parent_level]:
                        reject(number, "level", row["level"],
                               _("Level %(level)s does not fit under its parent %(parent)s "
                                 "(%(parent_level)s).")
                               % {"level": row["level"], "parent": parent_code,
                                  "parent_level": parent_level})
                        del pending[code]
                        progress = True
                        continue
                resolved[code] = row["level"]
                order.append((number, row))
                del pending[code]
                progress = True
        for number, row in pending.values():  # a cycle of parents
            reject(number, "parent_code", row["parent_code"],
                   _("The parent codes form a cycle."))
        for _number, row in order:
            if dry_run:
                status = "imported" if row["code"] not in existing else "updated"
            else:
                parent = Area.objects.get(code=row["parent_code"]) if row["parent_code"] else None
                _area, status = area_upsert(code=row["code"], name=row["name"],
                                            level=row["level"], parent=parent)
            if status == "imported":
                result.imported += 1
            elif status == "updated":
                result.updated += 1
        if dry_run:
            transaction.set_rollback(True)
    result.rejected = len({e[0] for e in result.errors})
    result.errors.sort(key=lambda e: e[0])
    _write_errors(path, result)
    return result


def _write_errors(path, result: ImportResult) -> None:
    with ErrorsFile(errors_path_for(path)) as out:
        for error in result.errors:
            out.add(*error)
