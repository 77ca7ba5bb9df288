"""Texts kept as facts and said in the reader's language (alerts, audit details).

A sentence a service writes for people to read later is not translated when it is written:
the writer does not know who reads it, nor in which language (a low-stock alert written while
a zh-hans user worked is read by a zh-hant or an English one). The writer stores a message —
its English msgid, marked with gettext_noop (`N_`) so it is in the catalogues — and its
parameters; the page, the workbook or the API says it in its reader's language with `render`.

    facts = message(N_("%(store)s: %(item)s down to %(n)d (threshold %(t)d)"),
                    store="城北社区物资库", item="额温枪", n=2, t=3)
    render(facts)  # 城北社区物资库：额温枪 仅剩 2（预警值 3） / ...: ... down to 2 (threshold 3)

A parameter may itself be a message (a word of a vocabulary, e.g. a visitor's kind), said in
the same language. Names (a gate's, a store's) and numbers are kept as they are.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop, pgettext

N_ = gettext_noop


def listing(items) -> str:
    """Items said as one list in the reader's language: "咳嗽、乏力", "cough, fatigue"."""
    return pgettext("list separator", ", ").join(str(i) for i in items)


def message(msgid: str, *, context: str = "", **params) -> dict:
    """The facts of a sentence to say later: {"m": msgid, "c": context, "p": params}.
    Decimals and dates are kept as text (JSON has no such types)."""
    out = {"m": msgid}
    if context:
        out["c"] = context
    if params:
        out["p"] = {k: _plain(v) for k, v in params.items()}
    return out


def word(label) -> dict:
    """A vocabulary word — a choice's lazy label, gettext_lazy("visitor") or
    pgettext_lazy("lists", "moved out") — as a message, said later in the reader's language.
    (The lazy object's own pickling recipe names the function and its arguments.)"""
    if isinstance(label, str):
        return message(label)
    _unpickle, (func, args, _kw, *_result) = label.__reduce__()
    if func is pgettext:
        return message(args[1], context=args[0])
    if func is gettext:
        return message(args[0])
    raise TypeError(f"not a lazy translation: {label!r}")


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, dict | str | int | float) or value is None:
        return value
    raise TypeError(f"a message parameter must be text, a number, a date or a message, "
                    f"not {type(value).__name__}")


def is_message(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("m"), str)


def render(facts, fallback: str = "") -> str:
    """The sentence in the active language; `fallback` (the text stored before a row kept its
    facts) when there are none. Never raises: a catalogue whose translation names another
    parameter falls back to the English sentence."""
    if not is_message(facts):
        return fallback
    msgid = facts["m"]
    text = pgettext(facts["c"], msgid) if facts.get("c") else gettext(msgid)
    params = {k: render(v) if is_message(v) else v for k, v in (facts.get("p") or {}).items()}
    if not params:
        return text
    for template in (text, msgid):
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            continue
    return msgid


def cell_words(text) -> str:
    """Our words alone in a spreadsheet cell begin as a sentence does, as the column titles
    do: "Reached; temperature 36.5 ℃", "Not verified yet", "Home isolation" in English
    (the same vocabulary reads "reached" inside a page's sentence). Chinese has no case and
    is unchanged; only the first letter is touched, never what follows (a name, a note)."""
    text = str(text)
    return text[:1].upper() + text[1:]
