"""Request logs without what was typed into a query string.

`GET /api/v1/residents?q=310115194401086169` is the contract (CONTRACT.md), so an ID number or
a phone may arrive in a URL; an access log must not keep it (DESIGN.md: never log full ID
numbers). Every value of every query string in a log line is replaced by "-", the names stay:
`GET /api/v1/residents?q=-&area=- HTTP/1.1`. One filter for every request log we write:
`firstline runserver` (the `django.server` logger, settings.LOGGING), our console handler,
and gunicorn's access and error logs (`GunicornLogger`, named by firstline/gunicorn_conf.py).
"""

import logging
import re

REDACTED = "-"

# A query string: from "?" up to whitespace, a quote or the end of a bracketed/quoted URL.
_QUERY = re.compile(r"\?([^\s\"'<>()\[\]]*)")


def _redact_query(query: str) -> str:
    """`q=310115...&area=C1` -> `q=-&area=-`; a bare `?310115...` -> `?-`."""
    if not query:
        return query
    fragment = ""
    if "#" in query:
        query, fragment = query.split("#", 1)
        fragment = "#" + REDACTED if fragment else "#"
    parts = []
    for part in re.split(r"([&;])", query):
        if part in ("&", ";") or part == "":
            parts.append(part)
        elif "=" in part:
            parts.append(part.split("=", 1)[0] + "=" + REDACTED)
        else:
            parts.append(REDACTED)
    return "".join(parts) + fragment


def redact(text: str) -> str:
    """Every query string in `text` (a request line, a Referer, an error message quoting
    either) with its values replaced."""
    if "?" not in text:
        return text
    return _QUERY.sub(lambda m: "?" + _redact_query(m.group(1)), text)


class RedactQuery(logging.Filter):
    """Rewrites the record's message with its query values redacted (the record is shared by
    every handler that emits it afterwards, so none of them sees the values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        if "?" in message:
            record.msg, record.args = redact(message), None
        return True


_filter = RedactQuery()  # one instance: addFilter() does not add it twice on a reopen


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production dependency; tests and runserver need none
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger whose access and error logs never write a query string's values
    (its access line's request "%(r)s", query "%(q)s" and Referer "%(f)s" atoms, and "Error
    handling request /path?..." in the error log)."""

    def setup(self, cfg):
        super().setup(cfg)
        self.access_log.addFilter(_filter)
        self.error_log.addFilter(_filter)
