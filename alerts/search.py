"""Searching the archive with the topic query language: the one implementation behind
``newswatch search`` and the web interface's search.

The FTS5 trigram index narrows the candidates when the query allows it (every branch
needs a term of 3+ characters, ``alerts.fts_narrowing``); the exact matcher then decides,
so two-character Chinese terms such as 芯片 are found too (by a scan when nothing can
narrow). Only the ``limit`` newest hits are kept while walking (a heap), never every
matching body.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime

from alerts.engine import Engine, Match, article_time
from alerts.fts_narrowing import fts_expression
from alerts.topics import Topic
from crawler import archive

SCAN_BATCH = 1000


@dataclass
class SearchResult:
    hits: list[tuple[dict, Match]] = field(default_factory=list)  # newest first
    total: int = 0  # every match found (the scan counts them all; the index stops early)
    how: str = "matcher scan"


def search(db, topic: Topic, *, limit: int = 20, scan: bool = False,
           since: datetime | None = None, until: datetime | None = None) -> SearchResult:
    """The ``limit`` newest articles ``topic.query`` matches (published or fetched time
    within ``since``/``until`` when given)."""
    engine = Engine([topic])

    def wanted(article: dict) -> bool:
        when = article_time(article)
        if when is None:
            return since is None and until is None
        return (since is None or when >= since) and (until is None or when <= until)

    expr = None if scan else fts_expression(topic.query)
    if expr is not None:
        try:
            ids = archive.full_text_ids(db, expr)
        except archive.FullTextUnusable as exc:
            result = _scan(db, engine, wanted, limit)
            result.how = f"matcher scan (full-text index unusable: {exc})"
            return result
        result = SearchResult(how="full-text index + matcher")
        # Ids come newest first: the first ``limit`` hits are the newest.
        for article_id in ids:
            article = archive.get_article(db, article_id, with_attachments=True)
            if article is None or not wanted(article):
                continue
            for m in engine.match(article):
                result.hits.append((article, m))
                result.total += 1
            if len(result.hits) >= limit:
                break
        result.hits.sort(key=_newest_first, reverse=True)
        return result
    return _scan(db, engine, wanted, limit)


def _newest_first(hit: tuple[dict, Match]) -> tuple:
    article = hit[0]
    when = article_time(article)
    return (when.timestamp() if when else float("-inf"), article["id"])


def _scan(db, engine: Engine, wanted, limit: int) -> SearchResult:
    result = SearchResult()
    heap: list = []
    after = 0
    while True:
        rows = archive.articles_after(db, after, limit=SCAN_BATCH, with_attachments=True)
        if not rows:
            break
        after = rows[-1]["id"]
        for article in rows:
            if not wanted(article):
                continue
            for m in engine.match(article):
                result.total += 1
                entry = (_newest_first((article, m)), article, m)
                if len(heap) < limit:
                    heapq.heappush(heap, entry)
                elif entry[0] > heap[0][0]:
                    heapq.heapreplace(heap, entry)
    result.hits = [(a, m) for _, a, m in sorted(heap, key=lambda e: e[0], reverse=True)]
    return result
