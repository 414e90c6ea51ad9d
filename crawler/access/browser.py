"""The download handler that fetches a page through a real browser when asked to.

Plain requests go to :class:`crawler.replay_handler.ReplayDownloadHandler` exactly as
before (and to Scrapy's httpx handler when their proxy is SOCKS). A request with
``meta["playwright"]`` goes to scrapy-playwright's handler, created on the first such
request, so a crawl that never meets a challenge never starts Node or Chromium.

The browser is the system Chromium (:mod:`crawler.access.chromium` finds and configures
it), bounded: one browser, at most
``NEWSWATCH_BROWSER_MAX_CONTEXTS`` contexts and ``NEWSWATCH_BROWSER_MAX_PAGES`` pages in
each, each page given ``NEWSWATCH_BROWSER_PAGE_TIMEOUT`` seconds to get past its
challenge and closed before any context is, images/fonts/media never loaded, and the
browser restarted after ``NEWSWATCH_BROWSER_RESTART_PAGES`` pages or when its processes
pass ``NEWSWATCH_BROWSER_MEMORY_MB``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import time

from scrapy.http import HtmlResponse

from crawler.access.chromium import BrowserUnavailable, check_available, playwright_proxy
from crawler.access.classify import classify
from crawler.access.proxy import is_socks
from crawler.replay_handler import ReplayDownloadHandler, replay_url

BLOCKED_RESOURCES = {"image", "font", "media"}
CONTEXT = "newswatch"


def abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: never load images, fonts or media."""
    return request.resource_type in BLOCKED_RESOURCES


