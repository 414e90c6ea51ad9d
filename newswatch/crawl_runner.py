"""Run crawls as child processes, one per source, under a per-source file lock.

``newswatch crawl`` and the service call the same functions:

- :func:`crawl_source` (sync) / :func:`crawl_source_async` run one source's
  ``python -m scrapy crawl <spider> -a source=<name>`` and return a :class:`CrawlResult`;
- :func:`crawl_sources` runs several, ``jobs`` at a time.

The child streams JSON lines on stdout (``crawler.extensions.progress``); each is passed
to ``on_event(event)`` as it arrives. Its Scrapy log goes to ``<db>.logs/<source>.log``.
A source already being crawled (by the service or another shell) is refused with a
message naming the holder, or waited for with ``wait=True``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from crawler.seeds import Source

EventHandler = Callable[[dict], None]
STOP_GRACE = 10.0  # seconds a stopped child gets to close cleanly
NOT_OK = ("empty", "blocked", "failed", "locked", "invalid")


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
    timeout: float | None = None  # seconds before the child is killed
    settings: dict[str, str] = field(default_factory=dict)  # extra Scrapy -s settings


@dataclass
class CrawlResult:
    """What one source's crawl did: the child's final ``done`` event, or why it did not run."""

    source: str
    outcome: str  # ok | empty | blocked | failed | locked | invalid
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
    access: dict | None = None  # what stood in the way (crawler.access.Verdict.to_dict())
    browser_requests: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def message(self) -> str:
        """What to do when something stood in the way, else the first error; one line."""
        if self.access and not self.ok:
            return self.access.get("message") or ""
        return self.errors[0]["error"] if self.errors else ""


def lock_path(db: str | Path, source: str) -> Path:
    return Path(str(db) + ".locks") / f"{source}.lock"


def _holder_path(db: str | Path, source: str) -> Path:
    return Path(str(db) + ".locks") / f"{source}.holder.json"


def lock_holder(db: str | Path, source: str) -> str:
    """Who holds a source's lock, in words (pid, command, since when)."""
    try:
        info = json.loads(_holder_path(db, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return (f"pid {info.get('pid')} on {info.get('host')} ({info.get('command')}), "
            f"since {info.get('since')}")


def child_command(source: Source, options: CrawlOptions) -> list[str]:
    polite = options.polite if options.polite is not None else not options.replay
    settings = {
        "NEWSWATCH_DB": str(Path(options.db).resolve()),
        "NEWSWATCH_SOURCES_DIR": str(Path(options.sources_dir).resolve()),
        "NEWSWATCH_REPLAY": options.replay or "",
        "NEWSWATCH_REFRESH": str(int(options.refresh)),
        "NEWSWATCH_DRY_RUN": str(int(options.dry_run)),
        "NEWSWATCH_POLITE": str(int(polite)),
        "NEWSWATCH_PROGRESS": "1",
        # Scrapy reads the delay before the spider knows its source: pass it from here.
        "DOWNLOAD_DELAY": str(source.download_delay if polite else 0),
        **options.settings,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", source.spider_name, "-a",
           f"source={source.name}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


# Children running now, so that a SIGTERM to the parent can be passed on to them.
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def stop_all() -> None:
    """Ask every running child to stop (Scrapy closes cleanly and records its run), and
    start no more: for a parent that receives SIGTERM."""
    _stopping.set()
    with _live_lock:
        children = [c for c in _live if c.poll() is None]
    for child in children:
        child.terminate()
    # Scrapy waits for downloads in flight; past this grace, stop it hard.
    timer = threading.Timer(STOP_GRACE, lambda: [c.kill() for c in children
                                                 if c.poll() is None])
    timer.daemon = True
    timer.start()


class SourceLocked(Exception):
    """The source is being crawled by another process; the message names it."""


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
        raise SourceLocked(f"already being crawled by {lock_holder(db, source)}; not "
                           f"started (use --wait to wait for it)") from None
    try:
        _holder_path(db, source).write_text(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(),
            "command": " ".join(Path(a).name if i == 0 else a
                                for i, a in enumerate(sys.argv[:3])) or "python",
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}), encoding="utf-8")
        yield
    finally:
        lock.release()


def crawl_source(source: Source, options: CrawlOptions, *,
                 on_event: EventHandler | None = None) -> CrawlResult:
    """Crawl one source in a child process; never raises for a crawl that went wrong."""
    if _stopping.is_set():
        return CrawlResult(source.name, "failed",
                           errors=[{"url": "", "error": "not started: newswatch is stopping"}])
    try:
        with source_lock(options.db, source.name, wait=options.wait):
            return _run_child(source, options, on_event)
    except SourceLocked as exc:
        return CrawlResult(source.name, "locked", errors=[{"url": "", "error": str(exc)}])


def _run_child(source: Source, options: CrawlOptions,
               on_event: EventHandler | None) -> CrawlResult:
    log_file = Path(str(options.db) + ".logs") / f"{source.name}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    result = CrawlResult(source.name, "failed", log=str(log_file))
    done: dict | None = None
    with open(log_file, "wb") as log:
        child = subprocess.Popen(child_command(source, options), stdout=subprocess.PIPE,
                                 stderr=log, env=env, text=True, encoding="utf-8",
                                 errors="replace")
        with _live_lock:
            _live.add(child)
        timer = None
        if options.timeout:
            timer = threading.Timer(options.timeout, _stop, [child])
            timer.start()
        try:
            for line in child.stdout:
                event = _parse(line)
                if event is None:
                    continue
                if event.get("event") == "item":
                    result.items.append(event)
                elif event.get("event") == "done":
                    done = event
                elif event.get("event") == "start":
                    result.run_id, result.baseline = event.get("run_id"), event.get("baseline")
                if on_event is not None:
                    try:
                        on_event(event)
                    except Exception as exc:  # a display bug must not orphan the child
                        print(f"newswatch: progress handler failed: {exc!r}", file=sys.stderr)
                        on_event = None
            child.wait()
        finally:
            if timer is not None:
                timer.cancel()
            if child.poll() is None:
                # Interrupted (Ctrl-C reaches the child too): let it close and record its
                # run; a second signal would make Scrapy stop uncleanly.
                try:
                    child.wait(timeout=STOP_GRACE)
                except subprocess.TimeoutExpired:
                    _stop(child)
            with _live_lock:
                _live.discard(child)
            if done is None and result.run_id and not options.dry_run:
                interrupted = sys.exc_info()[0] is not None  # e.g. Ctrl-C in the parent
                why = ("interrupted" if interrupted else
                       _why(child, options, started, log_file))
                result.errors.append({"url": "", "error": why})
                _close_run(options.db, source.name, result)
    result.returncode = child.returncode
    result.seconds = round(time.monotonic() - started, 2)
    if done is not None:
        for key in ("outcome", "run_id", "pages", "items_found", "items_new", "items_known",
                    "items_failed", "requests", "bytes", "errors", "access",
                    "browser_requests"):
            if key in done:
                setattr(result, key, done[key])
    elif not result.errors:  # no run row to close: the child died before opening one
        result.errors.append({"url": "", "error": _why(child, options, started, log_file)})
    return result


def _why(child: subprocess.Popen, options: CrawlOptions, started: float,
         log_file: Path) -> str:
    """Why a child ended without its ``done`` event, with the last line of its log."""
    if _stopping.is_set():
        why = f"stopped (SIGTERM), exit code {child.returncode}"
    elif options.timeout and time.monotonic() - started >= options.timeout:
        why = f"timed out after {options.timeout:g} s"
    else:
        why = f"crawler process exited with code {child.returncode}"
    return f"{why}: {_last_error(log_file)}"


def _close_run(db_path: str | Path, name: str, result: CrawlResult) -> None:
    """Finish the run row of a child that died (killed, crashed) before it could."""
    from crawler import archive

    db = archive.connect(db_path)
    try:
        with archive.immediate(db):
            # Only a row the child left "running": a clean close wins over this.
            cursor = db.execute(
                "UPDATE runs SET finished = ?, outcome = 'failed', errors = ? "
                "WHERE id = ? AND outcome = 'running'",
                [archive.utcnow(), json.dumps(result.errors, ensure_ascii=False),
                 result.run_id])
            if cursor.rowcount:
                db["sources"].update(name, {"last_outcome": "failed",
                                            "updated": archive.utcnow()})
    finally:
        db.conn.close()


def _parse(line: str) -> dict | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()


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


def crawl_sources(sources: list[Source], options: CrawlOptions, *, jobs: int = 1,
                  on_event: EventHandler | None = None) -> list[CrawlResult]:
    """Crawl several sources, ``jobs`` child processes at a time; results in order."""
    if jobs <= 1 or len(sources) <= 1:
        return [crawl_source(s, options, on_event=on_event) for s in sources]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(crawl_source, s, options, on_event=on_event) for s in sources]
        return [f.result() for f in futures]


async def crawl_source_async(source: Source, options: CrawlOptions, *,
                             on_event: EventHandler | None = None) -> CrawlResult:
    """:func:`crawl_source` for an asyncio caller (the service): runs in a worker thread.

    ``on_event`` is called from that thread.
    """
    return await asyncio.to_thread(crawl_source, source, options, on_event=on_event)
