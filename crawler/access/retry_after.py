"""Honour ``Retry-After``: a ``429`` (or ``503`` that says when to come back) pauses
every request to that host for as long as the site asked, then the page is retried.

Waits longer than ``NEWSWATCH_RETRY_AFTER_MAX`` seconds are not waited for: the page is
recorded as rate-limited and the next scheduled run tries again. A page is retried at
most ``NEWSWATCH_RETRY_AFTER_TIMES`` times. Without ``Retry-After`` a ``429`` waits
``NEWSWATCH_RETRY_AFTER_DEFAULT`` seconds.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

from crawler.access.classify import retry_after_seconds


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class RetryAfterMiddleware:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.max_wait = s.getfloat("NEWSWATCH_RETRY_AFTER_MAX")
        self.default_wait = s.getfloat("NEWSWATCH_RETRY_AFTER_DEFAULT")
        self.times = s.getint("NEWSWATCH_RETRY_AFTER_TIMES")
        self.not_before: dict[str, float] = {}  # host → monotonic time it may be asked again

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        wait = self.not_before.get(_host(request.url), 0.0) - time.monotonic()
        if wait > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return None

    def process_response(self, request, response):
        status = response.status
        header = response.headers.get(b"Retry-After")
        if status != 429 and not (status == 503 and header is not None):
            return response
        wait = retry_after_seconds(header)
        if wait is None:
            wait = self.default_wait
        tries = request.meta.get("nw_retry_after", 0)
        stats = self.crawler.stats
        if wait > self.max_wait or tries >= self.times:
            stats.inc_value("newswatch/retry_after/gave_up")
            return response
        host = _host(request.url)
        self.not_before[host] = max(self.not_before.get(host, 0.0), time.monotonic() + wait)
        stats.inc_value("newswatch/retry_after/waited")
        stats.max_value("newswatch/retry_after/max_wait", wait)
        self.crawler.spider.logger.info("%s answered %s, Retry-After %g s: pausing %s",
                                        request.url, status, wait, host)
        retry = request.replace(dont_filter=True)
        retry.meta["nw_retry_after"] = tries + 1
        return retry
