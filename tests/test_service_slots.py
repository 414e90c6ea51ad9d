"""Crawl slots: with more sources due than slots, earliest due first and no source starved;
`status` shows a due crawl still waiting for a slot as late."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from newswatch.service.slots import CrawlSlots


def test_a_freed_slot_goes_to_the_source_due_longest_whatever_the_order_of_asking():
    async def main():
        slots = CrawlSlots(1)
        order: list[str] = []
        release = asyncio.Event()

        async def crawl(name, due, hold=None):
            async with slots.take(name, due):
                order.append(name)
                if hold:
                    await hold.wait()

        first = asyncio.ensure_future(crawl("running", 0.0, release))
        await asyncio.sleep(0)
        # They ask in this order, but fell due in another.
        waiting = [asyncio.ensure_future(crawl(n, due)) for n, due in
                   (("late-comer", 30.0), ("fast", 10.0), ("slow", 20.0))]
        await asyncio.sleep(0)
        assert slots.waiting() == {"late-comer": 30.0, "fast": 10.0, "slow": 20.0}
        release.set()
        await asyncio.gather(first, *waiting)
        return order, slots.free, slots.waiting()

    order, free, waiting = asyncio.run(main())
    assert order == ["running", "fast", "slow", "late-comer"]
    assert free == 1 and waiting == {}


def test_a_frequent_source_is_not_starved_by_many_slow_ones():
    """2 slots, 8 slow sources (5 s crawls, due every 10 s) and one due every 2 s:
    simulated time; the frequent source never waits longer than one slow crawl."""
    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        slots = CrawlSlots(2)
        waits: list[float] = []

        async def source(name, every, takes, rounds, record=False):
            due = loop.time()
            for _ in range(rounds):
                async with slots.take(name, due):
                    if record:
                        waits.append(loop.time() - due)
                    await asyncio.sleep(takes)
                due = max(due + every, loop.time())
                await asyncio.sleep(max(0, due - loop.time()))

        tasks = [source(f"slow{i}", 1.0, 0.05, 6) for i in range(8)]
        tasks.append(source("fast", 0.2, 0.01, 20, record=True))
        await asyncio.gather(*tasks)
        return waits, loop.time() - start

    waits, took = asyncio.run(main())
    assert len(waits) == 20 and max(waits) <= 0.05 * 4 + 0.05, waits


def test_status_shows_a_due_crawl_waiting_for_a_slot_as_late(tmp_path):
    from newswatch.commands.status import gather
    from newswatch.service.lock import InstanceLock
    from newswatch.service.state import write_schedule
    from newswatch.storage import open_archive

    db_path = tmp_path / "a.db"
    db = open_archive(db_path)
    now = datetime.now(timezone.utc).replace(microsecond=0)  # stamps are whole seconds
    write_schedule(db, [("waiting", now - timedelta(seconds=51), "every 20s, waiting for a "
                         "crawl slot"), ("fine", now + timedelta(seconds=10), "every 20s")], 1)
    lock = InstanceLock(str(db_path))
    lock.acquire()
    try:
        rows = {r["source"]: r for r in gather(db, {}, timezone.utc, now=now)["sources"]}
    finally:
        lock.release()
    assert rows["waiting"]["late_s"] == 51 and rows["fine"]["late_s"] is None
