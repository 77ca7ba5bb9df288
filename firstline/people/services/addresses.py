"""Household addresses as typed: building, unit and room normalized."""






# --- household addresses ------------------------------------------------------------------

# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) as typed by Chinese input methods.
FULL_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in
                             [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                              *range(0xFF41, 0xFF5B)]})
# Longest first, so 3号楼 loses 号楼 rather than 楼.
ADDRESS_SUFFIXES = {
    "building": ("號樓", "号楼", "栋", "棟", "幢", "楼", "樓"),
    "unit": ("单元", "單元"),
    "room": ("室", "号", "號"),
}


def _address_part(value, suffixes) -> str:
    text = "".join(str(value or "").translate(FULL_WIDTH).split())
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def building_name_normalize(value: str) -> str:
    """楼栋 as stored: `1栋`, `1幢`, `1号楼`, `１楼` → `1`; `A座` and `栋` stay as they are."""
    return _address_part(value, ADDRESS_SUFFIXES["building"])


def unit_normalize(value: str) -> str:
    """单元 as stored: `2单元` → `2`."""
    return _address_part(value, ADDRESS_SUFFIXES["unit"])


def room_normalize(value: str) -> str:
    """房号 as stored: `102室`, `102号` → `102`."""
    return _address_part(value, ADDRESS_SUFFIXES["room"])


def household_address_normalize(*, building: str = "", unit: str = "",
                                 room: str = "") -> tuple[str, str, str]:
    """(building, unit, room) as a household is keyed, whatever way they were typed.

    The pages display `1栋 2单元 102室`; people copy that back into files and forms. Strips
    blanks, turns full-width digits and letters into ASCII, and drops one trailing
    栋/幢/号楼/楼 (building), 单元 (unit) or 室/号 (room) when something remains, so
    `1栋,2单元,102室` is the same household as `1,2,102`. Every place a household address
    is typed (roster import, forms, search boxes, the lockdown building box) goes through it.
    """
    return building_name_normalize(building), unit_normalize(unit), room_normalize(room)
