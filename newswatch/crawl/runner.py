"""The one crawl runner: a source's Scrapy child process, under a per-source file lock.

``newswatch crawl``, the service (``newswatch run``) and ``sources check --replay`` all
call it:

- ``await Crawl(source, options, on_event=...).run()`` (the service keeps the
  :class:`Crawl` to stop it) or ``await run_crawl(source, options)``;
- :func:`crawl_source` (blocking, its own event loop) and :func:`crawl_sources`
  (several, ``jobs`` at a time) for plain callers.

The per-source lock is :mod:`newswatch.crawl.locks`.

The child is ``python -m scrapy crawl <spider> -a source=<name>``, started directly (no
middle interpreter) in its own process group. It streams JSON lines on stdout
(``crawler.extensions.progress``); each is passed to ``on_event(event)`` as it arrives,
and the :class:`CrawlResult` is built from its ``done`` event. Its Scrapy log goes to
``<db>.logs/<source>.log``. A stop (the timeout, :meth:`Crawl.stop`, :func:`stop_all`)
sends the group ONE SIGTERM, which Scrapy answers by closing cleanly and recording the
run as ``interrupted``; a second signal would make Scrapy stop uncleanly, so past the
grace the group gets SIGKILL instead, and the runner closes the run row itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crawler import runs
from crawler.database import is_server_url, local_base
from crawler.seeds import Source
from newswatch.crawl.locks import locked_message, source_lock_of, write_holder

EventHandler = Callable[[dict], None]
STOP_GRACE = 10.0  # seconds a stopped child gets to close cleanly before SIGKILL


@dataclass
class CrawlOptions:
    """How to crawl: where the archive and seeds are, and the run's switches."""

    db: str | Path
    sources_dir: str | Path
    replay: str = ""
    refresh: bool = False
    dry_run: bool = False
    wait: bool = False  # wait for a source's lock instead of refusing
    polite: bool | None = None  # None: polite, except under replay (a local server)
    timeout: float | None = None  # seconds before the crawl is stopped (interrupted)
    grace: float | None = None  # seconds a stopped child may take; None: STOP_GRACE
    max_articles: int | None = None  # article pages fetched per run; None: the default
    settings: dict[str, str] = field(default_factory=dict)  # extra Scrapy -s settings
    # The child dies with its parent (Linux): a cluster worker killed by kill -9 leaves no
    # crawl running on, so the task's retry on another worker is the only crawl.
    die_with_parent: bool = False


@dataclass
class CrawlResult:
    """What one source's crawl did: the child's final ``done`` event, or why it did not run."""

    source: str
    outcome: str  # ok | empty | blocked | failed | interrupted | locked | invalid
    run_id: int | None = None
    baseline: bool = False
    pages: int = 0
    items_found: int = 0
    items_new: int = 0
    items_known: int = 0
    items_failed: int = 0
    requests: int = 0
    bytes: int = 0
    errors: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # dry runs: what would be stored
    seconds: float = 0.0
    returncode: int | None = None
    log: str | None = None
    stopped: str = ""  # why the runner stopped it ("timed out after 600 s", ...), or ""
    access: dict | None = None  # what stood in the way (crawler.access.Verdict.to_dict())
    browser_requests: int = 0

    @property
    def ok(self) -> bool:
        """The crawl read its lists: ``ok``, or ``degraded`` (read by list inference)."""
        return self.outcome in ("ok", "degraded")

    def message(self) -> str:
        """What to do when something stood in the way, else the first error; one line."""
        if self.access and self.outcome not in ("ok", "degraded"):
            return self.access.get("message") or ""
        return self.errors[0]["error"] if self.errors else ""


