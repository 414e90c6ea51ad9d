"""The base of every newswatch spider: a source's list pages → article pages → items.

A subclass says how to read one kind of list page (:meth:`SourceSpider.list_entries`)
and, when it is not a selector or a URL template, how to find the next one
(:meth:`SourceSpider.next_page_url`). Everything else is here: loading the source,
revalidating list pages, skipping known articles, stopping pagination at the first
page with nothing new, extraction, and the run tally. See ``docs/crawling.md``,
"Writing a custom spider".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import times
from crawler.access import classify, classify_failure
from crawler.access.chromium import configure as configure_browser
from crawler.attachments.fetching import AttachmentFetcher
from crawler.canonical import canonical_url
from crawler.database import local_base
from crawler.items import ArticleItem, Tally
from crawler.known_articles import KnownArticles
from crawler.list_fallback import ListFallback, describe, normal_items_per_page
from crawler.page_fields import extraction_selectors, page_fields
from crawler.seeds import SeedError, Source, find_source

# List pages always revalidate: a heuristic freshness would hide new articles.
LIST_HEADERS = {"Cache-Control": "max-age=0"}
# Answers that are certainly not an article page (a PDF, an office file, media, archives).
NOT_HTML_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/zip",
                  "application/x-rar", "application/octet-stream", "image/", "video/", "audio/")


class ListRefused(ValueError):
    """A list page refused whole (an XML bomb, ...): the message is the sentence shown."""


@dataclass
class ListEntry:
    """An article link found on a list page, with what the list says about it."""

    url: str
    title: str | None = None
    date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_TOOK = re.compile(r"took longer than ([\d.]+) seconds")
_SIZE = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")


# Failures Scrapy and Twisted report by exception name alone, as sentences.
_BY_NAME = {
    "ResponseDataLossError": "the server closed the connection before the promised length "
                             "(Content-Length)",
    "ResponseNeverReceived": "the server closed the connection without answering",
    "ConnectionLost": "the server closed the connection in the middle of the answer",
    "ConnectionDone": "the server closed the connection in the middle of the answer",
    "ConnectError": "could not connect to the server",
    "TunnelError": "could not connect through the proxy",
    "SSLError": "the TLS (https) handshake failed",
}


def failure_message(failure, *, maxsize: int | None = None) -> str:
    """A one-line reason for a failed request, for runs.errors and the summary.

    Scrapy's own texts name the replay URL under replay; these name no URL at all
    (the error row carries the real one). ``maxsize``: the ``DOWNLOAD_MAXSIZE`` in force,
    for the sentence of a download cancelled for its size.
    """
    value = failure.value
    if isinstance(value, HttpError):
        return f"HTTP {value.response.status}"
    if type(value).__name__ == "BrowserUnavailable":
        return str(value)
    text = str(value).strip()
    name = type(value).__name__
    if name in _BY_NAME:
        return _BY_NAME[name]
    if m := _TOOK.search(text):
        return f"timed out after {float(m.group(1)):g} s"
    if "Timeout" in name:
        return "timed out"
    if m := _SIZE.search(text):
        return (f"page too large: {int(m.group(1)):,} bytes, over the "
                f"{int(m.group(2)) // 2**20} MB cap (DOWNLOAD_MAXSIZE)")
    if name == "DownloadCancelledError" or (name == "CancelledError" and maxsize):
        # Scrapy cancels a download that grows past DOWNLOAD_MAXSIZE and only logs why.
        request = getattr(failure, "request", None)
        limit = request.meta.get("download_maxsize", maxsize) if request is not None else maxsize
        cap = f"the {limit / 2**20:g} MB cap" if limit else "the size cap"
        return f"larger than {cap} (DOWNLOAD_MAXSIZE): download cancelled"
    if "max redirections" in text:
        return "redirect loop: too many redirects (REDIRECT_MAX_TIMES)"
    if "ConnectionRefused" in name:
        return "connection refused"
    if "SSL" in text and name in ("DownloadFailedError", "ResponseNeverReceived"):
        return "the HTTPS (TLS) handshake failed"
    if "DNSLookup" in name or "CannotResolveHost" in name:
        return "host name not found (DNS)"
    return f"{name}: {text}" if text else f"the download failed ({name})"


class SourceSpider(scrapy.Spider):
    """Crawls one source (``-a source=<name>``). Subclasses set ``name`` and
    implement :meth:`list_entries`."""

    source: Source
    tally: Tally
    fallback: ListFallback | None = None  # set up per run in setup()
    # Bounds of one run (set from the settings by setup): 0 is no cap.
    max_articles = 0
    max_links = 0
    maxsize = 0
    requested = 0

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        configure_browser(settings)  # PLAYWRIGHT_* from NEWSWATCH_BROWSER_*
        db = settings.get("NEWSWATCH_DB")
        if db and settings.getpriority("HTTPCACHE_DIR") < SETTINGS_PRIORITIES["cmdline"]:
            # The list-page cache lives next to the archive, whatever the working folder.
            settings.set("HTTPCACHE_DIR", local_base(db) + ".httpcache", priority="spider")
        if settings.getbool("NEWSWATCH_DRY_RUN"):
            settings.set("HTTPCACHE_ENABLED", False, priority="spider")
        if not settings.getbool("NEWSWATCH_POLITE"):
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("CONCURRENT_REQUESTS", 32, priority="spider")
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(crawler.settings)
        return spider

    def __init__(self, source: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if not source:
            raise ValueError(f"spider {self.name!r} needs a source: -a source=<name>")
        self.source_name = source

    def setup(self, settings) -> None:
        """Load the source and open the archive for known-article look-ups."""
        try:
            self.source = find_source(settings.get("NEWSWATCH_SOURCES_DIR"), self.source_name)
        except SeedError as exc:
            raise ValueError(str(exc)) from None
        self.tally = Tally()
        self.refresh = settings.getbool("NEWSWATCH_REFRESH")
        self.dry_run = settings.getbool("NEWSWATCH_DRY_RUN")
        self.known = KnownArticles(settings.get("NEWSWATCH_DB"), self.source.site)
        self._seen: set[str] = set()
        self.attachments = AttachmentFetcher(self, settings)
        self.fallback = ListFallback(self.source, normal_items_per_page(
            settings.get("NEWSWATCH_DB"), self.source.name))
        # Bounds of one run: article pages requested, links read per list page.
        self.max_articles = settings.getint("NEWSWATCH_MAX_ARTICLES")
        self.max_links = settings.getint("NEWSWATCH_MAX_LINKS_PER_PAGE")
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.requested = 0

    def closed(self, reason: str) -> None:
        self.known.close()

    # --- requests ---------------------------------------------------------------------

    def list_request(self, url: str, *, page: int = 1, **kwargs) -> scrapy.Request:
        """A request for a list page: revalidated through the HTTP cache."""
        headers = {**self.source.headers, **LIST_HEADERS, **kwargs.pop("headers", {})}
        meta = {"nw_role": "list", "nw_page": page, **kwargs.pop("meta", {})}
        return scrapy.Request(url, callback=kwargs.pop("callback", self.parse_list),
                              errback=self.list_failed, headers=headers, meta=meta,
                              dont_filter=True, **kwargs)

    def article_request(self, entry: ListEntry) -> scrapy.Request:
        """A request for an article page: never cached (it is archived instead)."""
        return scrapy.Request(entry.url, callback=self.parse_article,
                              errback=self.article_failed, headers=dict(self.source.headers),
                              meta={"nw_role": "article", "nw_entry": entry,
                                    "dont_cache": True},
                              # Links are deduped per run already; filtering here would
                              # hide a redirect loop instead of reporting it.
                              dont_filter=True)

    async def start(self) -> AsyncIterator[Any]:
        if self.source.warmup:
            # The seed's warm-up page first: its cookies (kept by Scrapy's cookie jar, and
            # between runs by crawler.access.cookies) are what the list pages want.
            yield scrapy.Request(self.source.warmup, callback=self.warmed,
                                 errback=self.warmup_failed, headers=dict(self.source.headers),
                                 meta={"nw_role": "warmup", "dont_cache": True},
                                 dont_filter=True, priority=100)
            return
        for request in self.start_list_requests():
            yield request

    def warmed(self, response: Response) -> Iterable[scrapy.Request]:
        verdict = classify(response.status, response.headers, response.body, response.url)
        if not verdict.ok:
            self.logger.warning("warm-up page %s: %s", response.url, verdict.message)
        yield from self.start_list_requests()

    def warmup_failed(self, failure) -> Iterable[scrapy.Request]:
        self.tally.error(failure.request.url, f"warm-up page: {failure_message(failure)}")
        yield from self.start_list_requests()

    def start_list_requests(self) -> Iterable[scrapy.Request]:
        """The first list pages; override to discover them another way."""
        for url in self.source.start_urls:
            yield self.list_request(url, page=1)

    # --- list pages -------------------------------------------------------------------

    def list_entries(self, response: Response) -> list[ListEntry]:
        """The article links on one list page (implemented per kind)."""
        raise NotImplementedError

    def next_page_url(self, response: Response, page: int) -> str | None:
        """The list page after ``page`` (1 = a start URL): the seed's selector or template."""
        pagination = self.source.pagination
        if pagination.get("url_template"):
            first = int(pagination.get("first_page", 1))
            return pagination["url_template"].format(page=first + page - 1)
        return None

    def sublists(self, response: Response) -> list[str]:
        """Further list pages named by this one (a sitemap index); crawled like pages."""
        return []

    def record_block(self, response: Response) -> bool:
        """Count and report a challenge, 403, geo-block or rate limit (see
        :func:`crawler.access.classify`); True when ``response`` is one."""
        verdict = classify(response.status, response.headers, response.body, response.url)
        if verdict.blocking:
            self.tally.blocked += 1
            self.tally.note_access(verdict)
            self.tally.error(response.url, f"blocked: {verdict.reason}")
        return verdict.blocking

    def parse_list(self, response: Response) -> Iterator[Any]:
        page = response.meta.get("nw_page", 1)
        if self.record_block(response):
            return
        try:
            entries = self.read_entries(response)
        except Exception as exc:  # one bad list page must not end the crawl
            refused = isinstance(exc, ListRefused)  # an XML bomb: nothing to infer from
            inferred = [] if refused else self.inferred_entries(response, page, 0)
            if not inferred:
                self.tally.list_failed += 1
                why = str(exc) if refused else f"{type(exc).__name__}: {exc}"
                self.tally.error(response.url, f"could not read the list page: {why}")
                return
            entries = []
        else:
            inferred = None
        self.tally.pages += 1
        entries, repeated = self._admissible(entries)
        if inferred is None:
            inferred = self.inferred_entries(response, page, len(entries))
        entries += inferred
        self.tally.items_found += len(entries)
        sublists = self.sublists(response)
        if not entries and repeated:
            return  # only links this run has already seen: the list loops back
        if not entries and not sublists:
            self.tally.empty_pages += 1
            self.tally.note_access(classify(response.status, response.headers, response.body,
                                            response.url, list_items=0))
            self.tally.error(response.url, "0 items: no article links matched on this list "
                                           "page (selectors or layout changed?)")
        new = 0
        for entry in entries:
            site_id = self.source.site_id(entry.url)
            if not self.refresh and self.known.is_known(entry.url, site_id):
                self.tally.items_known += 1
                continue
            if self.at_article_cap(response):
                return  # the rest (older: lists are newest first) waits for the next run
            new += 1
            self.requested += 1
            yield self.article_request(entry)
        if self.at_article_cap(response):
            return
        for url in sublists:
            if page < self.source.max_pages:
                yield self.list_request(url, page=page + 1)
        if entries and new == 0 and not self.refresh:
            return  # everything on this page is known: the next pages are older
        if page < self.source.max_pages:
            next_url = self.next_page_url(response, page)
            if not next_url and self.fallback is not None and self.fallback.active:
                next_url = self.fallback.next_page_url(response, page)
            if next_url:
                yield self.list_request(response.urljoin(next_url), page=page + 1)

    def inferred_entries(self, response: Response, page: int, found: int) -> list[ListEntry]:
        """The list as inference reads it, when the seed's selectors found nothing or far
        fewer links than normal on a page that answered (``crawler/list_fallback.py``)."""
        if self.fallback is None or not self.fallback.broken(found, page):
            return []
        body = response.text if isinstance(response, TextResponse) else response.body
        was_active = self.fallback.active
        rows = self.fallback.infer(body, response.url, found)
        if not rows:
            return []
        self.tally.fallback = self.fallback.record()
        if not was_active:
            self.tally.error(response.url, f"degraded: {describe(self.tally.fallback)}")
        entries = [ListEntry(url=u, title=t, date=d) for u, t, d in rows]
        return self._admissible(entries, pattern=self.fallback.pattern())[0]

    def read_entries(self, response: Response) -> list[ListEntry]:
        """:meth:`list_entries`, read up to ``NEWSWATCH_MAX_LINKS_PER_PAGE`` links."""
        found = self.list_entries(response)
        limit = self.max_links
        entries = list(islice(found, limit + 1)) if limit else list(found)
        if limit and len(entries) > limit:
            entries = entries[:limit]
            self.tally.error(response.url, f"list page has more than {limit:,} links: read the "
                                           f"first {limit:,} (NEWSWATCH_MAX_LINKS_PER_PAGE)")
        return entries

    def at_article_cap(self, response: Response) -> bool:
        """True once this run has requested its ``NEWSWATCH_MAX_ARTICLES`` article pages."""
        if not self.max_articles or self.requested < self.max_articles:
            return False
        if not self.tally.capped:
            self.tally.capped = True
            self.tally.error(response.url, f"stopped at {self.max_articles} article pages "
                                           f"(max_articles_per_run): the rest waits for the "
                                           f"next run")
        return True

    def _admissible(self, entries: list[ListEntry], pattern: re.Pattern | None = None
                    ) -> tuple[list[ListEntry], int]:
        """Absolute, on an allowed host, matching ``link_pattern``, once per run; and how
        many were left out for having been seen already."""
        pattern = pattern or self.source.link_pattern
        hosts = set(self.source.allowed_hosts)
        kept, repeated = [], 0
        for entry in entries:
            parts = urlsplit(entry.url)
            if parts.scheme not in ("http", "https") or (hosts and parts.hostname not in hosts):
                continue
            if pattern and not pattern.search(entry.url):
                continue
            key = canonical_url(entry.url)
            if key in self._seen:
                repeated += 1
                continue
            self._seen.add(key)
            kept.append(entry)
        return kept, repeated

    def list_failed(self, failure) -> None:
        request = failure.request
        message = failure_message(failure, maxsize=self.maxsize)
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            if response.status == 404 and request.meta.get("nw_page", 1) > 1:
                return  # a URL template past the last page: the list simply ends
            verdict = classify(response.status, response.headers, response.body,
                               response.url, list_items=0)
            if verdict.blocking:
                self.tally.blocked += 1
                message = f"blocked: {verdict.reason}"
            self.tally.note_access(verdict)
        else:
            self.tally.note_access(classify_failure(failure.value, request.url))
        self.tally.list_failed += 1
        self.tally.error(request.url, f"list page: {message}")

    # --- article pages ----------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        entry: ListEntry = response.meta.get("nw_entry") or ListEntry(response.url)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        looks_like_markup = response.body.lstrip()[:1] == b"<"
        if response.body[:5] == b"%PDF-" or (content_type.startswith(NOT_HTML_TYPES)
                                             and not looks_like_markup):
            self.tally.items_failed += 1
            self.tally.error(response.url, f"expected an HTML page, got "
                                           f"{content_type or 'a PDF'}: not archived")
            return
        if self.record_block(response):  # a challenge in place of the article: not archived
            self.tally.items_failed += 1
            self.tally.blocked_articles += 1
            return
        try:
            item = self.build_item(response, entry)
        except Exception as exc:  # one bad page must not end the crawl
            self.tally.items_failed += 1
            self.tally.error(response.url, f"extraction failed: {type(exc).__name__}: {exc}")
            return
        if item is not None:
            # The item, or the first of its attachments' requests (the item follows them).
            yield from self.attachments.start(item, response)

    def build_item(self, response: Response, entry: ListEntry) -> ArticleItem | None:
        """Extract the article page into an item; override to add per-source extras."""
        from crawler.extraction import extract

        headers = {k.decode("latin-1"): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        fetched = times.now_utc()
        ex = extract(response.body, response.url, headers=headers,
                     selectors=extraction_selectors(self.source.article) or None,
                     fetched_at=fetched,
                     hints={"title": entry.title, "date": entry.date},
                     timezone=self.source.timezone)
        if getattr(ex, "error", None) and not (ex.title or ex.body):
            self.tally.items_failed += 1
            self.tally.error(response.url, f"extraction failed: {ex.error}")
            return None
        published = ex.published
        if isinstance(published, datetime):
            published = times.utc_stamp(published)
        # The seed's page selectors that are not article fields: site_id and extra.
        own = page_fields(response, self.source.article) if self.source.article else {}
        site_id = (own.get("site_id") or self.source.site_id(response.url)
                   or self.source.site_id(response.request.url if response.request else "")
                   or self.source.site_id(entry.url))
        extra = {**entry.extra, **own.get("extra", {})}
        if getattr(ex, "site", None):
            extra.setdefault("site_name", ex.site)
        return ArticleItem(
            # The link's canonical form, not the redirect target's: it is what the next
            # crawl looks up to skip the page.
            url=response.url, canonical_url=canonical_url(entry.url or response.url),
            source=self.source.name, site=self.source.site, site_id=site_id,
            title=ex.title, published=published, published_text=ex.published_text,
            date_source=ex.date_source, author=ex.author,
            editor=ex.editor,
            original_source=ex.original_source,
            doc_number=ex.doc_number, body=ex.body,
            lang=ex.lang or self.source.language, attachments=list(ex.attachments or []),
            encoding=ex.encoding, fetched=times.utc_stamp(fetched),
            field_sources=dict(ex.field_sources or {}), extra=extra)

    def article_failed(self, failure) -> None:
        self.tally.items_failed += 1
        value = failure.value
        if isinstance(value, HttpError):
            response = value.response
            verdict = classify(response.status, response.headers, response.body, response.url)
            if verdict.blocking:
                self.tally.blocked += 1
                self.tally.blocked_articles += 1
                self.tally.note_access(verdict)
                self.tally.error(failure.request.url,
                                 f"blocked: {verdict.reason}")
                return
        else:
            self.tally.note_access(classify_failure(value, failure.request.url))
        self.tally.error(failure.request.url, failure_message(failure, maxsize=self.maxsize))


def text_response(response: Response) -> TextResponse:
    """The response as text, or a clear error when the server sent something else."""
    if not isinstance(response, TextResponse):
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or "unknown"
        raise ValueError(f"expected a text page, got {ctype}")
    return response
