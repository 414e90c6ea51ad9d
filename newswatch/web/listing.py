"""Pages of matches, newest first, for the Matches page, the feeds and the export.

A page is keyed on the last match id shown (``before``), never an OFFSET. Filters on the
article (source, language, date) are applied to each chunk of match rows read through
``alerts.matcher``, the articles read through ``crawler.archive``; a page reads at most
:data:`SCAN_LIMIT` match rows, so a filter that selects almost nothing still answers
quickly, with a link to continue further back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts import matcher, stories
from alerts.engine import article_time
from crawler import archive

CHUNK = 200
SCAN_LIMIT = 20_000


@dataclass
class Filters:
    topic: str | None = None
    source: str | None = None
    lang: str | None = None
    since: datetime | None = None  # article time, inclusive
    until: datetime | None = None  # exclusive

    def accepts(self, article: dict) -> bool:
        if self.source and article.get("source") != self.source:
            return False
        if self.lang and (article.get("lang") or "") != self.lang:
            return False
        if self.since or self.until:
            when = article_time(article)
            if when is None or (self.since and when < self.since) or \
                    (self.until and when >= self.until):
                return False
        return True


@dataclass
class Page:
    items: list = field(default_factory=list)  # dicts: match fields + "article", "outlets"
    next_before: int | None = None
    scanned: int = 0


def day_range(start: str | None, end: str | None, zone: ZoneInfo) -> tuple:
    """``YYYY-MM-DD`` days in the configured zone → aware bounds (end day included).
    A malformed day raises ValueError naming it."""
    def parse(value: str, what: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what}: expected a date such as 2026-12-01, got {value!r}") \
                from None
    since = datetime.combine(parse(start, "from"), time(), zone) if start else None
    until = (datetime.combine(parse(end, "to"), time(), zone) + timedelta(days=1)) \
        if end else None
    return since, until


def page_of_matches(db, filters: Filters, *, before: int | None = None, limit: int = 50,
                    scan_limit: int | None = SCAN_LIMIT, with_outlets: bool = True) -> Page:
    page = Page()
    cursor = before
    # Without an article filter every row is shown: read just a page; with one, read
    # more, and more again while the filter keeps dropping rows.
    chunk = limit + 1 if not (filters.source or filters.lang or filters.since or
                              filters.until) else CHUNK
    while True:
        size, chunk = chunk, min(chunk * 2, 2000)
        rows = matcher.matches_before(db, topic=filters.topic, before_id=cursor, limit=size)
        if not rows:
            page.next_before = None
            break
        arts = archive.articles_by_ids(db, [r["article_id"] for r in rows])
        for r in rows:
            cursor = r["id"]
            page.scanned += 1
            art = arts.get(r["article_id"])
            if art is None or not filters.accepts(art):
                continue
            page.items.append({**r, "article": art})
            if len(page.items) >= limit:
                break
        exhausted = len(rows) < size and cursor == rows[-1]["id"]
        if len(page.items) >= limit or (scan_limit and page.scanned >= scan_limit):
            page.next_before = None if exhausted else cursor
            break
        if len(rows) < size:
            page.next_before = None
            break
    if with_outlets:
        add_outlets(db, page.items)
    return page


def add_outlets(db, items: list[dict]) -> None:
    """Each item's "also published by": the story's other outlets (source and site)."""
    outlets = stories.outlets_of(db, [i.get("story_id") for i in items if i.get("story_id")])
    for item in items:
        others, seen = [], set()
        for m in outlets.get(item.get("story_id"), []):
            if m["article_id"] == item["article_id"]:
                continue
            label = m["site"] or m["source"]
            if label not in seen:
                seen.add(label)
                others.append({"article_id": m["article_id"], "label": label,
                               "source": m["source"]})
        item["outlets"] = others


def iter_matches(db, filters: Filters, *, limit: int | None = None):
    """Every match the filters accept, newest first (export)."""
    before, n = None, 0
    while True:
        page = page_of_matches(db, filters, before=before, limit=CHUNK, scan_limit=None)
        for item in page.items:
            yield item
            n += 1
            if limit is not None and n >= limit:
                return
        if page.next_before is None:
            return
        before = page.next_before
