"""What typed text may hold: one rule for every text a person sends, checked once where the
input is read — a page's posted fields (firstline.middleware.UnstorableInputMiddleware), the
API's JSON bodies and form fields (firstline.api), a public form's own fields
(firstline.residents.services.text) — so a new field is covered without a line of its own.

Refused: the control characters (C0 and C1, and DEL) other than tab, line feed and carriage
return — an escape sequence or a bell pasted from another system, invisible on the page and
unwritable in an .xlsx — and the invisible direction controls that reorder how the text
around them is shown: the embeddings and overrides U+202A–U+202E and the isolates
U+2066–U+2069 (a RIGHT-TO-LEFT OVERRIDE in a name makes a list or an export show another
name, or "txt.exe" as "exe.txt"). Everything else stays: tab and line breaks, the zero-width
joiner of emoji and names, the left-to-right and right-to-left marks (U+200E, U+200F).

Not checked: passwords (whatever a person chose; never shown) and pass codes (read by a
scanner, which may add a separator; the gate reads them through pass_code_normalize, and a
code that is none answers "unknown pass", not a refused scan). Spreadsheet imports are not
read through here: their cells are kept and shown as pictures (firstline.tabular)."""

import re

# the characters refused, as a regular expression's class: also read by the API's one walk over a
# JSON body (firstline.api.validation.body_refusal)
REFUSED_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED = re.compile(f"[{REFUSED_CLASS}]")


def refused_char(text: str) -> str | None:
    """The first character `text` may not hold, or None."""
    found = _REFUSED.search(text)
    return found.group() if found else None


def char_code(char: str) -> str:
    """How a refusal names the character: U+202E, U+0001."""
    return f"U+{ord(char):04X}"


def unchecked(name) -> bool:
    """Whether a field is left as sent, whatever it holds: a password, a pass code. `name` as
    posted (a form's prefix before "-") or as a JSON key."""
    name = str(name).rsplit("-", 1)[-1].lower()
    return "password" in name or name == "pass_code"
