"""Searching the archive with the topic query language: ``newswatch search`` and the web
interface's Search page and export both call :func:`search`.

The FTS5 trigram index narrows the candidates when the query allows it (every branch needs
a term of 3+ characters, :mod:`alerts.fts_narrowing`); the exact matcher then decides, so
two-character Chinese terms such as 芯片 are found too, by walking the archive newest
first when nothing can narrow. Results come newest first (by article id) in keyset pages:
``before_id`` continues where the last page stopped, and ``budget`` bounds how many
articles one page may read, so a rare term gives a page that says where it stopped
instead of a request that reads the whole archive.

Only an index that cannot answer (``crawler.archive.FullTextUnusable``: an FTS5 error, a
missing index) turns a search into a walk, and the page says why (``fallback``); any
other database error (locked, I/O) is raised, never hidden behind a slow walk. Articles
are read with their attachments (``files``), which the matcher reads as part of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from alerts.engine import Engine, article_time
from alerts.fts_narrowing import fts_expression
from alerts.topics import Topic
from crawler import archive

CHUNK = 500


@dataclass
class SearchPage:
    found: list = field(default_factory=list)  # (article dict, Match), newest first
    next_before: int | None = None  # continue with before_id=this; None: nothing older
    scanned: int = 0  # articles read
    indexed: bool = False  # narrowed by the full-text index (else a matcher walk)
    fallback: str | None = None  # why the index could not answer, when it could not

    @property
    def how(self) -> str:
        if self.indexed:
            return "full-text index + matcher"
        if self.fallback:
            return f"matcher scan (full-text index unusable: {self.fallback})"
        return "matcher scan"


def adhoc_topic(query_text: str, node) -> Topic:
    return Topic(name="query", title=query_text, query=node, query_text=query_text)


def search(db, node, query_text: str = "", *, before_id: int | None = None,
           limit: int | None = 50, budget: int | None = 20_000, scan: bool = False,
           since: datetime | None = None, until: datetime | None = None,
           topic: Topic | None = None, seconds: float | None = None) -> SearchPage:
    """Articles matching the parsed query ``node``, newest first.

    ``since``/``until`` bound the article's time (published, else fetched); ``scan``
    skips the index. ``limit``/``budget`` None: no bound. ``topic`` (whose query is
    ``node``) adds its source and language filters (a topic's preview). ``seconds``
    bounds the time one page may take, like ``budget`` (checked between reads)."""
    engine = Engine([topic or adhoc_topic(query_text or "query", node)])
    expr = None if scan else fts_expression(node)
    page = SearchPage(indexed=expr is not None)
    cursor = before_id
    # Small reads first (a common term fills a page from the newest few hundred), larger
    # ones while the page stays short.
    chunk = 100 if limit is not None else CHUNK
    deadline = time.monotonic() + seconds if seconds is not None else None
    while True:
        if deadline is not None and page.scanned and time.monotonic() > deadline:
            page.next_before = cursor
            return page
        size, chunk = chunk, min(chunk * 2, CHUNK if deadline is not None else CHUNK * 4)
        if page.indexed:
            try:
                ids = archive.full_text_ids(db, expr, before_id=cursor, limit=size)
            except archive.FullTextUnusable as exc:
                page.indexed, page.fallback = False, str(exc)
                continue
            batch = archive.articles_by_ids(db, ids, columns=archive.ARTICLE_COLUMNS)
            rows = [batch[i] for i in ids if i in batch]
            exhausted = len(ids) < size
        else:
            rows = archive.articles_before(db, cursor, limit=size)
            exhausted = len(rows) < size
        files = archive.attachments_of(db, [r["id"] for r in rows]) if rows else {}
        for row in rows:
            row["files"] = files.get(row["id"], [])
        for article in rows:
            if deadline is not None and page.scanned % 50 == 49 and time.monotonic() > deadline:
                page.next_before = cursor
                return page
            cursor = article["id"]
            page.scanned += 1
            if since and _before(article.get("fetched"), since):
                # Ids grow with fetch time and an article is published before it is
                # fetched: everything older was fetched, so published, before `since`.
                page.next_before = None
                return page
            when = article_time(article)
            if (since or until) and when is None:
                continue
            if (since and when < since) or (until and when >= until):
                continue
            for m in engine.match(article):
                page.found.append((article, m))
            if limit is not None and len(page.found) >= limit:
                page.next_before = cursor
                return page
            if budget is not None and page.scanned >= budget:
                page.next_before = cursor
                return page
        if exhausted or not rows:
            page.next_before = None
            return page


def _before(fetched: str | None, since: datetime) -> bool:
    if not fetched:
        return False
    try:
        return datetime.fromisoformat(fetched) < since
    except (TypeError, ValueError):
        return False
