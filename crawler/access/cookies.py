"""A source's cookies, kept between its runs: ``<db>.cookies/<source>.txt``.

A site's clearance cookie (from ``warmup``, or from the browser under ``render``) often
lasts hours or days; keeping it means the next run starts past the challenge. Only
sources with ``warmup`` or ``render`` set keep cookies, in the LWP format of
:mod:`http.cookiejar`, readable only by the owner (they are credentials of a kind).
Session cookies are kept too: "the session" is the source's, not one process's.
``NEWSWATCH_COOKIES_PERSIST = False`` turns it off.
"""

from __future__ import annotations

import http.cookiejar
import os
from pathlib import Path

from scrapy import signals
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import NotConfigured

from crawler.database import local_base


def cookie_file(db: str | Path, source: str) -> Path:
    return Path(local_base(db) + ".cookies") / f"{source}.txt"


def scrapy_jar(crawler) -> http.cookiejar.CookieJar | None:
    """The default jar of Scrapy's cookie middleware in this crawl, or None."""
    for mw in crawler.engine.downloader.middleware.middlewares:
        if isinstance(mw, CookiesMiddleware):
            return mw.jars[None].jar
    return None


def add_browser_cookies(jar: http.cookiejar.CookieJar, cookies: list[dict]) -> int:
    """Put Playwright's ``context.cookies()`` into a cookie jar; return how many."""
    n = 0
    for c in cookies:
        domain = c.get("domain") or ""
        expires = c.get("expires")
        jar.set_cookie(http.cookiejar.Cookie(
            version=0, name=c["name"], value=c.get("value", ""), port=None,
            port_specified=False, domain=domain, domain_specified=domain.startswith("."),
            domain_initial_dot=domain.startswith("."), path=c.get("path") or "/",
            path_specified=True, secure=bool(c.get("secure")),
            expires=int(expires) if expires and expires > 0 else None,
            discard=not (expires and expires > 0), comment=None, comment_url=None,
            rest={"HttpOnly": None} if c.get("httpOnly") else {}))
        n += 1
    return n


class CookiePersistence:
    """Loads the source's saved cookies when the spider opens, saves them when it closes."""

    def __init__(self, crawler):
        if not crawler.settings.getbool("NEWSWATCH_COOKIES_PERSIST") or \
                crawler.settings.getbool("NEWSWATCH_DRY_RUN"):
            raise NotConfigured
        self.crawler = crawler
        self.db = crawler.settings.get("NEWSWATCH_DB")
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        source = getattr(spider, "source", None)
        if source is None or not (source.warmup or source.render != "never"):
            return
        self.path = cookie_file(self.db, source.name)
        jar = scrapy_jar(self.crawler)
        if jar is None or not self.path.is_file():
            return
        saved = http.cookiejar.LWPCookieJar(str(self.path))
        try:
            saved.load(ignore_discard=True, ignore_expires=False)
        except (OSError, http.cookiejar.LoadError) as exc:
            spider.logger.warning("saved cookies %s unreadable (%s): starting without them",
                                  self.path, exc)
            return
        for cookie in saved:
            jar.set_cookie(cookie)
        self.crawler.stats.set_value("newswatch/cookies_loaded", len(saved))

    def spider_closed(self, spider) -> None:
        jar = scrapy_jar(self.crawler) if self.path else None
        if jar is None:
            return
        out = http.cookiejar.LWPCookieJar(str(self.path))
        for cookie in jar:
            out.set_cookie(cookie)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        out.save(str(tmp), ignore_discard=True, ignore_expires=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