def child_command(source: Source, options: CrawlOptions) -> list[str]:
    polite = options.polite if options.polite is not None else not options.replay
    settings = {
        "NEWSWATCH_DB": (str(options.db) if is_server_url(options.db)
                         else str(Path(options.db).resolve())),
        "NEWSWATCH_SOURCES_DIR": str(Path(options.sources_dir).resolve()),
        "NEWSWATCH_REPLAY": options.replay or "",
        "NEWSWATCH_REFRESH": str(int(options.refresh)),
        "NEWSWATCH_DRY_RUN": str(int(options.dry_run)),
        "NEWSWATCH_POLITE": str(int(polite)),
        "NEWSWATCH_PROGRESS": "1",
        # Scrapy reads the delay before the spider knows its source: pass it from here.
        "DOWNLOAD_DELAY": str(source.download_delay if polite else 0),
    }
    if options.max_articles:
        settings["NEWSWATCH_MAX_ARTICLES"] = str(int(options.max_articles))
    settings.update(options.settings)
    cmd = [sys.executable, "-m", "scrapy", "crawl", source.spider_name, "-a",
           f"source={source.name}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


# Crawls running now in this process, so that a SIGTERM to a parent reaches them.
_live: set["Crawl"] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def stop_all(why: str = "stopped (SIGTERM)") -> None:
    """Stop every running crawl of this process and start no more (a parent's SIGTERM
    handler may call it: it only schedules the stops on the crawls' event loops)."""
    _stopping.set()
    with _live_lock:
        crawls = list(_live)
    for crawl in crawls:
        crawl.request_stop(why)


class Crawl:
    """One source's crawl: :meth:`run` it; :meth:`stop` it from the same event loop, or
    :meth:`request_stop` from any thread."""

    def __init__(self, source: Source, options: CrawlOptions, *,
                 on_event: EventHandler | None = None):
        self.source, self.options, self.on_event = source, options, on_event
        self.proc: asyncio.subprocess.Process | None = None
        self.stopped = ""  # why the runner stopped the child
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_task: asyncio.Task | None = None
        self._pending_stop = ""

    @property
    def grace(self) -> float:
        return STOP_GRACE if self.options.grace is None else self.options.grace

    async def run(self) -> CrawlResult:
        """Crawl; never raises for a crawl that went wrong (cancellation stops the child)."""
        name = self.source.name
        if _stopping.is_set():
            return CrawlResult(name, "failed", errors=[
                {"url": "", "error": "not started: newswatch is stopping"}])
        lock = source_lock_of(self.options.db, name)
        while not lock.try_acquire():
            if not self.options.wait:
                message = (locked_message(self.options.db, name) if not lock.server else
                           f"already being crawled by {lock.holder()}; not started (use "
                           f"--wait to wait for it)")
                return CrawlResult(name, "locked", errors=[{"url": "", "error": message}])
            await asyncio.sleep(0.25)  # polled, so that a cancelled wait holds nothing
        try:
            if not lock.server:
                write_holder(self.options.db, name)
            return await self._run_child()
        finally:
            lock.release()

    def request_stop(self, why: str) -> None:
        """Thread-safe: ask the crawl to stop (one SIGTERM, SIGKILL after the grace)."""
        self._pending_stop = self._pending_stop or why
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._start_stop, why)

    def _start_stop(self, why: str, grace: float | None = None) -> asyncio.Task | None:
        if self._stop_task is None and self.proc is not None and self.proc.returncode is None:
            self._stop_task = asyncio.ensure_future(self._terminate(why, grace))
        return self._stop_task

    async def stop(self, why: str = "stopped", grace: float | None = None) -> None:
        """Stop the child: one SIGTERM to its process group, SIGKILL after ``grace``;
        returns when it has exited (a crawl whose child has not started yet is stopped as
        soon as it starts)."""
        self._pending_stop = self._pending_stop or why
        task = self._start_stop(why, grace)
        if task is not None:
            await asyncio.shield(task)
        elif self.proc is not None and self.proc.returncode is None:
            await self.proc.wait()

    def kill(self) -> None:
        """SIGKILL the group now (a second stop request)."""
        self._signal(signal.SIGKILL)

    async def _terminate(self, why: str, grace: float | None) -> None:
        assert self.proc is not None
        self.stopped = self.stopped or why
        self._signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), self.grace if grace is None else grace)
        except asyncio.TimeoutError:
            self._signal(signal.SIGKILL)
            await self.proc.wait()

    def _signal(self, sig: int) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def _run_child(self) -> CrawlResult:
        options, name = self.options, self.source.name
        log_file = Path(local_base(options.db) + ".logs") / f"{name}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
               "PYTHONUNBUFFERED": "1"}
        started = time.monotonic()
        result = CrawlResult(name, "failed", log=str(log_file))
        done: dict | None = None
        self._loop = asyncio.get_running_loop()
        with open(log_file, "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *child_command(self.source, options), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=log, env=env,
                start_new_session=True, limit=2**24,
                preexec_fn=_die_with_parent if options.die_with_parent else None)
        with _live_lock:
            _live.add(self)
        if self._pending_stop or _stopping.is_set():
            self._start_stop(self._pending_stop or "stopped (SIGTERM)")
        timer = None
        if options.timeout:
            timer = self._loop.call_later(
                options.timeout, self._start_stop,
                f"stopped at its time limit of {options.timeout:g} s (the rest waits for "
                f"the next run)")
        try:
            assert self.proc.stdout is not None
            async for line in self.proc.stdout:
                event = _parse(line)
                if event is None:
                    continue
                kind = event.get("event")
                if kind == "item":
                    result.items.append(event)
                elif kind == "done":
                    done = event
                elif kind == "start":
                    result.run_id, result.baseline = event.get("run_id"), event.get("baseline")
                self._emit(event)
            await self.proc.wait()
        except asyncio.CancelledError:
            # The caller was cancelled (Ctrl-C in `newswatch crawl`): stop the child cleanly
            # and record its run before going on with the cancellation.
            await asyncio.shield(self.stop("interrupted (Ctrl-C)"))
            self._finish(result, done, started, log_file)
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if self._stop_task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(self._stop_task)
            with _live_lock:
                _live.discard(self)
        self._finish(result, done, started, log_file)
        return result

    def _emit(self, event: dict) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception as exc:  # a display bug must not orphan the child
            print(f"newswatch: progress handler failed: {exc!r}", file=sys.stderr)
            self.on_event = None

    def _finish(self, result: CrawlResult, done: dict | None, started: float,
                log_file: Path) -> None:
        if result.returncode is not None:
            return  # already finished (cancellation path)
        assert self.proc is not None
        result.returncode = self.proc.returncode
        result.seconds = round(time.monotonic() - started, 2)
        result.stopped = self.stopped
        if done is not None:
            for key in ("outcome", "run_id", "pages", "items_found", "items_new",
                        "items_known", "items_failed", "requests", "bytes", "errors",
                        "access", "browser_requests"):
                if key in done:
                    setattr(result, key, done[key])
            if self.stopped and result.outcome == "interrupted":
                # Scrapy only knows it was asked to shut down; say who asked and why.
                result.errors.insert(0, {"url": "", "error": self.stopped})
                self._close_run(result, "interrupted")
            return
        if self.stopped:
            result.outcome = "interrupted"
            why = f"{self.stopped}; the crawler did not close in {self.grace:g} s and was killed"
        else:
            why = (f"crawler process exited with code {self.proc.returncode}: "
                   f"{_last_error(log_file)}")
        result.errors.insert(0, {"url": "", "error": why})
        if result.run_id and not self.options.dry_run:
            self._close_run(result, result.outcome)

    def _close_run(self, result: CrawlResult, outcome: str) -> None:
        from newswatch.storage import open_archive

        db = open_archive(self.options.db)
        try:
            runs.close_run(db, result.run_id, outcome=outcome, errors=result.errors)
        finally:
            db.conn.close()


