"""The seed selectors of an inferred list: built from the group of items found, and
checked by reading the page with them exactly as the ``html`` spider does
(:func:`apply_list`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from parsel import Selector

if TYPE_CHECKING:
    from crawler.list_inference import Group

from crawler.list_text import date_in, joined_text, title_of, without_date

_GENERIC_CLASSES = {"cf", "clearfix", "clear", "fl", "fr", "left", "right", "active", "on",
                    "cur", "current", "first", "last", "odd", "even", "hide", "show", "row",
                    "col", "item-first", "item-last"}
_ID_NOISE = re.compile(r"\d{3,}|[0-9a-f]{8,}")


def simple_selector(el, *, with_class: bool = True) -> str:
    """``tag#id``, ``tag.class`` or ``tag`` for one element."""
    ident = el.get("id") or ""
    if ident and re.match(r"^[A-Za-z][\w-]*$", ident) and not _ID_NOISE.search(ident):
        return f"{el.tag}#{ident}"
    if with_class:
        for cls in (el.get("class") or "").split():
            if cls not in _GENERIC_CLASSES and re.match(r"^[A-Za-z_][\w-]*$", cls) and \
                    not _ID_NOISE.search(cls):
                return f"{el.tag}.{cls}"
    return el.tag


def _common_class(elements) -> str | None:
    sets = [set((e.get("class") or "").split()) for e in elements]
    common = set.intersection(*sets) if sets else set()
    for cls in sorted(common):
        if cls not in _GENERIC_CLASSES and re.match(r"^[A-Za-z_][\w-]*$", cls):
            return cls
    return None


def item_selectors(g: Group) -> list[str]:
    items = [m[0] for m in g.members]
    tag = g.item_tag
    cls = _common_class(items)
    item_parts = [tag] + ([f"{tag}.{cls}"] if cls else [])
    containers = g.containers
    out = []
    named, bare = [], []  # chains that name an id or class are kept first: they last
    c = containers[0]
    own = simple_selector(c)
    (bare if own == c.tag else named).append(own)
    anc, depth = c.getparent(), 0
    while anc is not None and isinstance(anc.tag, str) and anc.tag not in ("html",) and depth < 4:
        s = simple_selector(anc)
        if s != anc.tag:
            named.append(f"{s} {own}")
            named.append(f"{s} > {own}")
        anc, depth = anc.getparent(), depth + 1
    for chain in named + bare:
        for part in item_parts:
            out.append(f"{chain} > {part}")
    if cls:
        out.append(f"{tag}.{cls}")
    return out


def link_selectors(g: Group) -> list[str]:
    if not g.relpath:
        return ["::attr(href)"]
    anchors = [m[1] for m in g.members]
    out = ["a::attr(href)"]
    cls = _common_class(anchors)
    if cls:
        out.append(f"a.{cls}::attr(href)")
    if all((a.get("title") or "").strip() for a in anchors):
        out.append("a[title]::attr(href)")
    parent = anchors[0].getparent()
    if len(g.relpath) >= 2:
        out.append(f"{simple_selector(parent)} a::attr(href)")
        out.append(f"{parent.tag} > a::attr(href)")
        out.append(" > ".join(g.relpath[:-1]) + " > a::attr(href)")
    # The n-th link of its parent, when items hold a category link before the title.
    positions = {[c for c in a.getparent() if c.tag == "a"].index(a) + 1 for a in anchors}
    if len(positions) == 1:
        n = positions.pop()
        if n > 1:
            prefix = " > ".join(g.relpath[:-1])
            out.append((f"{prefix} > " if prefix else "") + f"a:nth-of-type({n})::attr(href)")
    return out


