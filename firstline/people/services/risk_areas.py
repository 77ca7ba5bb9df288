"""Risk areas (中高风险地区): matching a place to the list, adding and ending one."""

import re
from datetime import date, datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.errors import InvalidInput, RuleViolation

from ..divisions import (
    division_find,
    division_get,
    division_of,
    division_parts,
    divisions,
    simplified,
)
from ..models import RISK_LEVELS, RiskArea

# --- risk areas and screening -------------------------------------------------------------

_SUFFIXES = ("特别行政区", "維吾爾自治區", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
             "自治區", "省", "市", "地区", "地區", "自治州", "盟")


def place_name(value: str) -> str:
    value = "".join((value or "").split())
    for suffix in _SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            return value[: -len(suffix)]
    return value


def _area_code(area: RiskArea) -> str:
    """The entry's division code; an entry older than the codes is read from its names."""
    return area.code or division_of(area.province, area.city) or ""


def _covering(code: str | None, listed) -> RiskArea | None:
    """The listed entry whose division contains `code` (the most specific one), or None."""
    if not code:
        return None
    found = [(len(c), area) for area in listed if (c := _area_code(area)) and code.startswith(c)]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _legacy_match(area: RiskArea, p: str, c: str) -> bool:
    # An entry no division code could be read from: by its names, as before the codes.
    ap, ac = place_name(area.province), place_name(area.city)
    if ap and p and ap != p and not (not ac and ap == c):
        return False
    if not ac:
        return ap == p or ap == c
    return ac == c


def risk_area_match(*, province: str, city: str = "", on: date) -> RiskArea | None:
    """The listed risk area covering the place (province, city) names on local date `on`, or
    None. The place is read as a GB/T 2260 division (the city may name a city, a county or
    both: "武汉市江岸区"); a listed city covers its counties, a province everything in it."""
    p, c = place_name(province), place_name(city)
    if not p and not c:
        return None
    listed = list(RiskArea.objects.listed_on(on))
    found = _covering(division_of(province, city), listed)
    if found is not None:
        return found
    return next((a for a in listed if not _area_code(a) and _legacy_match(a, p, c)), None)


def risk_area_in_text(text: str, *, on: date) -> RiskArea | None:
    """The listed risk area a free-text origin ("湖北武汉", "武汉市江岸区") names on local date
    `on`: a visitor's "coming from" at the gate. Read as a division like risk_area_match."""
    text = "".join((text or "").split())
    if not text:
        return None
    listed = list(RiskArea.objects.listed_on(on))
    found = _covering(division_find(text), listed)
    if found is not None:
        return found
    for area in listed:
        if _area_code(area):
            continue
        ap, ac = place_name(area.province), place_name(area.city)
        if (ac and ac in text) or (not ac and ap and ap in text):
            return area
    return None


def gbt2260_provinces() -> dict[str, str]:
    """{short name: code} of the province-level divisions of GB/T 2260 (people.divisions):
    湖北 → 42. Traditional names map too (湖北, 廣東)."""
    return {n: d.code for d in divisions().values() if d.level == "province" for n in d.names
            if place_name(n) == n}


_CITY_RE = re.compile(r"[\u3400-\u9fff·]{1,30}")


def _same_place(area: RiskArea, code: str) -> bool:
    return _area_code(area) == code


