"""``render = "auto" | "always"``: send a page through the browser where a site needs one.

``always``: every list, article and warm-up page goes through the browser. ``auto``: a
page goes through the browser only when :func:`~crawler.access.classify.classify` calls
its plain answer a JavaScript-cookie or WAF challenge; the browser's cookies then go into
Scrapy's cookie jar, so the following pages are plain requests that carry them, until a
plain answer is a challenge again (the cookie expired: one more browser page). While one
browser page is getting a host's cookies, other challenged pages of that host wait for it
and are then asked again plainly. If plain requests fail even with fresh browser cookies
(the site ties its cookie to the browser), the host's pages go through the browser for
the rest of the run. Without the browser extra or a Chromium, ``auto`` records one clear
error and the pages stay as they were.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapy import signals

from crawler.access.chromium import BrowserUnavailable, check_available
from crawler.access.classify import classify
from crawler.access.cookies import add_browser_cookies, scrapy_jar

ROLES = ("list", "article", "warmup")
BROWSER_KINDS = ("js-cookie", "waf")  # a CAPTCHA needs a person, not a browser


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class RenderMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = "never"
        self.unavailable: str | None = None
        self.browser_only: set[str] = set()
        self.pending: dict[str, asyncio.Event] = {}  # host → browser fetch under way
        # host → browser cookie generation; the generations that served a plain page; how
        # many generations in a row served none (the site ties its cookie to the browser).
        self.generation: dict[str, int] = {}
        self.served: set[tuple[str, int]] = set()
        self.useless: dict[str, int] = {}
        self.judged: set[tuple[str, int]] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        source = getattr(spider, "source", None)
        self.mode = source.render if source is not None else "never"
        if self.mode == "never":
            return
        try:
            check_available(self.crawler.settings)
        except BrowserUnavailable as exc:
            self.unavailable = (f"render = \"{self.mode}\" cannot use a browser: {exc}; "
                                f"pages are fetched plainly")
            spider.logger.error(self.unavailable)
            spider.tally.error("", self.unavailable)

    def _browser_ok(self) -> bool:
        return self.mode != "never" and self.unavailable is None

    def process_request(self, request):
        role = request.meta.get("nw_role")
        if role not in ROLES or not self._browser_ok() or request.meta.get("playwright"):
            return None
        host = _host(request.url)
        if self.mode == "always" or host in self.browser_only:
            request.meta["playwright"] = True
        else:
            request.meta["nw_cookie_gen"] = self.generation.get(host, 0)
        return None

    async def process_response(self, request, response):
        role = request.meta.get("nw_role")
        if role not in ROLES:
            return response
        host = _host(request.url)
        if request.meta.get("playwright"):
            self.stats.inc_value("newswatch/browser_requests")
            cookies = request.meta.pop("nw_browser_cookies", None) or []
            jar = scrapy_jar(self.crawler)
            if cookies and jar is not None:
                add_browser_cookies(jar, cookies)
            self.generation[host] = self.generation.get(host, 0) + 1
            event = self.pending.pop(host, None)
            if event is not None:
                event.set()
            return response
        self.stats.inc_value("newswatch/plain_requests")
        if self.mode != "auto" or not self._browser_ok():
            return response
        verdict = classify(response.status, response.headers, response.body, response.url)
        gen = self.generation.get(host, 0)
        with_fresh_cookies = gen and request.meta.get("nw_cookie_gen") == gen
        if verdict.state != "challenge" or verdict.kind not in BROWSER_KINDS:
            if with_fresh_cookies:
                self.served.add((host, gen))
                self.useless[host] = 0
            return response
        tries = request.meta.get("nw_browser_tries", 0)
        if tries >= 2:
            return response  # the browser did not get past it either: report the page
        if with_fresh_cookies and (host, gen) not in self.served and \
                (host, gen) not in self.judged and host not in self.browser_only:
            self.judged.add((host, gen))
            self.useless[host] = self.useless.get(host, 0) + 1
            if self.useless[host] >= 2:
                # Two browser cookies in a row served not one plain page: the site ties
                # its cookie to the browser.
                self.browser_only.add(host)
                self.stats.set_value("newswatch/browser_only", 1)
                self.crawler.spider.logger.warning(
                    "%s: plain requests fail even with the browser's cookies: its pages "
                    "go through the browser for the rest of the run", host)
        if host in self.pending and host not in self.browser_only:
            waits = request.meta.get("nw_browser_waits", 0)
            if waits >= 3:
                return response
            await self.pending[host].wait()  # the browser is getting this host's cookies
            retry = request.replace(dont_filter=True)
            retry.meta["nw_browser_waits"] = waits + 1
            return retry  # plainly, with the new cookies (or by browser, if browser-only)
        if host not in self.browser_only:
            self.pending[host] = asyncio.Event()
        self.stats.inc_value("newswatch/challenges_met")
        self.crawler.spider.logger.info("%s: %s; asking the browser", request.url,
                                        verdict.label)
        retry = request.replace(dont_filter=True)
        retry.meta["playwright"] = True
        retry.meta["nw_browser_tries"] = tries + 1
        return retry

    def process_exception(self, request, exception):
        if request.meta.get("playwright"):
            event = self.pending.pop(_host(request.url), None)
            if event is not None:
                event.set()
        return None
