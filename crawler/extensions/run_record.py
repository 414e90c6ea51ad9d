"""Run recording: one ``runs`` row per crawl of a source, and the source's health.

At open: the ``sources`` row is upserted, a ``runs`` row is started, and the run is a
baseline when the source has no successful run yet (its articles never alert). At
close: counts, requests, bytes, errors and the outcome (``Tally.classify``) are written,
and ``sources.last_outcome`` follows. Dry runs record nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy import signals

from crawler import archive


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
        if not Path(self.db_path).exists():
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
            tally.error("", f"crawl ended early: {reason}")
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
                "access": json.dumps(tally.access, ensure_ascii=False) if tally.access else None,
                "browser_requests": stats.get_value("newswatch/browser_requests", 0)})
            changes = {"last_outcome": tally.outcome, "updated": archive.utcnow()}
            if spider.baseline and tally.outcome == "ok":
                changes["first_run_id"] = spider.run_id
            db["sources"].update(spider.source.name, changes)
        db.conn.close()
