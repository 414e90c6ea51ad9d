"""One service per database: an exclusive lock on ``<db>.run.lock`` that names its holder.

The lock is an ``flock`` on the open file, so the kernel releases it when the holder
dies, even by ``kill -9``; the pid written inside is only there to say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from crawler.database import local_base


class InstanceLocked(Exception):
    """Another process holds the service lock of this database."""

    def __init__(self, path: Path, pid: int | None):
        self.path, self.pid = path, pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"{path}: already held by {who}; "
                         f"one `newswatch run` per database")


def lock_path_for(db_path: str | Path) -> Path:
    return Path(local_base(db_path) + ".run.lock")


class InstanceLock:
    def __init__(self, db_path: str | Path):
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = holder_pid(self.path)
            os.close(fd)
            raise InstanceLocked(self.path, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def holder_pid(path: str | Path) -> int | None:
    """The pid written in a lock file, or None when empty or unreadable."""
    try:
        text = Path(path).read_text().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def running_pid(db_path: str | Path) -> int | None:
    """The pid of the service running on ``db_path``, or None when none holds the lock."""
    path = lock_path_for(db_path)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return holder_pid(path)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
