"""Search terms that must not travel in a URL (privacy audit F1).

An ID number or a phone typed into a search box would otherwise land in the address bar, the
browser's history, a Referer and any proxy's log. Such a term (a run of four digits or more)
is kept in the user's server-side session under a random reference, and the URL carries
`q=~<reference>` instead: the back button, reloading and the pager work; the URL means nothing
outside this session. Names and addresses without such a run stay in the URL, shareable.
"""

import re
import secrets
import string

_PRIVATE = re.compile(r"\d{4,}")
_KEY = "private_terms"
_KEEP = 50  # references a session keeps (the oldest go first)
MARK = "~"


def is_private(term: str) -> bool:
    """Digits enough to be (part of) an ID number or a phone."""
    return bool(_PRIVATE.search(term or ""))


def remember(session, term: str) -> str:
    """The URL value standing for `term`: `~<reference>`, the same for the same term."""
    kept = dict(session.get(_KEY, {}))
    ref = next((r for r, t in kept.items() if t == term), None)
    if ref is None:
        # letters only: a reference must never look like the digits it hides (a run of 4
        # digits in a random token would be taken for part of an ID number, 0.3 % of them)
        ref = "".join(secrets.choice(string.ascii_letters) for _ in range(10))
        kept[ref] = term
        kept = dict(list(kept.items())[-_KEEP:])
        session[_KEY] = kept
    return MARK + ref


def recall(session, value: str) -> str:
    """What a URL value means: the remembered term for `~<reference>` ("" when this session
    has none: an old or another user's link), else the value itself."""
    if value.startswith(MARK):
        return session.get(_KEY, {}).get(value[len(MARK):], "")
    return value


def url_value(session, term: str) -> str:
    """What goes into a URL for `term`."""
    return remember(session, term) if is_private(term) else term
