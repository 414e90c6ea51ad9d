"""Candidate fields from the well-kept libraries: htmldate's date, trafilatura's metadata.

htmldate knows `<time>` elements, itemprop, the URL and the month names of many
languages; trafilatura's metadata finds byline elements (``class="author"``,
``rel="author"``, ...) and the site's name. Both read the tree the pipeline parsed once
(htmldate and trafilatura copy what they prune). Each is computed only when the chooser
reaches its layer, and any failure inside a library gives no candidate, never an error.
"""

from __future__ import annotations

import logging
from datetime import datetime

logging.getLogger("htmldate").setLevel(logging.CRITICAL)
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def htmldate_date(tree, url: str, now: datetime, *, extensive: bool = True) -> str | None:
    """htmldate's publication date (the original date, not after ``now``). Without
    ``extensive``, only what the markup and the URL say (``<time>``, itemprop, date
    classes, the URL's date), not its guesses from the text."""
    from htmldate import find_date

    try:
        return find_date(tree, url=url or None, extensive_search=extensive, original_date=True,
                         max_date=now.strftime("%Y-%m-%d"))
    except Exception:  # a library bug on one page must not sink the other fields
        return None


class TrafilaturaMeta:
    """trafilatura's reading of the page (site name, byline), each computed once on demand."""

    def __init__(self, tree):
        self._tree = tree
        self._doc = None
        self._author: str | None | bool = False

    @property
    def sitename(self) -> str | None:
        """The site's name as trafilatura reads it (OpenGraph, meta tags, JSON-LD publisher)."""
        if self._doc is None:
            from trafilatura.metadata import examine_meta, extract_meta_json
            from trafilatura.settings import Document

            try:
                self._doc = extract_meta_json(self._tree, examine_meta(self._tree))
            except Exception:
                self._doc = Document()
        return self._doc.sitename or None

    @property
    def byline(self) -> str | None:
        """The text of the page's byline element as written (classed ``author`` or
        ``byline``, ``rel="author"``, itemprop author...), by trafilatura's rules but
        without its normalisation (which re-cases and transliterates names)."""
        if self._author is False:
            from copy import deepcopy

            from trafilatura.htmlprocessing import prune_unwanted_nodes
            from trafilatura.metadata import extract_metainfo
            from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

            try:
                subtree = prune_unwanted_nodes(deepcopy(self._tree), AUTHOR_DISCARD_XPATHS)
                self._author = extract_metainfo(subtree, AUTHOR_XPATHS, len_limit=120) or None
            except Exception:
                self._author = None
        return self._author
