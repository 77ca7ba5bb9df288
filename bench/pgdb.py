"""The benchmarks' own PostgreSQL databases: created on first use (a fresh machine has none)."""

from urllib.parse import urlparse


def ensure_database(url: str, *, recreate: bool = False) -> None:
    """Create the database named in a postgres:// URL if it is missing (dropped first when
    `recreate`). Anything but PostgreSQL is left alone."""
    if not url.startswith("postgres"):
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if recreate:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
