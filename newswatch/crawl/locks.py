"""The per-source crawl lock, ``<db>.locks/<source>.lock``, and who holds it.

One crawl of a source at a time, whoever starts it (the service, ``newswatch crawl`` in
another shell, a cluster worker on another machine): the holder writes
``<source>.holder.json`` (pid, host, command, since) so that a refused crawl can name it.

On a PostgreSQL archive the same lock is the database advisory lock ``crawl:<source>``
(:func:`crawler.database.advisory_lock`), so two machines never crawl one source at
once; its holder is named by its connection's ``application_name``. :func:`named_lock`
is the one way to take either (also the cluster's ``match`` lock).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from crawler.database import local_base


def lock_path(db: str | Path, source: str) -> Path:
    return Path(local_base(db) + ".locks") / f"{source}.lock"


def _holder_path(db: str | Path, source: str) -> Path:
    return Path(local_base(db) + ".locks") / f"{source}.holder.json"


def lock_holder(db: str | Path, source: str) -> str:
    """Who holds a source's lock, in words (pid, command, since when)."""
    try:
        info = json.loads(_holder_path(db, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return (f"pid {info.get('pid')} on {info.get('host')} ({info.get('command')}), "
            f"since {info.get('since')}")


class SourceLocked(Exception):
    """The source is being crawled by another process; the message names it."""


def write_holder(db: str | Path, source: str) -> None:
    _holder_path(db, source).write_text(json.dumps({
        "pid": os.getpid(), "host": socket.gethostname(),
        "command": " ".join(Path(a).name if i == 0 else a
                            for i, a in enumerate(sys.argv[:3])) or "python",
        "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}), encoding="utf-8")


def locked_message(db: str | Path, source: str) -> str:
    return (f"already being crawled by {lock_holder(db, source)}; not started (use --wait "
            f"to wait for it)")


@contextlib.contextmanager
def source_lock(db: str | Path, source: str, *, wait: bool = False) -> Iterator[None]:
    """Hold ``<db>.locks/<source>.lock`` (and say who holds it) for the block.

    Raises :class:`SourceLocked` at once when another process holds it, unless ``wait``.
    """
    path = lock_path(db, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:
        raise SourceLocked(locked_message(db, source)) from None
    try:
        write_holder(db, source)
        yield
    finally:
        lock.release()




def _who() -> str:
    argv = [("newswatch" if Path(a).name == "__main__.py" else Path(a).name) if i == 0 else a
            for i, a in enumerate(sys.argv[:3])]
    return (f"pid {os.getpid()} on {socket.gethostname()} ({' '.join(argv) or 'python'}), "
            f"since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}")


class NamedLock:
    """A lock by name on the archive's own ground: a file lock beside an SQLite archive,
    an advisory lock on a PostgreSQL one. ``try_acquire()`` → bool, ``release()``."""

    def __init__(self, db: str | Path, name: str, *, file: Path | None = None):
        from crawler.database import is_server_url

        self.db, self.name = str(db), name
        self.server = is_server_url(self.db)
        self._held = None
        if not self.server:
            path = file or Path(self.db + ".locks") / f"_{name.replace(':', '-')}.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = FileLock(str(path), thread_local=False)

    def try_acquire(self) -> bool:
        if not self.server:
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                return False
            return True
        from crawler.database import LockBusy, advisory_lock

        stack = contextlib.ExitStack()
        try:
            self._conn = stack.enter_context(advisory_lock(_named_url(self.db, _who()),
                                                           self.name))
        except LockBusy:
            return False
        self._held = stack
        return True

    def still_held(self) -> bool:
        """Whether the lock taken is still ours: a file lock is while we live; an advisory
        lock while its connection does (a server restart or a network cut ends it, and
        then another process may take it)."""
        if not self.server:
            return True
        if self._held is None:
            return False
        try:
            self._conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    def release(self) -> None:
        if not self.server:
            if self._file.is_locked:
                self._file.release()
            return
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def holder(self) -> str:
        """Who holds it, in words (for a refused crawl's message)."""
        if not self.server:
            return "another process"
        return advisory_holder(self.db, self.name) or "another process"


def _named_url(url: str, who: str) -> str:
    """``url`` whose connection says who holds the lock (PostgreSQL ``application_name``)."""
    from urllib.parse import quote

    name = quote(("newswatch " + who)[:63], safe="")
    return url + ("&" if "?" in url else "?") + f"application_name={name}"


def advisory_holder(url: str, name: str) -> str | None:
    """The ``application_name`` and address of the session holding advisory lock ``name``."""
    import psycopg
    from crawler.database import lock_key

    key = lock_key(name)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT a.application_name, host(a.client_addr) FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND l.objsubid = 1 AND l.classid::bigint = %s "
                "AND l.objid::bigint = %s",
                [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF]).fetchone()
    except Exception:
        return None
    if not row:
        return None
    who = (row[0] or "").removeprefix("newswatch ") or "a session"
    return who + (f" (from {row[1]})" if row[1] else "")


def source_lock_of(db: str | Path, source: str) -> NamedLock:
    """A source's crawl lock (not taken): ``<db>.locks/<source>.lock``, or the advisory
    lock ``crawl:<source>`` on PostgreSQL."""
    path = None if _server(db) else lock_path(db, source)
    return NamedLock(db, f"crawl:{source}", file=path)


def _server(db) -> bool:
    from crawler.database import is_server_url

    return is_server_url(db)


def file_lock(db: str | Path, source: str) -> FileLock:
    """The source's lock object (not taken), for callers that poll it."""
    path = lock_path(db, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path), thread_local=False)
