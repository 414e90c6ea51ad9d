"""A daemon thread that owns one SQLite connection and runs blocking work for the loop.

The service keeps the event loop free for the scheduler and signals; database work
(matching, health) and blocking delivery run here, one call at a time per worker. The
thread is a daemon so a delivery stuck past the shutdown grace cannot hold up exit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any


class DbWorker:
    def __init__(self, name: str, open_db: Callable[[], Any]):
        self.name = name
        self._open_db = open_db
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._main, name=f"newswatch-{name}",
                                        daemon=True)
        self._busy = threading.Event()
        self._thread.start()

    @property
    def busy(self) -> bool:
        return self._busy.is_set() or not self._queue.empty()

    def _main(self) -> None:
        db = None
        while True:
            item = self._queue.get()
            if item is None:
                break
            fn, args, loop, fut = item
            self._busy.set()
            try:
                if db is None:
                    db = self._open_db()
                result = fn(db, *args)
            except BaseException as exc:  # handed to the awaiting coroutine
                loop.call_soon_threadsafe(_set_exception, fut, exc)
            else:
                loop.call_soon_threadsafe(_set_result, fut, result)
            finally:
                self._busy.clear()
        if db is not None:
            db.conn.close()

    def call(self, fn: Callable, *args) -> asyncio.Future:
        """Run ``fn(db, *args)`` in the thread; await the returned future for its result."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._queue.put((fn, args, loop, fut))
        return fut

    def close(self, timeout: float = 0) -> bool:
        """Ask the thread to finish after its current call; True if it has finished."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _set_result(fut: asyncio.Future, result: Any) -> None:
    if not fut.done():
        fut.set_result(result)


def _set_exception(fut: asyncio.Future, exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
