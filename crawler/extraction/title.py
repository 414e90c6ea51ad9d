"""The article's headline: meta, selector, or the page's ``<title>`` without the site name."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"\s+[-|–—_·:]\s+|\s*[|｜_–—]\s*|\s*--\s*|\s+-\s*|-{2,}")


def clean_title(title: str | None) -> str:
    return re.sub(r"\s+", " ", title or "").strip()


def strip_site_suffix(title: str, site_names: list[str] | None = None) -> str:
    """``Headline - Xinhua`` / ``标题_中国政府网`` to the headline: drop the short site segments."""
    title = clean_title(title)
    parts = [p for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    sites = [s.lower() for s in (site_names or []) if s]
    kept = [p for p in parts if p.strip().lower() not in sites]
    if not kept:
        return title
    # The headline is the longest segment; site and column names are short.
    longest = max(kept, key=len)
    if len(longest) < 0.4 * len(title) and not sites:
        return title
    return longest.strip()


def heading_matching(tree, page_title: str) -> str | None:
    """An ``h1``-``h3`` whose text is (part of) the ``<title>``: the cleanest headline."""
    page_title = clean_title(page_title)
    for tag in ("h1", "h2", "h3"):
        for el in tree.iter(tag):
            text = clean_title(el.text_content())
            if len(text) >= 4 and page_title and (text in page_title or page_title in text):
                return text
    return None


_TITLE_CLASS = ("//*[self::h1 or self::h2 or self::h3 or self::div or self::p or self::span or "
                "self::td or self::strong][contains(translate(@class, 'TITLE', 'title'), 'title') or "
                "contains(translate(@id, 'TITLE', 'title'), 'title')]")


def first_heading(tree, exclude: tuple[str, ...] = ()) -> str | None:
    """The first ``h1``, else the first element styled as a title (``class="title"``)."""
    skip = {e.lower() for e in exclude if e}
    for el in tree.iter("h1"):
        text = clean_title(el.text_content())
        if len(text) >= 4 and text.lower() not in skip:
            return text
    for el in tree.xpath(_TITLE_CLASS):
        if el.xpath("ancestor::a|descendant::li|ancestor::li|ancestor::head"):
            continue
        text = clean_title(el.text_content())
        if 6 <= len(text) <= 200 and text.lower() not in skip:
            return text
    return None
