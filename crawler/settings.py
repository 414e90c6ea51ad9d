"""Scrapy settings for newswatch crawls: every default in one place, alphabetical.

Scrapy's own settings first, then ours (``NEWSWATCH_*``). ``newswatch crawl`` passes the
per-run ones with ``-s NAME=value``; ``scrapy crawl`` from the repository root works
with these defaults. See ``docs/crawling.md``.
"""

import os
from pathlib import Path

import platformdirs

import seeds

# Adapt the delay to the server's latency; never faster than DOWNLOAD_DELAY.
AUTOTHROTTLE_ENABLED = True
# The first delay before AutoThrottle has measured anything (seconds).
AUTOTHROTTLE_START_DELAY = 2.0
# Aim for one request in flight per host on average.
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# The project's name in Scrapy's logs.
BOT_NAME = "newswatch"
# A single source rarely needs more; the per-host cap below is what matters.
CONCURRENT_REQUESTS = 8
# At most two requests at once to one host.
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# The list-page cache that reuses only 304s (crawler/list_cache.py), and getting through
# (crawler/access/): plain http on refused https and Retry-After before Scrapy's retries
# (550), the browser on a challenge after the cookie middleware (700), the proxy before
# Scrapy's proxy middleware (750).
DOWNLOADER_MIDDLEWARES = {
    "crawler.access.scheme_fallback.SchemeFallbackMiddleware": 560,
    "crawler.access.retry_after.RetryAfterMiddleware": 570,
    "crawler.access.render.RenderMiddleware": 580,
    "crawler.access.proxy.ProxyMiddleware": 740,
    # Scrapy's cache middleware answers a network error with the cached page; ours does not.
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "crawler.list_cache.ListCacheMiddleware": 900,
}
# Seconds between requests to one host; a source's `download_delay` overrides it.
DOWNLOAD_DELAY = 1.0
# Route http(s) through the replay server when NEWSWATCH_REPLAY is set (real URLs kept),
# and pages that need a browser through Chromium (crawler/access/browser.py).
DOWNLOAD_HANDLERS = {
    "http": "crawler.access.browser.AccessDownloadHandler",
    "https": "crawler.access.browser.AccessDownloadHandler",
}
# Pages larger than this are dropped (10 MB): no news page is that big.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
# Give up on a request after 30 s.
DOWNLOAD_TIMEOUT = 30
# Log a warning for pages over 2 MB.
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Run recording (runs table, outcome) before progress, which reports the outcome.
EXTENSIONS = {
    "crawler.extensions.run_record.RunRecord": 100,
    "crawler.extensions.progress.Progress": 200,
    "crawler.access.cookies.CookiePersistence": 300,
    "crawler.extensions.memory.CurrentMemoryUsage": 400,
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
}
# Keep list pages so that re-crawls revalidate them (conditional GET, 304).
HTTPCACHE_ENABLED = True
# Responses with status >= 400 are never cached (we want to notice recovery).
HTTPCACHE_IGNORE_HTTP_CODES = [400, 401, 403, 404, 408, 429, 500, 502, 503, 504, 521, 522, 524]
# Honour Cache-Control/ETag/Last-Modified; list requests send max-age=0 to revalidate.
# Only a 304 reuses the cache: a 5xx must show as a failed run, not as the cached page.
HTTPCACHE_POLICY = "crawler.list_cache.RevalidateOnlyPolicy"
# One file pair per cached page under HTTPCACHE_DIR (set beside the archive).
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
# Dedupe and store articles in the archive.
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Scrapy logs go to stderr; stdout carries only progress JSON lines.
LOG_LEVEL = "INFO"
# How often the memory cap below is checked (seconds).
MEMUSAGE_CHECK_INTERVAL_SECONDS = 5.0
# Watch the crawl's memory (crawler.extensions.memory: current size, not the peak
# a child inherits from the process that started it).
MEMUSAGE_ENABLED = True
# Memory cap of one crawl: past it the crawl closes as `interrupted`.
MEMUSAGE_LIMIT_MB = 512
# Where `scrapy genspider` would put a new spider.
NEWSPIDER_MODULE = "crawler.spiders"
# Redirect chains longer than this are an error ("redirect loop").
REDIRECT_MAX_TIMES = 10
# Scrapy's remote-control HTTP server: a crawl child needs no open port.
REMOTE_CONTROL_ENABLED = False
# Retry server errors and time-outs, twice.
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
RETRY_TIMES = 2
# Obey robots.txt.
ROBOTSTXT_OBEY = True
# Where `scrapy crawl <name>` finds spiders (the generic ones and custom ones).
# (PLAYWRIGHT_* settings are filled from NEWSWATCH_BROWSER_* by crawler.access.browser.)
SPIDER_MODULES = ["crawler.spiders"]
# A browser-like agent: several target sites refuse unknown agents; seeds may override.
USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Safari/537.36 newswatch/0.1")
# Scrapy parses each callback's source for `return` in generators, on every page (~1 ms).
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- newswatch settings -------------------------------------------------------------