async def browser_headers(*, browser_type_name, playwright_request, scrapy_request_data):
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: the browser's own headers, cookies included
    (the page's script just set them), with the seed's headers and our User-Agent on top."""
    headers = await playwright_request.all_headers()
    scrapy_headers = scrapy_request_data["headers"].to_unicode_dict()
    for name, value in scrapy_headers.items():
        # The browser keeps its own cookies, encodings and proxy credentials, and has no
        # cache of ours to revalidate against.
        if name.lower() in ("cookie", "accept-encoding", "content-length", "host",
                            "proxy-authorization", "if-none-match", "if-modified-since"):
            continue
        if name.lower() == "user-agent" or playwright_request.is_navigation_request():
            headers[name.lower()] = value
    return headers


def _watch(page, request):
    """PLAYWRIGHT page init callback: remember the main frame's navigation responses."""
    page.nw_responses = []

    def on_response(resp):
        if resp.request.is_navigation_request() and resp.frame == page.main_frame:
            page.nw_responses.append(resp)

    page.on("response", on_response)


async def _page_init(page, request):
    _watch(page, request)


class AccessDownloadHandler(ReplayDownloadHandler):
    """http(s) handler: plain requests as before; browser requests through Chromium."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawler = crawler
        s = crawler.settings
        self.page_timeout = s.getfloat("NEWSWATCH_BROWSER_PAGE_TIMEOUT")
        self.restart_pages = s.getint("NEWSWATCH_BROWSER_RESTART_PAGES")
        self.memory_limit = s.getint("NEWSWATCH_BROWSER_MEMORY_MB") * 2**20
        self._browser = None  # ScrapyPlaywrightDownloadHandler, made on first use
        self._browser_lock = None
        self._socks = None
        self.pages = 0  # pages since the browser (re)started
        self.in_flight = 0
        self.peak_memory = 0

    # --- plain --------------------------------------------------------------------

    async def download_request(self, request):
        if request.meta.get("playwright"):
            return await self._browse(request)
        proxy = request.meta.get("proxy") or ""
        if proxy and is_socks(proxy):
            return await self._socks_handler().download_request(
                request.replace(url=replay_url(self.replay, request.url))
                if self.replay else request)
        return await super().download_request(request)

    def _socks_handler(self):
        if self._socks is None:
            if importlib.util.find_spec("socksio") is None:
                raise BrowserUnavailable("a socks5:// proxy needs the socksio package for "
                                         "plain requests: pip install 'newswatch[socks]'")
            from scrapy.core.downloader.handlers._httpx import HttpxDownloadHandler

            self._socks = HttpxDownloadHandler(self.crawler)
        return self._socks

    # --- browser ------------------------------------------------------------------

    async def _handler(self):
        if self._browser_lock is None:
            self._browser_lock = asyncio.Lock()
        async with self._browser_lock:
            if self._browser is None:
                check_available(self.crawler.settings)
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                handler = ScrapyPlaywrightDownloadHandler(self.crawler)
                # The engine_started signal that launches it has passed: launch now.
                await handler._maybe_launch_in_thread()
                self._browser = handler
        return self._browser

    async def _browse(self, request):
        handler = await self._handler()
        url, original = request.url, request
        if self.replay:  # the browser too asks the replay server, under the real URL
            request = request.replace(url=replay_url(self.replay, url))
        request.meta["playwright_include_page"] = True
        request.meta["playwright_context"] = CONTEXT
        request.meta["playwright_page_init_callback"] = _page_init
        if request.meta.get("nw_proxy"):
            request.meta["playwright_context"] = f"{CONTEXT}-proxy"
            request.meta["playwright_context_kwargs"] = {
                "proxy": playwright_proxy(request.meta["nw_proxy"])}
        self.in_flight += 1
        self.crawler.stats.inc_value("newswatch/browser/pages")
        page = None
        try:
            first = await handler.download_request(request)
            page = request.meta.pop("playwright_page", None)
            if page is None:
                return first.replace(url=url)
            status, headers, html = await self._settle(page, first, url)
            cookies = await page.context.cookies()
        finally:
            if page is not None and not page.is_closed():
                await page.close()
            self.in_flight -= 1
        self.pages += 1
        await self._maybe_restart(handler)
        response = HtmlResponse(url=url, status=status, headers=headers,
                                body=html.encode("utf-8"), encoding="utf-8",
                                request=request.replace(url=url))
        original.meta["nw_browser_cookies"] = cookies  # for crawler.access.render
        return response

    async def _settle(self, page, first, url):
        """Wait until the page is past its challenge (its script set a cookie and
        reloaded) or the page time-out passes; the final status, headers and HTML."""
        deadline = time.monotonic() + self.page_timeout
        status, html, headers = first.status, "", {}
        while True:
            try:
                # A document read before its "load" is half parsed (on a slow machine
                # the reloaded list came back as an empty page): wait for it first.
                await page.wait_for_load_state("load", timeout=max(
                    1.0, deadline - time.monotonic()) * 1000)
                html = await page.content()
            except Exception:  # navigating: the challenge's reload is under way
                if time.monotonic() >= deadline:
                    break
                await page.wait_for_timeout(50)
                continue
            responses = getattr(page, "nw_responses", [])
            if responses:
                status = responses[-1].status
                headers = dict(responses[-1].headers)
            verdict = classify(status, headers, html, url)
            if verdict.state != "challenge" or time.monotonic() >= deadline:
                break
            await page.wait_for_timeout(100)
        headers = {k: v for k, v in headers.items()
                   if k.lower() not in ("content-encoding", "content-length",
                                        "transfer-encoding", "set-cookie")}
        headers["Content-Type"] = "text/html; charset=utf-8"
        return status, headers, html

    def _browser_rss(self, handler) -> int:
        """Memory of the Playwright driver and Chromium: the crawl process's descendants
        (it starts no other), as PSS where the system gives it (Chromium's processes share
        most of their pages; summing their RSS would count them several times)."""
        try:
            import psutil
        except ImportError:  # no reading without psutil (in the browser extra)
            return 0
        total = 0
        try:
            children = psutil.Process(os.getpid()).children(recursive=True)
        except psutil.Error:
            return 0
        for proc in children:
            try:
                try:
                    total += proc.memory_full_info().pss
                except (AttributeError, psutil.AccessDenied):
                    total += proc.memory_info().rss
            except psutil.Error:
                pass  # exited meanwhile
        return total

    async def _maybe_restart(self, handler) -> None:
        rss = self._browser_rss(handler)
        self.peak_memory = max(self.peak_memory, rss)
        self.crawler.stats.max_value("newswatch/browser/peak_memory", rss)
        if self.in_flight or not (self.pages >= self.restart_pages
                                  or (self.memory_limit and rss > self.memory_limit)):
            return
        why = "pages" if self.pages >= self.restart_pages else "memory"
        self.crawler.stats.inc_value(f"newswatch/browser/restarts/{why}")
        self.pages = 0
        # Pages before contexts before the browser; scrapy-playwright relaunches it on
        # the next request (PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER).
        for wrapper in list(handler.context_wrappers.values()):
            for p in list(wrapper.context.pages):
                await p.close()
            await wrapper.context.close()
        browser = getattr(handler, "browser", None)
        if browser is not None:
            await browser.close()
            # Its disconnect callback forgets the browser; wait for it before relaunching.
            for _ in range(500):
                if not hasattr(handler, "browser"):
                    break
                await asyncio.sleep(0.01)

    async def close(self):
        await super().close()
        if self._browser is not None:
            await self._browser.close()
        if self._socks is not None:
            await self._socks.close()
