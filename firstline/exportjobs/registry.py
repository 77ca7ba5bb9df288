"""The export kinds the apps offer. An app registers each kind from its AppConfig.ready():

    registry.register(ExportKind(name="roster", label=..., build=..., check=...))

`build(job, path, progress)` writes the whole file at `path` (the same path on every try:
a retried task rewrites it, never a second file) and calls `progress(rows)` as it goes and
once at the end with the data rows written (rows_counted does both); it runs inside the
asking page's language (services.export_job_language). It returns None, or `Written` when
the format could not hold every character (GBK CSV): the job page says so.
`check(user, job)` raises PermissionDenied (403) or Http404 when `user` may not have the
file now (a role taken away, an area no longer theirs): run at every download.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str
    build: Callable
    check: Callable


@dataclass(frozen=True)
class Written:
    lost_chars: int = 0  # characters written as "?"
    lost_sample: str = ""  # the first few distinct ones


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    KINDS[kind.name] = kind


def get(name: str) -> ExportKind:
    return KINDS[name]


def rows_counted(rows: Iterable, progress: Callable[[int], None], *, header: int = 1,
                 every: int = PROGRESS_EVERY):
    """`rows` unchanged, calling progress(data rows so far) every `every` rows and at the
    end; the first `header` rows are not counted."""
    n = -header
    for row in rows:
        yield row
        n += 1
        if n > 0 and n % every == 0:
            progress(n)
    progress(max(n, 0))