# Download and read the attachments of sources that opt in (`attachments` in the seed).
NEWSWATCH_ATTACHMENTS = True
# Attachments larger than this are not downloaded (20 MB).
NEWSWATCH_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
# At most this many characters of text are kept per file.
NEWSWATCH_ATTACHMENT_MAX_CHARS = 2_000_000
# At most this many attachments are fetched per article.
NEWSWATCH_ATTACHMENT_MAX_FILES = 10
# At most this many PDF pages are read per file; the rest is left out (outcome truncated).
NEWSWATCH_ATTACHMENT_MAX_PAGES = 500
# A .docx/.xlsx that unpacks to more than this is refused as a zip bomb (100 MB).
NEWSWATCH_ATTACHMENT_MAX_UNPACKED = 100 * 1024 * 1024
# The address-space cap (MB) of the child process that extracts one file.
NEWSWATCH_ATTACHMENT_MEMORY_MB = 1024
# Seconds one file's extraction may take before its child process is killed.
NEWSWATCH_ATTACHMENT_TIMEOUT = 60.0
# Extra Chromium flags for render (a list), after the built-in quiet, root-safe ones.
NEWSWATCH_BROWSER_ARGS = []
# The Chromium that render drives; empty: /usr/bin/chromium or another known path.
NEWSWATCH_BROWSER_EXECUTABLE = os.environ.get("NEWSWATCH_BROWSER_EXECUTABLE", "")
# Browser contexts open at once (one browser per crawl).
NEWSWATCH_BROWSER_MAX_CONTEXTS = 1
# Pages open at once in one context.
NEWSWATCH_BROWSER_MAX_PAGES = 2
# Restart the browser when its processes pass this much memory (MB).
NEWSWATCH_BROWSER_MEMORY_MB = 1024
# Seconds one browser page has to load and get past its challenge.
NEWSWATCH_BROWSER_PAGE_TIMEOUT = 30.0
# A proxy for the browser itself (Playwright's launch proxy; http:// or socks5://).
NEWSWATCH_BROWSER_PROXY = ""
# Restart the browser after this many pages.
NEWSWATCH_BROWSER_RESTART_PAGES = 100
# Keep the cookies of sources with warmup or render between runs (<db>.cookies/).
NEWSWATCH_COOKIES_PERSIST = True
# The SQLite archive (same default as the `db` application setting).
NEWSWATCH_DB = os.environ.get("NEWSWATCH_DB") or str(
    Path(platformdirs.user_data_dir("newswatch")) / "newswatch.db")
# Fetch and extract but store nothing; items are printed as JSON lines instead.
NEWSWATCH_DRY_RUN = False
# Article pages requested per run (0: no cap); the rest waits for the next run.
NEWSWATCH_MAX_ARTICLES = 200
# Links read from one list page (0: no cap); the rest of the page is ignored.
NEWSWATCH_MAX_LINKS_PER_PAGE = 1000
# Politeness (AutoThrottle, delays, per-host cap); the crawl runner turns it off under replay.
NEWSWATCH_POLITE = True
# Stream progress as JSON lines on stdout (for `newswatch crawl`).
NEWSWATCH_PROGRESS = False
# Seconds between two progress lines.
NEWSWATCH_PROGRESS_INTERVAL = 0.5
# The proxy of every source without its own `proxy`: a URL or "${ENV_NAME}".
NEWSWATCH_PROXY = os.environ.get("NEWSWATCH_PROXY", "")
# Request article pages even when already archived, and update their rows.
NEWSWATCH_REFRESH = False
# Base URL of a replay server; every request goes there, the archive keeps real URLs.
NEWSWATCH_REPLAY = os.environ.get("NEWSWATCH_REPLAY", "")
# Seconds a 429 without Retry-After pauses its host.
NEWSWATCH_RETRY_AFTER_DEFAULT = 30.0
# The longest Retry-After waited for (seconds); a longer one leaves the page rate-limited.
NEWSWATCH_RETRY_AFTER_MAX = 300.0
# How many times one page is retried after a 429/503 with Retry-After.
NEWSWATCH_RETRY_AFTER_TIMES = 3
# The folder of source seed files.
NEWSWATCH_SOURCES_DIR = os.environ.get("NEWSWATCH_SOURCES") or str(seeds.ROOT / "sources")
