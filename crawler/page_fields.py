"""Per-source fields read straight off an article page with the seed's selectors.

Extraction (``crawler.extraction``) fills the article's fields, including the seed's
``[article]`` ``doc_number`` and ``editor`` selectors; these are the two that are not
article fields: ``site_id`` (e.g. gov.cn's ``manuscriptId`` meta) and the
``[article.extra]`` table (e.g. a policy table's issuing body), stored in ``extra``.
"""

from __future__ import annotations

import re

from scrapy.http import Response, TextResponse

PAGE_KEYS = ("site_id", "extra")  # not for extraction: handled here only
_SPACE = re.compile(r"\s+")
_LABEL = re.compile(r"^[^:：]{1,8}[:：]\s*")


def _text(node) -> str:
    if isinstance(node.root, str):
        return node.root
    return " ".join(node.xpath(".//text()").getall())


def select_value(response: Response, expr: str) -> str | None:
    """The text a CSS (or ``xpath:``) selector picks, whitespace collapsed, label dropped."""
    if not isinstance(response, TextResponse):
        return None
    nodes = response.xpath(expr[6:]) if expr.startswith("xpath:") else response.css(expr)
    text = _SPACE.sub(" ", " ".join(_text(n) for n in nodes)).strip()
    if _LABEL.match(text) and len(text) > 12:
        text = _LABEL.sub("", text)  # "发文字号：工信部…" → "工信部…"
    return text or None


def page_fields(response: Response, article: dict) -> dict:
    """``{"site_id": ..., "extra": {...}}`` as found."""
    found: dict = {}
    if isinstance(article.get("site_id"), str):
        value = select_value(response, article["site_id"])
        if value:
            found["site_id"] = value
    extra = {name: value for name, expr in (article.get("extra") or {}).items()
             if (value := select_value(response, expr))}
    if extra:
        found["extra"] = extra
    return found


def extraction_selectors(article: dict) -> dict:
    """The ``[article]`` selectors extraction reads (the page-only keys left out)."""
    return {k: v for k, v in article.items() if k not in PAGE_KEYS}
