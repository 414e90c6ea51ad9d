"""Live progress as JSON lines on stdout, read by ``newswatch crawl`` (the parent).

Events: ``start`` (source, run_id, baseline), ``progress`` (counts, at most every
``NEWSWATCH_PROGRESS_INTERVAL`` seconds), ``item`` (dry runs: what would be stored) and
``done`` (outcome, counts, requests, bytes, errors). Scrapy's log goes to stderr.
"""

from __future__ import annotations

import json
import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured


def emit(event: dict) -> None:
    """Write one event as a JSON line on stdout, flushed so the parent sees it now."""
    sys.stdout.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def snapshot(spider, stats) -> dict:
    """The run's counts so far, as progress and done events carry them."""
    tally = spider.tally
    return {"source": spider.source.name, "run_id": getattr(spider, "run_id", None),
            **tally.counts(), "list_failed": tally.list_failed, "blocked": tally.blocked,
            "requests": stats.get_value("downloader/request_count", 0),
            "bytes": stats.get_value("downloader/response_bytes", 0)}


class Progress:
    def __init__(self, crawler):
        if not crawler.settings.getbool("NEWSWATCH_PROGRESS"):
            raise NotConfigured
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NEWSWATCH_PROGRESS_INTERVAL")
        self.last = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.tick, signal=signals.response_received)
        crawler.signals.connect(ext.tick, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        emit({"event": "start", "source": spider.source.name, "spider": spider.name,
              "run_id": getattr(spider, "run_id", None),
              "baseline": bool(getattr(spider, "baseline", False))})

    def tick(self, *args, **kwargs) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            spider = self.crawler.spider
            emit({"event": "progress", **snapshot(spider, self.crawler.stats)})

    def spider_closed(self, spider, reason) -> None:
        tally = spider.tally
        outcome = tally.outcome if tally.outcome != "running" else tally.classify()
        emit({"event": "done", **snapshot(spider, self.crawler.stats), "outcome": outcome,
              "reason": reason, "errors": tally.errors, "access": tally.access,
              "browser_requests": self.crawler.stats.get_value(
                  "newswatch/browser_requests", 0)})