def title_selector(g: Group, link: str, pairs) -> str | None:
    """A selector that reads each item's link title, and only that link's; ``pairs`` are
    (item node as selected, the item's article link)."""
    if not pairs:
        return None
    nodes = [node for node, _ in pairs]
    anchors = [a for _, a in pairs]
    expected = [title_of(a) for a in anchors]
    parts = [link[:-len("::attr(href)")]] + [
        c[:-len("::attr(href)")] for c in link_selectors(g) if c != link]
    with_attr = sum(1 for a in anchors if (a.get("title") or "").strip())
    inner = []  # an element inside the link that holds the title alone
    for child in anchors[0].iter():
        if child is anchors[0] or not isinstance(child.tag, str):
            continue
        if joined_text(child) == expected[0] and simple_selector(child) != child.tag:
            inner.append(simple_selector(child))
    parts = [f"{parts[0]} {c}".strip() for c in inner] + parts
    for part in parts:
        own = "xpath:@title" if not part else f"{part}::attr(title)"
        texts = [f"{part}::text" if part else "xpath:text()"]
        if any(len(a) for a in anchors):
            texts.append(f"{part} ::text" if part else "xpath:.//text()")
        for expr in ([own] if with_attr >= 0.8 * len(anchors) else []) + texts:
            try:
                got = [_text(node, expr) for node in nodes]
            except Exception:
                continue
            hits = sum(1 for gt, want in zip(got, expected) if gt and
                       without_date(joined_text(gt)) == want)
            if hits >= 0.9 * len(expected):
                return expr
    return None


def date_selector(members, *, link_inside: bool = True) -> str | None:
    """The element beside each link that holds its date, as ``tag.class::text``;
    ``members`` are (item, link, URL) of the block; ``link_inside``: the item is not the
    link itself."""
    votes: dict[str, int] = {}
    for item, a, _ in members:
        found = None
        for el in item.iter():
            if not isinstance(el.tag, str) or el is a or el is item:
                continue
            if el in a.iterancestors():
                continue  # the link's own containers hold the title too
            own = " ".join("".join(el.itertext()).split())
            if own and len(own) <= 40 and date_in(own):
                found = el
                break
        if found is None:
            continue
        for s in dict.fromkeys((simple_selector(found), found.tag)):
            votes[s] = votes.get(s, 0) + 1
    if votes:
        best = max(votes.items(), key=lambda kv: (kv[1], kv[0] != kv[0].split(".")[0]))
        if best[1] >= 0.6 * len(members):
            return f"{best[0]}::text"
    # A date in the item's own text (``<li><a>..</a> 2026-11-26</li>``).
    dated = sum(1 for item, a, _ in members
                if date_in(" ".join(t for t in item.xpath("text()")) or ""))
    if link_inside and dated >= 0.6 * len(members):
        return "::text"
    # A date after the item, in an element of its own (``<dt><a/></dt><dd>2026-11-26</dd>``,
    # ``<a/><span>2026-11-26</span>`` in a flat list).
    tags: dict[str, int] = {}
    for item, _, _ in members:
        tag = date_after(item)
        if tag:
            tags[tag] = tags.get(tag, 0) + 1
    if tags:
        tag, n = max(tags.items(), key=lambda kv: kv[1])
        if n >= 0.6 * len(members):
            return f"xpath:following-sibling::{tag}[1]//text()"
    return None


def date_after(item) -> str | None:
    """The tag of the element right after ``item`` when it holds only a date."""
    nxt = item.getnext()
    if nxt is None or not isinstance(nxt.tag, str) or nxt.tag == item.tag:
        return None
    own = joined_text(nxt)
    return nxt.tag if own and len(own) <= 40 and date_in(own) else None


def select(node, expr: str):
    return node.xpath(expr[len("xpath:"):]) if expr.startswith("xpath:") else node.css(expr)


def apply_list(sel: Selector, spec: dict, base: str) -> list[tuple[str, str | None, str | None]]:
    """(url, title, date) of each item ``spec`` selects: what the ``html`` spider reads."""
    out = []
    pattern = re.compile(spec["link_pattern"]) if spec.get("link_pattern") else None
    nodes = select(sel, spec["items"]) if spec.get("items") else [sel]
    for node in nodes:
        hrefs = select(node, spec["link"]).getall()
        if not spec.get("items"):
            for h in hrefs:
                out.append((urljoin(base, h.strip()).split("#")[0], None, None))
            continue
        href = hrefs[0].strip() if hrefs else ""
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = _text(node, spec.get("title"))
        date = _text(node, spec.get("date"))
        out.append((urljoin(base, href).split("#")[0], title, date))
    if pattern is not None:
        out = [o for o in out if pattern.search(o[0])]
    return out


def _text(node, expr: str | None) -> str | None:
    if not expr:
        return None
    text = " ".join(t.strip() for t in select(node, expr).getall() if t.strip())
    return text or None
