"""Linked document files (PDF, Word, Excel, OFD, archives) as absolute URLs."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_DOC_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|ofd|zip|rar|7z|wps|et|pptx?|csv)(?:[?#]|$)", re.I)


_CHROME_BOX = re.compile(r"foot|bottom|copyright|header|topbar|\bnav|menu", re.I)


def _is_chrome_box(el) -> bool:
    """Site navigation, header and footer boxes: their documents belong to the site, not the article."""
    if el.tag in ("nav", "footer", "header"):
        return True
    return bool(_CHROME_BOX.search(f"{el.get('class') or ''} {el.get('id') or ''}"))


def base_url(tree, url: str) -> str:
    """The page URL, or its ``<base href>`` resolved against it."""
    for el in tree.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def find_attachments(tree, url: str) -> list[str]:
    """Absolute URLs of linked documents, in page order, outside navigation and footers."""
    base = base_url(tree, url)
    found: dict[str, None] = {}
    for a in tree.iter("a"):
        href = a.get("href")
        # A cheap test on the raw href first: most links are not documents.
        if not href or "." not in href[-12:] and "?" not in href:
            continue
        href = href.strip()
        if not _DOC_EXT.search(href) or href.startswith(("javascript:", "mailto:")):
            continue
        if not _DOC_EXT.search(urlsplit(href).path):
            continue
        if any(_is_chrome_box(anc) for anc in a.iterancestors()):
            continue
        found[urljoin(base, href)] = None
    return list(found)
