"""What a crawl produces: article items, and the tally of one run that becomes its
``runs`` row and its progress lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """One fetched and extracted article, ready for the archive pipeline."""

    url: str  # as fetched (after redirects)
    canonical_url: str
    source: str
    site: str
    site_id: str | None = None
    title: str | None = None
    published: str | None = None  # UTC ISO 8601
    published_text: str | None = None
    date_source: str | None = None
    author: str | None = None
    editor: str | None = None
    original_source: str | None = None
    doc_number: str | None = None
    body: str | None = None
    lang: str | None = None
    attachments: list[str] = field(default_factory=list)
    encoding: str | None = None
    fetched: str | None = None
    field_sources: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # Downloaded attachments (crawler.attachments.fetching): stored in their own table.
    files: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Tally:
    """Counts and errors of one run; the spider, the pipeline and the extensions add to it."""

    pages: int = 0  # list pages fetched and parsed
    list_failed: int = 0  # list pages that could not be fetched
    blocked: int = 0  # answers that look like a block (403, 521, challenge page)
    items_found: int = 0
    items_new: int = 0
    items_known: int = 0
    items_failed: int = 0
    empty_pages: int = 0
    capped: bool = False  # stopped at NEWSWATCH_MAX_ARTICLES: the rest waits for the next run
    blocked_articles: int = 0  # article pages answered by a challenge or a block
    errors: list[dict[str, str]] = field(default_factory=list)
    outcome: str = "running"
    fallback: dict | None = None  # the inferred list used when the seed's selectors broke
    access: dict[str, Any] | None = None  # what stood in the way (crawler.access.Verdict)

    MAX_ERRORS = 200  # a broken site must not grow the runs row without bound

    def error(self, url: str, message: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append({"url": url, "error": message})

    # Which verdict a run reports when several met it: what blocks us first.
    _ACCESS_RANK = {"challenge": 0, "geo-blocked": 1, "forbidden": 2, "rate-limited": 3,
                    "network": 4, "redesigned": 5}

    def note_access(self, verdict) -> None:
        """Remember the most telling non-ok verdict of the run (for runs.access)."""
        if verdict.ok:
            return
        rank = self._ACCESS_RANK.get(verdict.state, 9)
        if self.access is None or rank < self._ACCESS_RANK.get(self.access["state"], 9):
            self.access = verdict.to_dict()

    def classify(self) -> str:
        """ok | degraded | empty | blocked | failed (see docs/crawling.md, "Outcomes")."""
        if self.pages == 0:
            return "blocked" if self.blocked else "failed"
        if self.items_found == 0:
            return "blocked" if self.blocked else "empty"
        if self.blocked_articles and self.items_new == 0 and \
                self.blocked_articles >= self.items_failed:
            return "blocked"  # the list came, every new article was a challenge
        return "degraded" if self.fallback else "ok"

    def counts(self) -> dict[str, int]:
        return {"pages": self.pages, "items_found": self.items_found,
                "items_new": self.items_new, "items_known": self.items_known,
                "items_failed": self.items_failed}
