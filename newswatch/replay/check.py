"""Prove the seeds offline: crawl every source against a replay folder and grade the result.

``newswatch sources check --replay DIR`` calls :func:`check_replay`. It serves ``DIR``
(``DIR/<host>/<path>``, see ``newswatch.replay.server``), crawls every source with the
crawl runner (:mod:`newswatch.crawl.runner`, the same child process, spiders, pipeline
and run record as ``newswatch crawl``), each into its own temporary archive so that
sources of one site do not dedupe each other, and grades each crawl's result and the
articles it stored.

What a fixture holds is declared in ``DIR/expect.toml``, one table per source::

    [sources.ndrc-news]
    fields = ["title", "date", "body", "source"]   # every article must have these
    min_articles = 3                               # default 1

A source fails when its crawl is not ``ok``, it finds no list item or no article, has
fewer than ``min_articles``, or any article lacks a declared field.
"""

from __future__ import annotations

import asyncio
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
CHILD_TIMEOUT_S = 600  # one source's crawl; past it, it is stopped (interrupted)
JOBS = 4  # sources crawled at once


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
    from crawler import archive
    from newswatch.crawl.runner import CrawlOptions, run_crawls
    from newswatch.storage import open_archive

    folder = Path(folder)
    expectations = load_expectations(folder)
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newswatch-replay-check-"))
    work.mkdir(parents=True, exist_ok=True)
    own_server = server is None
    server = _serve(folder) if own_server else server

    def options(source) -> CrawlOptions:
        # Each source its own archive: sources of one site must not dedupe each other.
        return CrawlOptions(db=work / f"{source.name}.db", sources_dir=sources_dir,
                            replay=server.url, polite=False, timeout=CHILD_TIMEOUT_S)

    try:
        results = asyncio.run(run_crawls(list(sources), options, jobs=JOBS))
    finally:
        if own_server:
            server.shutdown()
            server.server_close()
    reports = []
    for source, result in zip(sources, results):
        spec = expectations.get(source.name, {})
        report = SourceReport(source.name, outcome=result.outcome,
                              items_found=result.items_found,
                              errors=[e["error"] for e in result.errors],
                              expected=list(spec.get("fields", [])),
                              min_articles=int(spec.get("min_articles", 1)))
        db_path = work / f"{source.name}.db"
        articles: list[dict] = []
        if db_path.exists():
            db = open_archive(db_path)
            articles = archive.articles_of_source(db, source.name)
            db.conn.close()
        reports.append(grade(report, articles))
    return reports
