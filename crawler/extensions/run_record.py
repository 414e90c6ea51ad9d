"""Run recording: one ``runs`` row per crawl of a source, and the source's health.

At open: the ``sources`` row is upserted, a ``runs`` row is started, and the run is a
baseline when the source has no complete successful run yet (its articles never alert).
At close: counts, requests, bytes, errors and the outcome (``Tally.classify``) are
written, and ``sources.last_outcome`` follows. A crawl that did not run to its end (a
SIGTERM, the time limit, the memory cap) is ``interrupted``: never ``ok``, never the
baseline; nor is a run that stopped at its article cap. Dry runs record nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy import signals

from crawler import archive
from crawler.database import archive_exists


class RunRecord:
    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSWATCH_DB")
        self.dry_run = crawler.settings.getbool("NEWSWATCH_DRY_RUN")
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        source = spider.source
        spider.run_id = None
        if self.dry_run:
            spider.baseline = not self._has_baseline(source.name)
            return
        self.db = db = archive.connect(self.db_path)
        now = archive.utcnow()
        with archive.immediate(db):
            db["sources"].upsert({"name": source.name, "title": source.title,
                                  "kind": source.kind, "site": source.site,
                                  "language": source.language, "updated": now}, pk="name")
            first = db.execute("SELECT first_run_id FROM sources WHERE name = ?",
                               [source.name]).fetchone()[0]
            spider.baseline = first is None
            spider.run_id = db["runs"].insert({
                "source": source.name, "started": now, "outcome": "running",
                "baseline": int(spider.baseline), "pid": os.getpid()}).last_pk

    def _has_baseline(self, name: str) -> bool:
        if not archive_exists(self.db_path):
            return False
        db = archive.connect(self.db_path)
        try:
            row = db.execute("SELECT first_run_id FROM sources WHERE name = ?",
                             [name]).fetchone()
            return bool(row and row[0])
        finally:
            db.conn.close()

    def spider_closed(self, spider, reason) -> None:
        tally = spider.tally
        tally.outcome = tally.classify()
        if reason != "finished":
            if tally.outcome != "blocked":
                tally.outcome = "interrupted"
            tally.errors.insert(0, {"url": "", "error": early_end(reason, self.crawler.settings)})
        if self.db is None:
            return
        stats = self.crawler.stats
        db = self.db
        with archive.immediate(db):
            db["runs"].update(spider.run_id, {
                "finished": archive.utcnow(), "outcome": tally.outcome,
                **tally.counts(),
                "requests": stats.get_value("downloader/request_count", 0),
                "bytes": stats.get_value("downloader/response_bytes", 0),
                "errors": json.dumps(tally.errors, ensure_ascii=False),
                "fallback": (json.dumps(tally.fallback, ensure_ascii=False)
                             if tally.fallback else None),
                "access": json.dumps(tally.access, ensure_ascii=False) if tally.access else None,
                "browser_requests": stats.get_value("newswatch/browser_requests", 0)})
            changes = {"last_outcome": tally.outcome, "updated": archive.utcnow()}
            complete = reason == "finished" and not tally.capped
            if spider.baseline and tally.outcome in ("ok", "degraded") and complete:
                changes["first_run_id"] = spider.run_id
            db["sources"].update(spider.source.name, changes)
        db.conn.close()


def early_end(reason: str, settings) -> str:
    """Why a crawl closed before its end, as a sentence (Scrapy gives a close reason)."""
    if reason == "shutdown":
        return "stopped before the end: the crawler was asked to shut down (SIGTERM)"
    if reason == "memusage_exceeded":
        return (f"stopped before the end: memory use passed the "
                f"{settings.getint('MEMUSAGE_LIMIT_MB')} MB cap (MEMUSAGE_LIMIT_MB)")
    if reason.startswith("closespider_"):
        return f"stopped before the end: Scrapy's {reason.upper()} limit was reached"
    return f"stopped before the end: {reason}"
