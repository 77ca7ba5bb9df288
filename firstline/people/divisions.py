"""Administrative divisions of China (GB/T 2260): provinces, cities (prefectures) and counties,
shipped as data — people/static/people/gbt2260.json (provenance: people/data/README.md) plus the
province-level list (people/data/gbt2260_provinces.json, which also has 台湾/香港/澳门).

A code is 2 digits (province), 4 (city) or 6 (county); a place is inside another when its
code starts with the other's. `division_find` reads what a person typed ("湖北武汉",
"武汉市江岸区", "江岸") as the most specific division it names unambiguously, or None.
Read once per process; nothing is fetched at run time.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent
# Pseudo-cities of the statistical codes: their counties are named without them.
_NO_CITY_NAME = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_PROVINCE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "新区", "区", "县", "市", "旗")


@dataclass(frozen=True)
class Division:
    code: str
    name: str  # official name: 湖北省, 武汉市, 江岸区
    names: tuple[str, ...]  # what a person may type for it, longest first

    @property
    def level(self) -> str:
        return {2: "province", 4: "city", 6: "county"}[len(self.code)]


def _short(name: str, suffixes, *, keep: int = 2) -> tuple[str, ...]:
    out = [name]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= keep:
            out.append(name[: -len(suffix)])
            break
    if "族" in name and len(name) > 4:  # 恩施土家族苗族自治州 → 恩施
        out.append(name[:2])
    return tuple(sorted(set(out), key=len, reverse=True))


@functools.cache
def divisions() -> dict[str, Division]:
    """{code: Division} of every province, city and county in the data."""
    out: dict[str, Division] = {}
    provinces = json.loads((_HERE / "data" / "gbt2260_provinces.json").read_text("utf-8"))
    for code, name in provinces["provinces"]:
        names = _short(name, _PROVINCE_SUFFIXES)
        # Their traditional spellings too (廣東, 臺灣 and 台灣): a province is picked by name.
        variants = {_convert(table, n) for table in ("s2t", "s2tw") for n in names}
        out[code] = Division(code, name, names + tuple(sorted(variants - set(names),
                                                             key=len, reverse=True)))
    tree = json.loads((_HERE / "static" / "people" / "gbt2260.json").read_text("utf-8"))
    for province in tree:
        for city in province.get("children", []):
            if city["name"] not in _NO_CITY_NAME:
                out[city["code"]] = Division(city["code"], city["name"],
                                             _short(city["name"], _CITY_SUFFIXES))
            for county in city.get("children", []):
                # Cities without counties (东莞, 中山, 儋州, 嘉峪关) list their towns (9 digits).
                if county["name"] in _NO_CITY_NAME or len(county["code"]) != 6:
                    continue
                out[county["code"]] = Division(county["code"], county["name"],
                                               _short(county["name"], _COUNTY_SUFFIXES))
    return out


def division_get(code: str) -> Division | None:
    return divisions().get(code or "")


def division_parts(code: str) -> tuple[str, str, str]:
    """(province, city, county) official names of `code`; "" for a level it does not reach
    or a pseudo-city (北京市 东城区: city "")."""
    parts = []
    for n in (2, 4, 6):
        d = division_get(code[:n]) if len(code) >= n else None
        parts.append(d.name if d else "")
    return parts[0], parts[1], parts[2]


def division_label(code: str) -> str:
    """湖北省武汉市江岸区; a municipality's district: 北京市东城区."""
    return "".join(dict.fromkeys(p for p in division_parts(code) if p))


def division_children(code: str) -> list[Division]:
    """The cities of a province (and counties named directly under it), or a city's counties."""
    level = {2: 4, 4: 6}.get(len(code or ""))
    if level is None:
        return []
    found = [d for c, d in divisions().items() if len(c) == level and c.startswith(code)]
    if level == 4:
        named = {d.code for d in found}
        found += [d for c, d in divisions().items()
                  if len(c) == 6 and c.startswith(code) and c[:4] not in named]
    return sorted(found, key=lambda d: d.code)


def _best(text: str, candidates) -> tuple[Division | None, str]:
    """The candidate whose typed name appears in `text` (the longest name wins; two different
    places tied for it: neither), and `text` without that name."""
    best, best_len, tie = None, 0, False
    for d in candidates:
        for n in d.names:
            if len(n) >= 2 and n in text:
                if len(n) > best_len:
                    best, best_len, tie = d, len(n), False
                elif len(n) == best_len and best is not None and d.code != best.code:
                    tie = True
                break
    if best is None or tie:
        return None, text
    for n in best.names:
        if n in text:
            return best, text.replace(n, "", 1)
    return best, text


_SPACE = re.compile(r"\s+")


@functools.cache
def _converter(table: str):
    import opencc

    return opencc.OpenCC(table)


def simplified(text: str) -> str:
    """`text` in simplified characters (OpenCC t2s): 台灣 → 台湾."""
    return _convert("t2s", text)


def _convert(table: str, text: str) -> str:
    """OpenCC's conversion `table` ("t2s": traditional to simplified; "s2t", "s2tw")."""
    return _converter(table).convert(text)


def division_find(text: str, *, within: str = "") -> str | None:
    """The code of the most specific division `text` names unambiguously (inside `within`
    when given), else `within` (or None). Traditional spellings ("湖北武漢", "廣東深圳") are
    read through OpenCC's traditional-to-simplified table; the text as typed is tried first, so
    a simplified name the table would change (乾县) is still found."""
    text = _SPACE.sub("", text or "")
    found = _division_find(text, within)
    simplified = _convert("t2s", text)
    if simplified != text:
        other = _division_find(simplified, within)
        if other is not None and len(other) > len(found or ""):
            return other
    return found


def _division_find(text: str, within: str) -> str | None:
    scope = within or ""
    everything = divisions()
    if not scope and text:
        province, text = _best(text, (d for c, d in everything.items() if len(c) == 2))
        scope = province.code if province else ""
    if text:
        city, rest = _best(text, (d for c, d in everything.items()
                                  if len(c) == 4 and c.startswith(scope)))
        if city is not None:
            scope, text = city.code, rest
    if text and len(scope) < 6:
        county, _rest = _best(text, (d for c, d in everything.items()
                                     if len(c) == 6 and c.startswith(scope)))
        if county is not None:
            scope = county.code
    return scope or None


def division_of(province: str, city: str = "") -> str | None:
    """The division a (province, city) pair names; the city may be a city, a county, or both
    ("武汉市江岸区"); a municipality may stand as the city with no province ("北京市")."""
    within = ""
    if _SPACE.sub("", province or ""):
        within = division_find(province) or ""
        if len(within) != 2:
            return None
    return division_find(city, within=within) if _SPACE.sub("", city or "") else (within or None)
