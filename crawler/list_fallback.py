"""The fallback when a seed's list selectors break: infer the list, crawl it, say so.

A redesign shows itself as a list page that still answers but whose selectors find
nothing, or far fewer links than the source's normal. Then :class:`ListFallback` runs
:func:`crawler.list_inference.infer_list` on the page, and the spider crawls what it
finds. The run is ``degraded`` (``Tally.classify``), and the selectors the inference used
are kept in the run row (``runs.fallback``) so that the health check can tell the
operator, once, what to change in the seed. The inferred selectors found on the first
page are reused on the following pages of the run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

from parsel import Selector

from crawler import archive
from crawler.database import archive_exists
from crawler.list_inference import ListGuess, apply_list, infer_list

# A first page with fewer links than this share of the normal one is broken.
FEW_SHARE = 0.2
NORMAL_MIN = 5  # below this normal, "far fewer" cannot be told from a quiet day


def normal_items_per_page(db_path, source: str) -> float | None:
    """The source's normal list items per page, from its recent ``ok`` runs."""
    if not db_path:
        return None
    if not archive_exists(db_path):
        return None
    db = archive.connect(db_path)
    try:
        return archive.normal_items_per_page(db, source)
    finally:
        db.conn.close()


class ListFallback:
    """Decides per list page whether the seed's selectors broke, and infers the list."""

    def __init__(self, source, normal: float | None):
        self.source = source
        self.normal = normal
        self.guess: ListGuess | None = None  # the first inference of this run
        self.seed_items = 0  # what the seed's selectors found on the pages inferred
        self.pages = 0

    @property
    def active(self) -> bool:
        return self.guess is not None

    def broken(self, found: int, page: int) -> bool:
        if self.source.kind not in ("html", "json") or self.source.spider == "vid_probe":
            return False  # feeds, sitemaps and probes have no selectors to break
        if self.active:
            return found == 0 or found < FEW_SHARE * len(self.guess.items)
        if page > 1:
            return False  # a later page with nothing is the end of the list
        if found == 0:
            return True
        return bool(self.normal and self.normal >= NORMAL_MIN
                    and found < FEW_SHARE * self.normal)

    def infer(self, body: bytes | str, url: str, found: int):
        """(url, title, date) of the links inference finds, when more than ``found``."""
        rows = []
        if self.guess is not None and self.guess.kind == "html" and not self.guess.wrapper:
            text = body if isinstance(body, str) else body.decode("utf-8", "replace")
            try:
                rows = apply_list(Selector(text=text, base_url=url), self.guess.list, url)
            except ValueError:
                rows = []
        if not rows:
            guess = infer_list(body, url, min_items=1)
            if guess is None:
                return []
            rows = [(i.url, i.title, i.date) for i in guess.items]
            if self.guess is None:
                self.guess = guess
        if len(rows) <= found:
            return []
        self.pages += 1
        self.seed_items += found
        return rows

    def next_page_url(self, response, page: int) -> str | None:
        """The next list page by the inferred pagination, when the seed's gave none."""
        pagination = self.guess.pagination if self.guess else {}
        if pagination.get("url_template"):
            if pagination.get("max_pages") == 1:
                return None
            return pagination["url_template"].format(
                page=int(pagination.get("first_page", 1)) + page - 1)
        expr = pagination.get("next")
        if expr:
            found = (response.xpath(expr[len("xpath:"):]) if expr.startswith("xpath:")
                     else response.css(expr)).get()
            if found and found.strip() and not found.strip().startswith(("javascript:", "#")):
                return urljoin(response.url, found.strip())
        return None

    def record(self) -> dict | None:
        """What the run row keeps: the selectors inference used instead of the seed's."""
        if self.guess is None:
            return None
        seed = {k: v for k, v in self.source.list.items() if k in self.guess.list
                or k in ("items", "link", "title", "date", "link_pattern")}
        return {"kind": self.guess.kind, "list": dict(self.guess.list),
                "pagination": dict(self.guess.pagination), "wrapper": self.guess.wrapper,
                "seed_list": seed, "seed_items": self.seed_items, "pages": self.pages}

    def pattern(self) -> re.Pattern | None:
        expr = self.guess.list.get("link_pattern") if self.guess else None
        return re.compile(expr) if expr else None


def describe(fallback: dict) -> str:
    """One line for the operator: what the seed found and the lines to use instead."""
    def toml(table: dict) -> str:  # key = "value" as the seed file writes it
        return ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in table.items())

    lines, pages = toml(fallback.get("list", {})), toml(fallback.get("pagination", {}))
    text = (f"list selectors found {fallback.get('seed_items', 0)} items; inference read the "
            f"list instead. Seed [list]: {lines}")
    return text + (f"; [pagination]: {pages}" if pages else "")
