"""``newswatch run`` with a broker: the scheduler of the cluster.

It is the service (:class:`newswatch.service.Service`: the same schedules, reloads,
requests, health checks, status table, ``/metrics``), except that a due crawl, a
matching pass and a delivery round become Celery tasks for the workers instead of work
done here.

Several schedulers may run (failover): only the one holding the scheduler lock
schedules: the PostgreSQL advisory lock ``scheduler`` (released by the server the moment
its holder's connection dies), or with an SQLite archive ``<db>.run.lock`` (one machine).
The others stand by, trying again every :data:`STANDBY_POLL_S` seconds, and take over.
"""

from __future__ import annotations

import asyncio
import logging
import os

from apscheduler.triggers.interval import IntervalTrigger

from crawler.database import is_server_url, redacted
from newswatch.cluster import dispatch
from newswatch.cluster.app import check_broker, make_app
from newswatch.crawl.locks import NamedLock
from newswatch.crawl.runner import close_leftover_runs
from newswatch.logs import fields
from newswatch.service.daemon import Service
from newswatch.service.lock import InstanceLock, InstanceLocked
from newswatch.service.schedule import interval_seconds

log = logging.getLogger("newswatch.cluster")

STANDBY_POLL_S = 2.0
LOCK_CHECK_S = 5.0  # how often the scheduler checks that its scheduler lock is still its own
LEFTOVER_CHECK_S = 60.0  # runs left "running" by a dead worker are closed this often


class _FileTurn:
    """The scheduler lock of an SQLite archive: ``<db>.run.lock``, polled."""

    def __init__(self, db: str):
        self.lock = InstanceLock(db)
        self.server = False
        self._holder = ""

    def try_acquire(self) -> bool:
        try:
            self.lock.acquire()
        except InstanceLocked as exc:
            self._holder = f"process {exc.pid}" if exc.pid else "another process"
            return False
        return True

    def release(self) -> None:
        self.lock.release()

    def holder(self) -> str:
        return self._holder or "another process"

    def still_held(self) -> bool:
        return True  # an flock is held while the process lives


class Scheduler(Service):
    def __init__(self, opts, loaded=None):
        super().__init__(opts, loaded)
        self.cluster = self.loaded.config.cluster
        self.app = make_app(self.cluster)
        self._turn = None
        self._lost_turn = False

    def run(self) -> int:
        check_broker(self.app, self.cluster)  # BrokerUnreachable names the setting
        try:
            code = asyncio.run(self._main())
            return 1 if self._lost_turn else code
        finally:
            if self._turn is not None:
                self._turn.release()

    async def _take_turn(self) -> bool:
        turn = (NamedLock(self.db_path, "scheduler") if is_server_url(self.db_path)
                else _FileTurn(self.db_path))
        said = False
        while not self.stopping.is_set():
            if await asyncio.to_thread(turn.try_acquire):
                self._turn = turn
                log.info("scheduler: holding the scheduler lock of %s (pid %d)",
                         redacted(self.db_path), os.getpid(), extra=fields(pid=os.getpid()))
                return True
            if not said:
                who = await asyncio.to_thread(turn.holder)
                log.info("scheduler: standing by, %s holds the scheduler lock of %s; "
                         "taking over when it stops", who, redacted(self.db_path))
                said = True
            try:
                await asyncio.wait_for(self.stopping.wait(), STANDBY_POLL_S)
            except asyncio.TimeoutError:
                pass
        return False

    async def _schedule_all(self) -> None:
        await super()._schedule_all()
        self.scheduler.add_job(self._leftovers_job, IntervalTrigger(seconds=LEFTOVER_CHECK_S),
                               id="leftovers", name="leftover runs", replace_existing=True)
        self.scheduler.add_job(self._turn_job, IntervalTrigger(seconds=LOCK_CHECK_S),
                               id="turn", name="scheduler lock check", replace_existing=True)
        log.info("scheduler: broker %s; %d sources to dispatch", self.cluster.broker_shown,
                 len(self.loaded.sources))

    async def _crawl_job(self, name: str) -> None:
        if self.stopping.is_set():
            return
        source = self.loaded.sources.get(name)
        if source is None:
            return
        every = self.opts.interval or interval_seconds(source.schedule)
        try:
            queue = await asyncio.to_thread(dispatch.crawl, self.app, source, every_s=every)
        except Exception as exc:
            log.warning("crawl %s: not dispatched, the broker %s failed: %s", name,
                        self.cluster.broker_shown, exc, extra=fields(source=name))
            return
        log.info("crawl %s: dispatched to queue %s", name, queue,
                 extra=fields(source=name, queue=queue))
        await self._publish_schedule()

    async def _match(self, settle: float = 0.0) -> None:
        await asyncio.to_thread(dispatch.match, self.app)

    async def _deliver(self) -> None:
        if self._delivering:
            return
        self._delivering = True
        try:
            from alerts import outbox

            due = await self.delivery_db.call(outbox.anything_due)
            if due:
                await asyncio.to_thread(dispatch.deliveries, self.app)
            counts = await self.delivery_db.call(outbox.counts)
            self.metrics.set_outbox(counts)
        except Exception as exc:
            log.warning("delivery: not dispatched: %s", exc)
        finally:
            self._delivering = False

    async def _turn_job(self) -> None:
        """Stop at once when the scheduler lock is no longer ours (its connection to
        PostgreSQL broke): a standby may hold it now, and two schedulers would dispatch
        everything twice. The exit status is 1, so a supervisor restarts this one, which
        then stands by."""
        if self._turn is None or self.stopping.is_set() or self._lost_turn:
            return
        if await asyncio.to_thread(self._turn.still_held):
            return
        self._lost_turn = True
        log.error("scheduler: lost the scheduler lock of %s (its database connection "
                  "broke); stopping, so that only one scheduler dispatches",
                  redacted(self.db_path))
        self._on_stop("lost scheduler lock")

    async def _leftovers_job(self) -> None:
        closed = await asyncio.to_thread(close_leftover_runs, self.db_path)
        if closed:
            log.info("closed %d run(s) left running by a worker that died: %s", len(closed),
                     ", ".join(map(str, closed)))

    def _healthz(self) -> dict:
        info = super()._healthz()
        info.update(role="scheduler", broker=self.cluster.broker_shown)
        return info
