"""``scheme_fallback = true``: when ``https://`` gets no answer (refused, reset, a TLS
handshake that fails, a time-out), ask again over plain ``http://``, and from then on ask
that host over ``http://`` for the rest of the run (CAICT blocks HTTPS from abroad)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy import signals


def to_http(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("http",) + tuple(parts)[1:])


class SchemeFallbackMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = False
        self.http_hosts: set[str] = set()  # hosts whose https failed this run
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        source = getattr(spider, "source", None)
        self.enabled = bool(source and source.scheme_fallback)

    def process_request(self, request):
        if self.enabled and request.url.startswith("https://") and \
                urlsplit(request.url).netloc.lower() in self.http_hosts:
            return request.replace(url=to_http(request.url))
        return None

    def process_exception(self, request, exception):
        if not self.enabled or not request.url.startswith("https://") or \
                request.meta.get("nw_scheme_fallback"):
            return None
        netloc = urlsplit(request.url).netloc.lower()
        self.http_hosts.add(netloc)
        self.crawler.stats.inc_value("newswatch/scheme_fallback")
        self.crawler.spider.logger.warning(
            "%s: no answer over https (%s): trying http, as scheme_fallback says",
            request.url, type(exception).__name__)
        retry = request.replace(url=to_http(request.url), dont_filter=True)
        retry.meta["nw_scheme_fallback"] = True
        return retry
