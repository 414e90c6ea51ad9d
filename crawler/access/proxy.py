"""The seed's ``proxy`` (else ``NEWSWATCH_PROXY``) on every request of the run.

Values may be ``"${ENV_NAME}"`` (or contain it), expanded here in the crawl process, so
the address and its credentials live in the environment, never in a seed, a command line
or the archive. Scrapy's HTTP/1.1 handler speaks to HTTP and HTTPS proxies only (SOCKS is
scrapy/scrapy#747); a ``socks5://`` proxy is used by the browser (``render``) and, when the
``socksio`` package is installed, by Scrapy's httpx handler for plain requests
(:mod:`crawler.access.browser`). See ``docs/seeds.md``, "Getting through".
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from scrapy import signals

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ProxyError(ValueError):
    """A proxy setting that cannot be used; the message names the field, never the value."""


def expand(value: str, *, where: str) -> str:
    """``value`` with ``${NAME}`` replaced from the environment; unset names are errors."""
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise ProxyError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    url = _ENV.sub(sub, value).strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "socks5", "socks5h", "socks4", "socks4a") \
            or not parts.hostname:
        raise ProxyError(f"{where}: not a proxy URL (want http://, https:// or socks5://"
                         f"host:port)")
    return url


def is_socks(url: str) -> bool:
    return urlsplit(url).scheme.startswith("socks")


def redacted(url: str) -> str:
    """The proxy for logs: scheme, host and port, no credentials."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


class ProxyMiddleware:
    """Sets ``request.meta["proxy"]`` (Scrapy's HttpProxyMiddleware then uses it)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.global_proxy = crawler.settings.get("NEWSWATCH_PROXY") or ""
        self.proxy: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        source = getattr(spider, "source", None)
        value, where = ((source.proxy, f"{source.path or source.name}: field 'proxy'")
                        if source is not None and source.proxy
                        else (self.global_proxy, "setting NEWSWATCH_PROXY"))
        try:
            self.proxy = expand(value, where=where) if value else ""
        except ProxyError as exc:
            # A proxy that is not there must not send requests without it: the site may
            # refuse or record our own address. The run fails with the reason.
            from crawler.access.classify import Verdict

            self.proxy = None
            spider.tally.error("", str(exc))
            spider.tally.note_access(Verdict("network", kind="proxy", detail=str(exc)))
            return
        if self.proxy:
            spider.logger.info("requests go through the proxy %s", redacted(self.proxy))

    def process_request(self, request, spider=None):
        if self.proxy is None:
            from scrapy.exceptions import IgnoreRequest

            raise IgnoreRequest("not sent: the proxy is not usable (see the run's errors)")
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy
            request.meta["nw_proxy"] = self.proxy  # with its credentials, for the browser
        return None
