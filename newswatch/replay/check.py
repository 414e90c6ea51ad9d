"""Prove the seeds offline: crawl every source against a replay folder and grade the result.

``newswatch sources check --replay DIR`` calls :func:`check_replay`. It serves ``DIR``
(``DIR/<host>/<path>``, see ``newswatch.replay.server``), crawls all the sources in one
child Scrapy process (``python -m newswatch.replay.check``: the same spiders, pipeline
and run record as ``newswatch crawl``, one start-up instead of one per source), each
into its own temporary archive so that sources of one site do not dedupe each other, and
reads the runs and articles back.

What a fixture holds is declared in ``DIR/expect.toml``, one table per source::

    [sources.ndrc-news]
    fields = ["title", "date", "body", "source"]   # every article must have these
    min_articles = 3                               # default 1

A source fails when its crawl is not ``ok``, it finds no list item or no article, has
fewer than ``min_articles``, or any article lacks a declared field.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# Fields a fixture may declare, and the archive column (or JSON path) each one reads.
FIELDS = {"title": "title", "date": "published", "body": "body", "source": "original_source",
          "author": "author", "editor": "editor", "doc_number": "doc_number",
          "site_id": "site_id", "attachments": "attachments"}
SHOWN = ("title", "date", "body", "source")
CHILD_TIMEOUT_S = 600


class ExpectError(ValueError):
    """``expect.toml`` is unreadable or names an unknown field."""


@dataclass
class SourceReport:
    """One source's replay crawl, graded against its fixture's expectations."""

    source: str
    outcome: str = "failed"
    items_found: int = 0
    articles: int = 0
    filled: dict[str, int] = field(default_factory=dict)  # field → articles having it
    expected: list[str] = field(default_factory=list)
    min_articles: int = 1
    errors: list[str] = field(default_factory=list)  # the crawl's own errors
    problems: list[str] = field(default_factory=list)  # why the check fails

    def share(self, name: str) -> float | None:
        return self.filled.get(name, 0) / self.articles if self.articles else None

    @property
    def ok(self) -> bool:
        return not self.problems


def load_expectations(folder: Path) -> dict[str, dict]:
    path = folder / "expect.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExpectError(f"{path}: not valid TOML: {exc}") from None
    sources = data.get("sources", {})
    for name, spec in sources.items():
        for f in spec.get("fields", []):
            if f not in FIELDS and not f.startswith("extra."):
                raise ExpectError(f"{path}: sources.{name}.fields: unknown field {f!r} "
                                  f"(known: {', '.join(FIELDS)}, extra.<key>)")
    return sources


def _has(article: dict, name: str) -> bool:
    """Whether an archived article (JSON columns decoded) has the field filled."""
    if name.startswith("extra."):
        return bool((article.get("extra") or {}).get(name[len("extra."):]))
    value = article.get(FIELDS[name])
    if name == "attachments":
        return bool(value)
    return bool(value and str(value).strip())


def grade(report: SourceReport, articles: list[dict]) -> SourceReport:
    names = sorted(set(SHOWN) | set(report.expected))
    report.articles = len(articles)
    report.filled = {n: sum(_has(a, n) for a in articles) for n in names}
    if report.outcome != "ok":
        first = f": {report.errors[0]}" if report.errors else ""
        report.problems.append(f"crawl outcome {report.outcome}{first}")
    if report.items_found == 0:
        report.problems.append("no list item found")
    if report.articles < report.min_articles:
        report.problems.append(f"{report.articles} articles extracted, fixture has at least "
                               f"{report.min_articles}")
    for name in report.expected:
        missing = report.articles - report.filled.get(name, 0)
        if report.articles and missing:
            report.problems.append(f"{missing} of {report.articles} articles lack {name!r}")
    return report


def _serve(folder: Path):
    from newswatch.replay.server import ReplayServer

    server = ReplayServer(folder, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, name="replay-check", daemon=True).start()
    return server


def check_replay(sources: list, folder: str | Path, sources_dir: str | Path, *,
                 keep: str | Path | None = None, server=None) -> list[SourceReport]:
    """Crawl ``sources`` against the replay ``folder``; one graded report per source.

    ``server``: a running replay server over ``folder`` to use (a test's, to inspect the
    requests); by default one is started for the check and stopped after it.
    """
    from crawler import archive, runs

    folder = Path(folder)
    expectations = load_expectations(folder)
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newswatch-replay-check-"))
    work.mkdir(parents=True, exist_ok=True)
    own_server = server is None
    server = _serve(folder) if own_server else server
    try:
        cmd = [sys.executable, "-m", "newswatch.replay.check", str(work),
               str(Path(sources_dir).resolve()), server.url, *[s.name for s in sources]]
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        with open(work / "crawl.log", "wb") as log:
            try:
                subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                               timeout=CHILD_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                # Sources still "running" in their archive are reported as such.
                log.write(f"\nkilled after {CHILD_TIMEOUT_S} s\n".encode())
    finally:
        if own_server:
            server.shutdown()
            server.server_close()
    reports = []
    for source in sources:
        spec = expectations.get(source.name, {})
        report = SourceReport(source.name, expected=list(spec.get("fields", [])),
                              min_articles=int(spec.get("min_articles", 1)))
        db_path = work / f"{source.name}.db"
        articles: list[dict] = []
        if db_path.exists():
            from newswatch.storage import open_archive

            db = open_archive(db_path)
            run = runs.last_run(db)
            if run:
                report.outcome = run["outcome"]
                report.items_found = run["items_found"] or 0
                report.errors = [e["error"] for e in json.loads(run["errors"] or "[]")]
            articles = archive.articles_of_source(db, source.name)
            db.conn.close()
        else:
            report.errors = [f"the crawl did not start (see {work / 'crawl.log'})"]
        reports.append(grade(report, articles))
    return reports


def _child(argv: list[str]) -> int:
    """``python -m newswatch.replay.check WORK SOURCES_DIR REPLAY_URL NAME...``"""
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.seeds import SeedError, find_source

    work, sources_dir, replay, *names = argv
    settings = get_project_settings()
    process = CrawlerProcess(settings)
    for name in names:
        try:
            source = find_source(sources_dir, name)
            spidercls = process.spider_loader.load(source.spider_name)
        except (SeedError, KeyError) as exc:
            print(f"{name}: not crawled: {exc}", file=sys.stderr)
            continue
        own = settings.copy()
        # Each source its own archive: sources of one site must not dedupe each other.
        for key, value in {"NEWSWATCH_DB": str(Path(work) / f"{name}.db"),
                           "NEWSWATCH_SOURCES_DIR": sources_dir, "NEWSWATCH_REPLAY": replay,
                           "NEWSWATCH_POLITE": False, "NEWSWATCH_PROGRESS": False}.items():
            own.set(key, value, priority="cmdline")
        # The first crawler installs the reactor, as CrawlerProcess's own would.
        first = not process._initialized_reactor
        process._initialized_reactor = True
        process.crawl(Crawler(spidercls, own, init_reactor=first), source=name)
    process.start()
    return 0


if __name__ == "__main__":  # pragma: no cover - the child process
    sys.exit(_child(sys.argv[1:]))
