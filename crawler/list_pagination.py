"""Pagination of a list page: a next-page link, the TRS CMS pager script, a page number
in the query string, or the link labelled ``2``; as the seed's ``[pagination]`` table."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from parsel import Selector

if TYPE_CHECKING:
    from crawler.list_inference import Group

_NEXT = re.compile(r"^\s*(?:下一页|下页|后一页|下一頁|next(?:\s+page)?|older(?:\s+posts)?|"
                   r"more\s+news|›|»|>|>>)\s*[>»›]*\s*$", re.I)

_TRS_PAGER = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
                        r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def find_pagination(sel: Selector, text: str, url: str, base: str, g: Group | None = None
                    ) -> dict:
    """The ``[pagination]`` table for a list page: a next-page link, else a URL template."""
    block = {id(m[1]) for m in g.members} if g else set()
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if id(a) in block or not href or href.startswith(("javascript:", "#")):
            continue
        label = " ".join("".join(a.itertext()).split())
        rel = (a.get("rel") or "").lower()
        if "next" in rel.split():
            return {"next": "a[rel~=next]::attr(href)"}
        if label and _NEXT.match(label) and "'" not in label:
            return {"next": f"xpath://a[normalize-space(.)='{label}']/@href"}
    m = _TRS_PAGER.search(text)
    if m:  # the TRS CMS pager: index.html, then index_1.html, index_2.html, ...
        pages, name, ext = int(m.group(1)), m.group(3), m.group(4)
        out = {"url_template": urljoin(base, f"{name}_{{page}}.{ext}"), "first_page": 1}
        if pages == 1:
            out["max_pages"] = 1
        return out
    by_query = query_pagination(url)
    if by_query:
        return by_query
    for a in sel.root.iter("a"):
        label = " ".join("".join(a.itertext()).split())
        href = (a.get("href") or "").strip()
        if label == "2" and href and not href.startswith(("javascript:", "#")):
            target = urljoin(base, href)
            m2 = list(re.finditer(r"(\d{1,3})(?=\D*$)", target))
            if m2:
                n = m2[-1]
                template = target[:n.start()] + "{page}" + target[n.end():]
                return {"url_template": template, "first_page": int(n.group(1))}
    return {}


_PAGE_PARAM = re.compile(r"(?:^|&)((?:p|page|pn|pageno|page_no|pagenum|pageindex|curpage|"
                         r"currentpage|page_index)=)(\d{1,4})(?=&|$)", re.I)


def query_pagination(url: str) -> dict:
    """A page number in the query string (``p=1``, ``page=1``, ``pageNo=1``) as a template."""
    parts = urlsplit(url)
    m = _PAGE_PARAM.search(parts.query)
    if not m:
        return {}
    escaped = url.replace("{", "{{").replace("}", "}}")
    start = len(url) - len(parts.query) + m.start(2)
    if parts.fragment:
        start -= len(parts.fragment) + 1
    # The braces before the number were doubled: find the number's place in the escaped URL.
    offset = url[:start].count("{") + url[:start].count("}")
    at = start + offset
    template = escaped[:at] + "{page}" + escaped[at + len(m.group(2)):]
    return {"url_template": template, "first_page": int(m.group(2)) + 1}