async def run_crawl(source: Source, options: CrawlOptions, *,
                    on_event: EventHandler | None = None) -> CrawlResult:
    """Crawl one source on the caller's event loop."""
    return await Crawl(source, options, on_event=on_event).run()


async def run_crawls(sources: list[Source], options: CrawlOptions | Callable[[Source], CrawlOptions],
                     *, jobs: int = 1, on_event: EventHandler | None = None) -> list[CrawlResult]:
    """Crawl several sources, ``jobs`` children at a time; results in order. ``options``
    may be a function of the source (the replay check gives each its own archive)."""
    slots = asyncio.Semaphore(max(1, jobs))

    async def one(source: Source) -> CrawlResult:
        async with slots:
            opts = options(source) if callable(options) else options
            return await run_crawl(source, opts, on_event=on_event)

    return list(await asyncio.gather(*(one(s) for s in sources)))


def crawl_source(source: Source, options: CrawlOptions, *,
                 on_event: EventHandler | None = None) -> CrawlResult:
    """Crawl one source in a child process (blocking); never raises for a crawl that went
    wrong."""
    return asyncio.run(run_crawl(source, options, on_event=on_event))


def crawl_sources(sources: list[Source], options: CrawlOptions, *, jobs: int = 1,
                  on_event: EventHandler | None = None) -> list[CrawlResult]:
    """Crawl several sources, ``jobs`` child processes at a time (blocking)."""
    if not sources:
        return []
    return asyncio.run(run_crawls(sources, options, jobs=jobs, on_event=on_event))


def close_leftover_runs(db_path: str | Path) -> list[int]:
    """Close ``runs`` rows left ``running`` by a crawl that was killed (a crash, a reboot):
    a row whose source lock nobody holds is a leftover. They become ``interrupted``."""
    from newswatch.storage import open_archive

    db = open_archive(db_path)
    closed = []
    try:
        for run in runs.running_runs(db):
            lock = source_lock_of(db_path, run["source"])
            if not lock.try_acquire():
                continue  # being crawled now (on any machine)
            try:
                runs.close_run(db, run["id"], outcome="interrupted", errors=[
                    {"url": "", "error": "left running by a crawl that was killed; closed "
                                         "at the next start-up"}])
                closed.append(run["id"])
            finally:
                lock.release()
    finally:
        db.conn.close()
    return closed


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the prctl
        os._exit(1)


def _parse(line: bytes) -> dict | None:
    line = line.strip()
    if not line.startswith(b"{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _last_error(log_file: Path) -> str:
    """The last meaningful line of a child's log: usually the exception."""
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    for line in reversed(lines):
        if line.strip() and not line.startswith((" ", "\t")):
            return line.strip()[:300]
    return "no log"
