"""The spider's side of attachments: pick the links a source opted into, fetch each one
once through Scrapy (the same robots.txt, delays, per-host cap and replay routing as
pages, with its own size cap), extract it in a bounded child, and hand the article item
on with one record per file (``item.files``), which the archive pipeline stores.

Once means: a URL the archive (or this run) already holds is not requested again, and a
downloaded file whose content hash is already known is not extracted again; its record
is reused.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import scrapy
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawler import archive
from crawler.attachments.bounded import extract_bounded
from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits
from crawler.attachments.names import file_name, link_texts
from crawler.attachments.sniff import extension
from crawler.canonical import canonical_url

# Link extensions → the seed's `attachments` names they fall under.
KIND_OF_EXTENSION = {"pdf": "pdf", "doc": "doc", "docx": "docx", "wps": "wps", "xls": "xls",
                     "et": "xls", "xlsx": "xlsx"}
REUSED = ("type", "bytes", "sha256", "outcome", "detail", "pages", "page_count", "unit",
          "text", "content_type")


class AttachmentFetcher:
    """Built by the spider in ``setup``; :meth:`start` is called with each article item."""

    def __init__(self, spider, settings):
        self.spider = spider
        self.kinds = set(spider.source.attachments)
        self.enabled = bool(self.kinds) and settings.getbool("NEWSWATCH_ATTACHMENTS")
        self.maxsize = settings.getint("NEWSWATCH_ATTACHMENT_MAXSIZE")
        self.max_files = settings.getint("NEWSWATCH_ATTACHMENT_MAX_FILES")
        self.limits = Limits.from_settings(settings)
        self._by_url: dict[str, dict] = {}  # this run's records, by canonical URL
        self._by_hash: dict[str, dict] = {}
        # Files being downloaded → the other articles waiting for them.
        self._inflight: dict[str, list[tuple]] = {}

    def wanted(self, urls: list[str]) -> list[str]:
        """The attachment URLs of the kinds the source opted into, at most max_files."""
        picked = [u for u in urls if KIND_OF_EXTENSION.get(extension(u)) in self.kinds]
        return picked[:self.max_files]

    def start(self, item, response) -> list:
        """What the spider yields for ``item``: the item itself when there is nothing to
        fetch, else the first request (the item follows its last attachment)."""
        urls = self.wanted(item.attachments) if self.enabled else []
        if not urls:
            return [item]
        texts = link_texts(response, urls)
        item.files = []
        todo = [(u, texts.get(u, "")) for u in urls]
        return [x for x in [self._next(item, todo)] if x is not None]

    def _next(self, item, todo: list[tuple[str, str]]):
        """The request for the next file to fetch, the item when none is left, or None
        when the next file is being fetched for another article: that download's
        callback then goes on with this item."""
        while todo:
            url, text = todo.pop(0)
            name = file_name(url, text)
            known = self._known(url)
            if known is not None:
                item.files.append({**known, "url": url, "name": name})
                continue
            key = canonical_url(url)
            if key in self._inflight:
                self._inflight[key].append((item, todo, url, text))
                return None
            self._inflight[key] = []
            headers = {**self.spider.source.headers, "Referer": item.url}
            return scrapy.Request(
                url, callback=self.parse, errback=self.failed, headers=headers,
                meta={"nw_role": "attachment", "dont_cache": True,
                      "download_maxsize": self.maxsize, "download_warnsize": self.maxsize,
                      "nw_item": item, "nw_todo": todo, "nw_file": (url, text)},
                dont_filter=True)
        return item

    def _done(self, item, todo, url: str, record: dict) -> list:
        """File ``url`` of ``item`` is ``record``: go on with this item and with every
        other one that waited for the same file."""
        item.files.append(record)
        self._remember(url, record)
        out = [self._next(item, todo)]
        shared = {k: record[k] for k in REUSED}
        for other, other_todo, other_url, text in self._inflight.pop(canonical_url(url), []):
            other.files.append({**shared, "url": other_url, "name": file_name(other_url, text),
                                "fetched": record.get("fetched")})
            out.append(self._next(other, other_todo))
        return [x for x in out if x is not None]

    def _known(self, url: str) -> dict | None:
        key = canonical_url(url)
        if key in self._by_url:
            return self._by_url[key]
        db = self.spider.known.db
        found = archive.known_attachment(db, canonical_url=key) if db is not None else None
        return {k: found[k] for k in REUSED} if found else None

    async def parse(self, response):
        item, todo = response.meta["nw_item"], response.meta["nw_todo"]
        url, text = response.meta["nw_file"]
        disposition = response.headers.get(b"Content-Disposition", b"").decode("latin-1")
        declared = extension(url)
        data = response.body
        digest = hashlib.sha256(data).hexdigest()
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        reused = self._by_hash.get(digest)
        if reused is None and self.spider.known.db is not None:
            found = archive.known_attachment(self.spider.known.db, sha256=digest)
            reused = {k: found[k] for k in REUSED} if found else None
        if reused is not None:
            record = dict(reused)
        else:
            extraction, _ = await maybe_deferred_to_future(
                deferToThread(extract_bounded, data, declared, self.limits))
            record = self._record(extraction, data, digest, content_type)
        record.update(url=url, name=file_name(url, text, disposition),
                      fetched=_now())
        for out in self._done(item, todo, url, record):
            yield out

    def failed(self, failure):
        from crawler.spiders.base import failure_message

        request = failure.request
        item, todo = request.meta["nw_item"], request.meta["nw_todo"]
        url, text = request.meta["nw_file"]
        message = failure_message(failure)
        if "IgnoreRequest" in type(failure.value).__name__ or "robots" in message.lower():
            message = "forbidden by robots.txt"
        elif "max size" in str(failure.value) or "too large" in message:
            message = (f"too large: over the {self.maxsize / 2**20:g} MB cap "
                       f"(NEWSWATCH_ATTACHMENT_MAXSIZE)")
        record = self._failure(f"not downloaded: {message}")
        record.update(url=url, name=file_name(url, text), fetched=_now())
        return self._done(item, todo, url, record)

    @staticmethod
    def _record(ex: Extraction, data: bytes, digest: str, content_type: str) -> dict:
        return {"type": ex.type, "bytes": len(data), "sha256": digest, "outcome": ex.outcome,
                "detail": ex.detail, "pages": ex.pages, "page_count": ex.page_count,
                "unit": ex.unit, "text": ex.text, "content_type": content_type}

    @staticmethod
    def _failure(detail: str) -> dict:
        return {"type": "", "bytes": None, "sha256": None, "outcome": "failed",
                "detail": detail, "pages": [], "page_count": None, "unit": "page",
                "text": "", "content_type": ""}

    def _remember(self, url: str, record: dict) -> None:
        if record["outcome"] == "failed":
            return  # a failed download is tried again by the next article that links it
        kept = {k: record[k] for k in REUSED}
        self._by_url[canonical_url(url)] = kept
        if record.get("sha256"):
            self._by_hash[record["sha256"]] = kept


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
