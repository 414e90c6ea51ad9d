"""Crawl slots handed out earliest-due first.

With more sources due than crawl slots (``--max-crawls``), a freed slot goes to the
waiting crawl that has been due longest, whatever the order in which they asked: a
source due every 20 s never queues behind sources that fell due after it, so none is
starved. :meth:`CrawlSlots.waiting` says which sources wait and since when (``status``
shows them as late).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator


class CrawlSlots:
    def __init__(self, slots: int):
        self.free = max(1, slots)
        self._heap: list[tuple[float, int, str, asyncio.Future]] = []
        self._seq = itertools.count()
        self._due: dict[str, float] = {}

    def waiting(self) -> dict[str, float]:
        """Sources waiting for a slot → when each fell due (epoch seconds)."""
        return dict(self._due)

    @contextlib.asynccontextmanager
    async def take(self, name: str, due: float) -> AsyncIterator[None]:
        """Hold a slot for the block; ``due`` (epoch seconds) orders the waiters."""
        await self._acquire(name, due)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, name: str, due: float) -> None:
        if self.free > 0 and not self._heap:
            self.free -= 1
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (due, next(self._seq), name, future))
        self._due[name] = due
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the slot was handed over as we were cancelled
            else:
                self._heap = [e for e in self._heap if e[3] is not future]
                heapq.heapify(self._heap)
            raise
        finally:
            self._due.pop(name, None)

    def _release(self) -> None:
        while self._heap:
            _, _, _, future = heapq.heappop(self._heap)
            if not future.done():
                future.set_result(None)  # the slot passes straight to the earliest due
                return
        self.free += 1