@transaction.atomic
def risk_area_add(*, actor, province: str = "", city: str = "", level: str = "", since,
                  source: str = "", code: str = "") -> RiskArea:
    """List a risk area (中高风险地区) from local date `since`: a province, a city or a county
    of GB/T 2260 (people.divisions), given by its `code` or by names (province, and a city
    and/or county in `city`: "武汉", "江岸区", "武汉市江岸区"). Names that are not a division
    are refused ("胡北", "武含" would flag nobody); the official names are stored. One active
    entry per division."""
    require_perm(actor, "people.risk_areas")
    province, city = (province or "").strip(), (city or "").strip()
    level, source, code = (level or "").strip(), (source or "").strip(), (code or "").strip()
    for field, value, limit in (("province", province, 30), ("city", city, 30),
                                ("source", source, 200), ("code", code, 6)):
        if len(value) > limit:
            raise InvalidInput("too_long", _("At most %(n)s characters.") % {"n": limit},
                               field=field)
    if code:
        if division_get(code) is None:
            raise InvalidInput("unknown_division",
                               _("%(value)s is not a division code of GB/T 2260 (2, 4 or 6 "
                                 "digits, e.g. 4201 for 武汉市).") % {"value": code},
                               field="code")
    else:
        if not place_name(province):
            raise InvalidInput("province_required", _("Enter the province, e.g. 湖北."),
                               field="province")
        # Picked from the divisions (GB/T 2260), not free text: "胡北" would flag nobody.
        named = division_get(division_find(province) or "")
        if named is None or named.level != "province" or not {
                place_name(province), simplified(place_name(province))} & set(named.names):
            raise InvalidInput("unknown_province",
                               _("%(value)s is not a province-level division (GB/T 2260): "
                                 "choose one from the list, e.g. 湖北.") % {"value": province},
                               field="province")
        code = division_of(province, city) or ""
        if city and (len(code) < 4 or not _CITY_RE.fullmatch(city)):
            raise InvalidInput("unknown_city",
                               _("%(value)s is not a city or county of %(province)s (GB/T "
                                 "2260): choose one from the list, e.g. 武汉 or 江岸区.")
                               % {"value": city, "province": division_get(code[:2]).name},
                               field="city")
    province, city, county = division_parts(code)
    if level and level not in RISK_LEVELS:
        raise InvalidInput("bad_level", _("Unknown level: choose high or medium risk."),
                           field="level")
    if isinstance(since, str):
        try:
            since = date.fromisoformat(since.strip())
        except ValueError:
            since = None
    if not isinstance(since, date) or isinstance(since, datetime):
        raise InvalidInput("bad_date", _("Enter the date listed from, e.g. 2020-01-23."),
                           field="since")
    # One adder at a time, so two staff listing one place at once cannot both pass the
    # check below ("湖北" and "湖北省" are one place, which no unique key can say). The list
    # is short and rarely written; SQLite's immediate transactions serialise writers anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(RiskArea._meta.db_table)} "
                           f"IN SHARE ROW EXCLUSIVE MODE")
    # An entry overlaps the new one unless it ends on or before `since`.
    overlapping = RiskArea.objects.not_delisted_by(since)
    for existing in overlapping.order_by("since", "pk"):
        if _same_place(existing, code):
            raise RuleViolation(
                "already_listed",
                _("%(place)s is already listed since %(since)s: end that listing first.")
                % {"place": existing.place_label, "since": existing.since.isoformat()},
                field="province")
    area = RiskArea.objects.create(code=code, province=province, city=city, county=county,
                                   level=level, since=since, source=source)
    audit(actor=actor, action=AuditAction.RISK_AREA_ADD, obj=area,
          detail=f"{area.place_label} {level} {since.isoformat()} {source}")
    return area


@transaction.atomic
def risk_area_end(*, actor, risk_area: RiskArea, on: date) -> RiskArea:
    """Take a place off the list: not listed from local date `on` (`until` is exclusive)."""
    require_perm(actor, "people.risk_areas")
    area = RiskArea.objects.select_for_update().get(pk=risk_area.pk)
    if not isinstance(on, date) or isinstance(on, datetime):
        raise InvalidInput("bad_date", _("Enter the date the listing ends, e.g. 2020-03-10."),
                           field="on")
    if area.until is not None:
        raise RuleViolation("already_ended", _("%(place)s was already taken off the list on "
                                               "%(until)s.")
                            % {"place": area.place_label, "until": area.until.isoformat()})
    if on < area.since:
        raise InvalidInput("end_before_start",
                           _("The listing cannot end (%(on)s) before it started (%(since)s).")
                           % {"on": on.isoformat(), "since": area.since.isoformat()}, field="on")
    area.until = on
    area.save(update_fields=["until"])
    audit(actor=actor, action=AuditAction.RISK_AREA_END, obj=area,
          detail=f"{area.place_label} until {on.isoformat()}")
    return area
