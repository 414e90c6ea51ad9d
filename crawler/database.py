"""Where the archive lives: an SQLite file (the embedded default) or a PostgreSQL server.

``db`` is either a path (SQLite) or a ``postgresql://`` URL. :func:`is_server_url` tells
which; :func:`crawler.archive.connect` opens either behind one interface.

:func:`advisory_lock` is the cross-machine lock of the cluster: a PostgreSQL session
advisory lock, held by a connection of its own, so it is released the moment its holder
dies (kill -9, a lost machine) with no stale file to clean up.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: str | Path) -> bool:
    """True when ``target`` names a PostgreSQL server rather than an SQLite file."""
    return str(target).startswith(SERVER_SCHEMES)


def redacted(target: str | Path) -> str:
    """``target`` fit for logs and output: a URL's password replaced by ``***``."""
    text = str(target)
    if not is_server_url(text):
        return text
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(text)
    if parts.password is None:
        return text
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def local_base(target: str | Path) -> str:
    """Where this machine keeps the files that go with an archive (``<base>.lock``,
    ``<base>.locks/``, ``<base>.web-key``): beside an SQLite file; for a server database,
    a name for it under the user's data directory (host, port and database, no secret)."""
    if not is_server_url(target):
        return str(target)
    from urllib.parse import urlsplit

    import platformdirs

    parts = urlsplit(str(target))
    name = "-".join(str(p) for p in (parts.hostname or "local", parts.port or 5432,
                                     parts.path.strip("/") or "postgres"))
    folder = Path(platformdirs.user_data_dir("newswatch")) / "servers"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def is_postgres(db) -> bool:
    """True when ``db`` (an open archive) is on PostgreSQL."""
    return getattr(db, "dialect", "sqlite") == "postgresql"


def archive_exists(target: str | Path) -> bool:
    """Whether there is an archive at ``target``: an SQLite file that exists; a server
    database is taken to exist (connecting tells)."""
    return is_server_url(target) or str(target) == ":memory:" or Path(target).exists()


def upsert_sql(table: str, columns: list[str], key: list[str]) -> str:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` of ``columns``: a row replaced in place,
    the same statement on SQLite and PostgreSQL (SQLite's ``INSERT OR REPLACE`` is not)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"({', '.join('?' for _ in columns)}) ON CONFLICT ({', '.join(key)}) "
            + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))


class ArchiveUnreachable(OSError):
    """The PostgreSQL server of ``db`` cannot be reached or refuses us; the message names
    the database (password hidden) and what the server or the network said."""


class LockBusy(Exception):
    """Another process (on any machine) holds the advisory lock."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (the same on every machine and release)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


@contextlib.contextmanager
def advisory_lock(url: str, name: str, *, wait: bool = False) -> Iterator:
    """Hold the PostgreSQL advisory lock ``name`` for the block, on a connection of its own
    (given to the block: the lock is held exactly as long as that connection lives).

    Raises :class:`LockBusy` at once when another session holds it, unless ``wait``."""
    import psycopg

    key = lock_key(name)
    with psycopg.connect(url, autocommit=True) as conn:
        if wait:
            conn.execute("SELECT pg_advisory_lock(%s)", [key])
        elif not conn.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
            raise LockBusy(name)
        try:
            yield conn
        finally:
            with contextlib.suppress(Exception):
                conn.execute("SELECT pg_advisory_unlock(%s)", [key])
