"""The cluster's three tasks, each the service's own step run on a worker:

- ``newswatch.crawl(source)``: the crawl runner (:class:`newswatch.crawl.runner.Crawl`,
  the same child process and per-source lock as ``newswatch crawl`` and ``newswatch
  run``), then the source's health (:func:`newswatch.service.steps.after_crawl`); when
  it archived something new it asks for a matching pass.
- ``newswatch.match()``: one matcher pass (:func:`steps.match_new`) under the lock
  ``match`` (an advisory lock on PostgreSQL, a file lock beside an SQLite archive), so
  matching runs one pass at a time in the whole cluster; a pass asked for while another
  runs is retried after it, since that one may have started before the new articles.
- ``newswatch.deliver()``: claims up to :data:`DELIVERY_BATCH` due alerts and sends them
  (:func:`steps.deliver_due`), batch after batch while full ones come (for at most
  :data:`DELIVERY_TASK_S`, then in a new task); the outbox claim never gives one row to
  two senders, so every delivery slot in the cluster sending at once takes its own.

A worker sets its context (:func:`set_context`: the loaded configuration, its tags, its
metrics) before it takes tasks.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field

from newswatch.logs import fields

log = logging.getLogger("newswatch.cluster")

DELIVERY_BATCH = 16  # alerts one delivery task claims at a time and sends concurrently
DELIVERY_TASK_S = 30.0  # a delivery task goes on claiming batches this long at most
MATCH_SETTLE_S = 3.0  # a crawl's matching waits this long for crawls ending with it
MATCH_RETRY_S = 1.0  # a pass asked for while another runs: after it
STOP_GRACE_S = 10  # a crawl stopped at crawl_timeout gets this long to close


@dataclass
class WorkerContext:
    loaded: object  # newswatch.service.load.Loaded
    tags: tuple[str, ...] = ()
    metrics: object | None = None  # newswatch.service.metrics.Metrics
    name: str = field(default_factory=socket.gethostname)
    running: dict = field(default_factory=dict)  # source -> start time, for /healthz
    delivering: int = 0  # delivery tasks running now, for /healthz
    _local: threading.local = field(default_factory=threading.local)

    @property
    def db_path(self) -> str:
        return str(self.loaded.config.db)

    def forget_db(self) -> None:
        """Drop this thread's connection (after a failure: the next task opens a new one,
        so a restarted database server costs one task, not the worker)."""
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            try:
                db.conn.close()
            except Exception:
                pass

    def db(self):
        """This thread's archive connection (opened once per pool thread)."""
        db = getattr(self._local, "db", None)
        if db is None:
            from newswatch.storage import open_archive

            db = self._local.db = open_archive(self.db_path)
        return db


_context: WorkerContext | None = None
_count_lock = threading.Lock()


def set_context(ctx: WorkerContext | None) -> None:
    global _context
    _context = ctx


def context() -> WorkerContext:
    if _context is None:
        raise RuntimeError("newswatch tasks run only in `newswatch worker`")
    return _context


def _fresh_db_on_failure(body):
    """A task whose body fails leaves no broken connection behind for the next one."""
    import functools

    @functools.wraps(body)
    def run(*args, **kwargs):
        try:
            return body(*args, **kwargs)
        except Exception as exc:
            from celery.exceptions import Retry

            if not isinstance(exc, Retry) and _context is not None:
                _context.forget_db()
            raise

    return run


def register(app) -> None:
    """Define the tasks on ``app`` (names are fixed: the scheduler sends them by name)."""

    @app.task(name="newswatch.crawl", bind=True, acks_late=True,
              reject_on_worker_lost=True, ignore_result=True)
    @_fresh_db_on_failure
    def crawl(self, source: str) -> dict:
        return crawl_task(app, source)

    @app.task(name="newswatch.match", bind=True, acks_late=True,
              reject_on_worker_lost=True, ignore_result=True, max_retries=None)
    @_fresh_db_on_failure
    def match(self) -> dict:
        from newswatch.crawl.locks import NamedLock

        ctx = context()
        lock = NamedLock(ctx.db_path, "match")
        if not lock.try_acquire():
            raise self.retry(countdown=MATCH_RETRY_S)
        try:
            counts = match_pass(ctx)
        finally:
            lock.release()
        if counts.get("queued"):
            from newswatch.cluster import dispatch

            dispatch.deliveries(app)
        return counts

    @app.task(name="newswatch.deliver", bind=True, acks_late=True,
              reject_on_worker_lost=True, ignore_result=True)
    @_fresh_db_on_failure
    def deliver(self) -> dict:
        from newswatch.cluster import dispatch

        ctx = context()
        with _count_lock:
            ctx.delivering += 1
        total: dict[str, int] = {}
        started = time.monotonic()
        try:
            while True:  # batch after batch while full ones come: no broker round trip
                counts = deliver_batch(ctx)
                for k, n in counts.items():
                    total[k] = total.get(k, 0) + n
                full = sum(counts.values()) >= DELIVERY_BATCH
                if not full or time.monotonic() - started > DELIVERY_TASK_S:
                    break
        finally:
            with _count_lock:
                ctx.delivering -= 1
        if full:
            dispatch.deliveries(app, 1)  # it stopped at its time: the rest in a new task
        return total


