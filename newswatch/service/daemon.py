"""The service behind ``newswatch run``: crawl each source on its schedule, then match
and deliver, watch the sources' health, and stop cleanly.

One asyncio process runs an APScheduler 3 ``AsyncIOScheduler`` (memory job store,
``coalesce``, ``max_instances=1``, a misfire grace of minutes). A crawl is the crawl
runner's Scrapy child (:class:`newswatch.crawl.runner.Crawl`, the same as ``newswatch
crawl``), given a crawl slot earliest-due first (:mod:`newswatch.service.slots`);
matching and health run in one database thread, delivery in another, so the loop only
schedules.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from functools import partial
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.database import redacted
from newswatch.service import load as service_load, signals
from newswatch.crawl.runner import Crawl, CrawlOptions, close_leftover_runs
from newswatch.service.db_worker import DbWorker
from newswatch.service.lock import InstanceLock
from newswatch.logs import fields
from newswatch.service.metrics import Metrics, MetricsServer
from newswatch.service.schedule import build_trigger, first_run_time, interval_seconds
from newswatch.service import state as service_state, steps
from newswatch.service.slots import CrawlSlots
from newswatch.storage import open_archive

log = logging.getLogger("newswatch.service")

MISFIRE_GRACE_S = 300
# A crawl stopped at its timeout gets this long to close before its group is killed.
STOP_GRACE_S = 10
# After a crawl, how long matching waits for other running crawls to finish.
MATCH_SETTLE_S = 3.0
# How often the service reads the requests of other processes (crawl now, reload).
REQUEST_POLL_S = 2.0


@dataclass
class RunOptions:
    config_path: str | None = None
    overrides: dict | None = None
    only: tuple[str, ...] = ()
    interval: float | None = None  # replaces every source's schedule (demo, tests)
    http: tuple[str, int] | None = None
    web: tuple[str, int] | None = None  # the web interface, on this loop (newswatch.web)
    jitter: bool = True
    max_crawls: int = 4  # crawl children at once (all sources are due at first start)
    early_signals: list | None = None  # stop requests received before the loop ran


class Service:
    def __init__(self, opts: RunOptions, loaded=None):
        self.opts = opts
        self.loaded = loaded or service_load.load(opts.config_path, opts.overrides or {},
                                                  only=opts.only)
        self.db_path = str(self.loaded.config.db)
        self.metrics = Metrics()
        self.children: dict[str, Crawl] = {}
        self.stopping: asyncio.Event | None = None
        self._stop_reason: str | None = None
        self._match_lock: asyncio.Lock | None = None
        self._match_again = False
        self._delivering = False
        self._started = time.time()
        self._http: MetricsServer | None = None
        self._web = None
        self._tasks: set[asyncio.Task] = set()
        self._crawling: set[str] = set()

    # ---- lifecycle -------------------------------------------------------------

    def run(self) -> int:
        lock = InstanceLock(self.db_path)
        lock.acquire()  # InstanceLocked names the holder; the command reports it
        try:
            return asyncio.run(self._main())
        finally:
            lock.release()

    async def _main(self) -> int:
        loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        self._match_lock = asyncio.Lock()
        self._crawl_slots = CrawlSlots(self.opts.max_crawls)
        self.scheduler: AsyncIOScheduler | None = None
        # First thing: a SIGTERM during start-up must still be a clean stop.
        signals.install(loop, on_stop=self._on_stop, on_reload=self._on_reload)
        for signame in (self.opts.early_signals or [])[:1]:
            self._on_stop(signame)
        if not await self._take_turn():  # a cluster's standby scheduler waits here
            signals.uninstall(loop)
            return 0
        self.db = DbWorker("db", lambda: open_archive(self.db_path))
        self.delivery_db = DbWorker("delivery", lambda: open_archive(self.db_path))
        await self.db.call(lambda db: None)  # migrations applied before anything else
        # Runs a killed crawl left "running" (a crash, a reboot) are closed as interrupted.
        leftovers = await asyncio.to_thread(close_leftover_runs, self.db_path)
        if leftovers:
            log.info("closed %d run(s) left running by a killed crawl: %s", len(leftovers),
                     ", ".join(map(str, leftovers)))
        if self.opts.web:
            await self._start_web()
        for line in self.loaded.problems:
            log.warning("%s", line)
        self.scheduler = AsyncIOScheduler(
            timezone=self.loaded.config.timezone,
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": MISFIRE_GRACE_S})
        if self.stopping.is_set():
            await self._shutdown()
            return 0
        await self._schedule_all()
        self.scheduler.start()
        if self.opts.http:
            host, port = self.opts.http
            self._http = MetricsServer(self.metrics, host, port, self._healthz)
            self._http.start()
            log.info("serving /healthz and /metrics on http://%s:%d", host, self._http.port)
        log.info("newswatch running: %d sources, %d topics, database %s (pid %d)",
                 len(self.loaded.sources), len(self.loaded.topics), redacted(self.db_path),
                 os.getpid(), extra=fields(pid=os.getpid(), db=redacted(self.db_path)))
        # Leftovers from a previous run: health changes and due deliveries.
        self._spawn("start-up checks", self._startup_checks())
        await self.stopping.wait()
        await self._shutdown()
        signals.uninstall(loop)
        return 0

    async def _take_turn(self) -> bool:
        """Whether to go on: the one-machine service always does (its lock is taken in
        :meth:`run`); a cluster scheduler waits for the scheduler lock."""
        return True

    def _on_stop(self, signame: str) -> None:
        if self.stopping.is_set():
            log.warning("%s again: stopping crawls now", signame)
            for crawl in list(self.children.values()):
                crawl.kill()
            return
        log.info("%s received: stopping (grace %ss)", signame,
                 int(self.loaded.seconds("shutdown_grace")), extra=fields(signal=signame))
        self._stop_reason = signame
        self.stopping.set()

    def _on_reload(self) -> None:
        if self.scheduler is None or not self.scheduler.running:
            log.warning("SIGHUP during start-up or shutdown: ignored")
            return
        self._spawn("reload", self._reload())

    async def _shutdown(self) -> None:
        grace = self.loaded.seconds("shutdown_grace")
        deadline = time.monotonic() + grace
        # Pause, not shut down: shutdown cancels running jobs, and crawls may finish.
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        if self.children:
            log.info("waiting up to %ss for %d running crawl(s): %s", int(grace),
                     len(self.children), ", ".join(sorted(self.children)))
        # Let crawls finish, keeping a little of the grace to stop them and to exit.
        while self._crawling and time.monotonic() < deadline - 3:
            await asyncio.sleep(0.1)
        if self.children:
            log.warning("stopping crawl(s) still running: %s", ", ".join(sorted(self.children)))
            await asyncio.gather(*(c.stop("stopped: the service is stopping", grace=1.5)
                                   for c in list(self.children.values())),
                                 return_exceptions=True)
        while self._crawling and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # their run summaries and health checks
        # In-flight matching and delivery finish (each is one transaction or one send).
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=max(0.1, deadline - time.monotonic()))
        while ((self.db.busy or self.delivery_db.busy or self._delivering)
               and time.monotonic() < deadline):
            await asyncio.sleep(0.05)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._http:
            self._http.stop()
        if self._web:
            await self._web.stop()
        self.db.close(0.5)
        self.delivery_db.close(0.5)
        log.info("stopped", extra=fields(reason=self._stop_reason))

    async def _guard(self, what: str, coro) -> None:
        """Run a job body; log its failure instead of letting it end the service."""
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", what)
        finally:
            self.metrics.last_cycle.set(time.time())

    # ---- scheduling --------------------------------------------------------------

    async def _schedule_all(self) -> None:
        starts = await self.db.call(steps.last_run_starts)
        now = datetime.now(timezone.utc)
        tz = self.loaded.config.timezone
        for job in self.scheduler.get_jobs():
            if job.id.startswith("crawl:"):
                job.remove()
        for name, source in sorted(self.loaded.sources.items()):
            trigger = build_trigger(source.schedule, tz=tz, override_interval=self.opts.interval,
                                    jitter=self.opts.jitter and self.opts.interval is None)
            first = first_run_time(trigger, starts.get(name), now)
            self.scheduler.add_job(self._crawl_job, trigger, args=[name], id=f"crawl:{name}",
                                   name=f"crawl {name}", next_run_time=first,
                                   replace_existing=True)
        delivery_every = self.loaded.seconds("delivery_interval")
        self.scheduler.add_job(self._delivery_job, IntervalTrigger(seconds=delivery_every),
                               id="deliver", name="deliver due", replace_existing=True,
                               misfire_grace_time=None)
        self.scheduler.add_job(self._requests_job, IntervalTrigger(seconds=REQUEST_POLL_S),
                               id="requests", name="requests", replace_existing=True,
                               misfire_grace_time=None)
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()
        for job_id, trigger in steps.digest_triggers(self.loaded, tz):
            # Delivery builds the digests that are due; at their time, deliver at once.
            self.scheduler.add_job(self._delivery_job, trigger, id=job_id, name=job_id,
                                   replace_existing=True)
        await self._publish_schedule()

    async def _publish_schedule(self) -> None:
        rows = []
        waiting = self._crawl_slots.waiting()
        for name, source in sorted(self.loaded.sources.items()):
            job = self.scheduler.get_job(f"crawl:{name}")
            every = self.opts.interval or interval_seconds(source.schedule)
            desc = f"every {every:g}s" if every else f"cron {source.schedule.get('cron')}"
            nxt = getattr(job, "next_run_time", None) if job else None
            if name in waiting:  # due, but every crawl slot is taken: late since then
                nxt = datetime.fromtimestamp(waiting[name], timezone.utc)
                desc += ", waiting for a crawl slot"
            rows.append((name, nxt, desc))
        await self.db.call(steps.write_schedule, rows, os.getpid())

    # ---- jobs ----------------------------------------------------------------------

    async def _crawl_job(self, name: str) -> None:
        if self.stopping.is_set() or name in self._crawling:
            return
        self._crawling.add(name)
        due = time.time()  # the job fires when the source falls due
        try:
            if self._crawl_slots.free == 0:
                self._spawn("schedule", self._publish_schedule())  # status shows it late
            async with self._crawl_slots.take(name, due):
                if not self.stopping.is_set():
                    await self._guard(f"crawl of {name}", self._crawl(name))
        finally:
            self._crawling.discard(name)

    async def _crawl(self, name: str) -> None:
        cfg = self.loaded.config
        limit = self.loaded.seconds("crawl_timeout")
        options = CrawlOptions(db=self.db_path, sources_dir=cfg.sources_dir,
                               replay=cfg.replay or "", timeout=limit, grace=STOP_GRACE_S,
                               max_articles=cfg.max_articles_per_run)
        crawl = Crawl(self.loaded.sources[name], options)
        self.children[name] = crawl
        log.info("crawl %s: started", name, extra=fields(source=name))
        try:
            result = await crawl.run()
        finally:
            self.children.pop(name, None)
        summary = await self.db.call(partial(steps.after_crawl, crawl_timeout_s=limit),
                                     name, result, cfg.ops_channel)
        self.metrics.crawl_seconds.labels(name).observe(result.seconds)
        self.metrics.crawls.labels(name, summary["outcome"]).inc()
        if summary["items_new"]:
            self.metrics.articles.labels(name).inc(summary["items_new"])
        self.metrics.set_health(name, summary["state"])
        level = (logging.INFO if summary["outcome"] in ("ok", "locked", "interrupted")
                 else logging.WARNING)
        log.log(level, "crawl %s: %s, %d new, %d found in %.1fs%s", name, summary["outcome"],
                summary["items_new"], summary["items_found"], result.seconds,
                f" ({summary['detail']})" if summary["detail"] else "",
                extra=fields(source=name, outcome=summary["outcome"],
                             items_new=summary["items_new"], seconds=round(result.seconds, 2)))
        await self._publish_schedule()
        if not self.stopping.is_set():
            # Outside the crawl job, so a slow match never delays this source's next crawl.
            self._spawn("match and deliver", self._match_then_deliver())

    def _spawn(self, what: str, coro) -> None:
        task = asyncio.ensure_future(self._guard(what, coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _match_then_deliver(self) -> None:
        await self._match(settle=MATCH_SETTLE_S)
        await self._deliver()

    async def _match(self, settle: float = 0.0) -> None:
        # Crawls fired together usually end together: match their articles in one pass,
        # so a story and its republication elsewhere are clustered before alerting.
        deadline = time.monotonic() + settle
        while self.children and time.monotonic() < deadline and not self.stopping.is_set():
            await asyncio.sleep(0.1)
        if self._match_lock.locked():
            self._match_again = True  # the running pass may have started before our crawl
            return
        async with self._match_lock:
            while True:
                self._match_again = False
                counts = await self.db.call(steps.match_new, self.loaded)
                if counts.get("matches"):
                    self.metrics.matches.inc(counts["matches"])
                    log.info("matched %d new article(s): %d match(es), %d alert(s) queued",
                             counts.get("articles", 0), counts["matches"],
                             counts.get("queued", 0), extra=fields(**counts))
                if not self._match_again or self.stopping.is_set():
                    break

    async def _deliver(self) -> None:
        if self._delivering:
            return
        self._delivering = True
        try:
            results = await self.delivery_db.call(steps.deliver_due, self.loaded)
            for status, n in results.items():
                if n:
                    self.metrics.deliveries.labels(status).inc(n)
            outbox = await self.delivery_db.call(steps.outbox_counts)
            self.metrics.set_outbox(outbox)
        finally:
            self._delivering = False

    async def _delivery_job(self) -> None:
        if not self.stopping.is_set():
            await self._guard("delivery", self._deliver())

    async def _startup_checks(self) -> None:
        limit = self.loaded.seconds("crawl_timeout")
        states = await self.db.call(partial(steps.check_all_health, crawl_timeout_s=limit),
                                    list(self.loaded.sources), self.loaded.config.ops_channel)
        for name, state in states.items():
            self.metrics.set_health(name, state)
        await self._match()
        await self._deliver()

    async def _reload(self) -> None:
        try:
            new = await asyncio.to_thread(service_load.load, self.opts.config_path,
                                          self.opts.overrides or {}, only=self.opts.only)
        except Exception as exc:
            # One record saying every reason; the running configuration stays whole.
            problems = getattr(exc, "problems", None) or [str(exc)]
            log.error("reload failed, keeping the running configuration: %s",
                      "; ".join(problems), extra=fields(problems=problems))
            return
        changes = service_load.describe_changes(self.loaded, new)
        for line in new.problems:
            log.warning("%s", line)
        new.config.values["db"] = self.loaded.config.db  # the database needs a restart
        self.loaded = new
        await self._schedule_all()
        if changes:
            for line in changes:
                log.info("reload: %s", line)
        else:
            log.info("reload: nothing changed")

    async def _requests_job(self) -> None:
        """Act on what other processes asked for (``newswatch.service.state``)."""
        if self.stopping.is_set():
            return
        for req in await self.db.call(service_state.take_requests):
            who = req["requested_by"] or "?"
            if req["kind"] == "reload":
                log.info("reload requested by %s", who, extra=fields(requested_by=who))
                self._spawn("reload", self._reload())
                result = "reloading"
            elif req["source"] not in self.loaded.sources:
                result = "unknown source"
            elif req["source"] in self._crawling:
                result = "already crawling"
            else:
                log.info("crawl %s: requested by %s", req["source"], who,
                         extra=fields(source=req["source"], requested_by=who))
                self._spawn(f"crawl of {req['source']}", self._crawl_job(req["source"]))
                result = "started"
            await self.db.call(service_state.finish_request, req["id"], result)

    async def _start_web(self) -> None:
        from newswatch.web.app import WebOptions
        from newswatch.web.server import start_in_service

        host, port = self.opts.web
        opts = WebOptions(config_path=self.opts.config_path, overrides=self.opts.overrides or {},
                          metrics=self.metrics.render, healthz=self._healthz)
        try:
            self._web = await start_in_service(opts, host, port)
        except BaseException:
            self.db.close(0.5)
            self.delivery_db.close(0.5)
            raise
        log.info("web interface on %s (with /healthz and /metrics)", self._web.url,
                 extra=fields(url=self._web.url))

    # ---- /healthz ------------------------------------------------------------------

    def _healthz(self) -> dict:
        return {
            "status": "stopping" if self.stopping.is_set() else "ok",
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self._started, 1),
            "sources": len(self.loaded.sources),
            "crawling": sorted(self.children),
        }
