"""The per-source crawl lock, ``<db>.locks/<source>.lock``, and who holds it.

One crawl of a source at a time, whoever starts it (the service, ``newswatch crawl`` in
another shell): the holder writes ``<source>.holder.json`` (pid, host, command, since)
so that a refused crawl can name it.
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




def file_lock(db: str | Path, source: str) -> FileLock:
    """The source's lock object (not taken), for callers that poll it."""
    path = lock_path(db, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path), thread_local=False)