def crawl_task(app, name: str) -> dict:
    from newswatch.crawl.runner import CrawlOptions, crawl_source
    from newswatch.service import steps

    ctx = context()
    loaded = ctx.loaded
    source = loaded.sources.get(name)
    if source is None:
        log.warning("crawl %s: not a source of this worker's seeds (%s); skipped", name,
                    loaded.config.sources_dir, extra=fields(source=name, outcome="unknown"))
        return {"outcome": "unknown"}
    missing = set(source.tags) - set(ctx.tags)
    if missing:  # only a misrouted task: its queue is its tags
        log.warning("crawl %s: needs tag(s) %s, this worker has %s; skipped", name,
                    ",".join(sorted(missing)), ",".join(ctx.tags) or "none",
                    extra=fields(source=name, outcome="wrong-tags"))
        return {"outcome": "wrong-tags"}
    cfg = loaded.config
    limit = loaded.seconds("crawl_timeout")
    options = CrawlOptions(db=cfg.db, sources_dir=cfg.sources_dir, replay=cfg.replay or "",
                           timeout=limit, grace=STOP_GRACE_S,
                           max_articles=cfg.max_articles_per_run, die_with_parent=True)
    log.info("crawl %s: started on %s", name, ctx.name, extra=fields(source=name,
                                                                     worker=ctx.name))
    ctx.running[name] = time.time()
    try:
        result = crawl_source(source, options)
    finally:
        ctx.running.pop(name, None)
    if result.outcome == "locked":
        log.info("crawl %s: locked, %s", name, result.message(),
                 extra=fields(source=name, outcome="locked"))
        return {"outcome": "locked"}
    summary = steps.after_crawl(ctx.db(), name, result, cfg.ops_channel,
                                crawl_timeout_s=limit)
    m = ctx.metrics
    if m is not None:
        m.crawl_seconds.labels(name).observe(result.seconds)
        m.crawls.labels(name, summary["outcome"]).inc()
        if summary["items_new"]:
            m.articles.labels(name).inc(summary["items_new"])
        m.set_health(name, summary["state"])
        m.last_cycle.set(time.time())
    level = (logging.INFO if summary["outcome"] in ("ok", "interrupted")
             else logging.WARNING)
    log.log(level, "crawl %s: %s, %d new, %d found in %.1fs on %s%s", name,
            summary["outcome"], summary["items_new"], summary["items_found"], result.seconds,
            ctx.name, f" ({summary['detail']})" if summary["detail"] else "",
            extra=fields(source=name, outcome=summary["outcome"], worker=ctx.name,
                         items_new=summary["items_new"], seconds=round(result.seconds, 2)))
    from newswatch.cluster import dispatch

    if summary["items_new"]:
        dispatch.match(app, countdown=MATCH_SETTLE_S)
    return summary


def match_pass(ctx: WorkerContext) -> dict:
    from newswatch.service import steps

    counts = steps.match_new(ctx.db(), ctx.loaded)
    if counts.get("matches"):
        if ctx.metrics is not None:
            ctx.metrics.matches.inc(counts["matches"])
        log.info("matched %d new article(s): %d match(es), %d alert(s) queued",
                 counts.get("articles", 0), counts["matches"], counts.get("queued", 0),
                 extra=fields(**counts))
    return counts


def deliver_batch(ctx: WorkerContext) -> dict:
    from newswatch.service import steps

    counts = steps.deliver_due(ctx.db(), ctx.loaded, limit=DELIVERY_BATCH)
    if ctx.metrics is not None:
        for status, n in counts.items():
            if n:
                ctx.metrics.deliveries.labels(status).inc(n)
        ctx.metrics.last_cycle.set(time.time())
    if counts:
        log.info("delivered: %s", ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
                 extra=fields(worker=ctx.name, **counts))
    return counts
