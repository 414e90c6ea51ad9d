"""List inference: find the article list on a list page, without selectors.

:func:`infer_list` takes a list page (HTML, HTML wrapped in JSON such as MIIT's unit API,
or a JSON list) and its URL, and returns a :class:`ListGuess`: the items (URL, title,
date) and the seed tables that read them (``[list]`` items, link, title, date,
link_pattern; ``[pagination]``). It never fetches anything.

How a block is found: every link is grouped with the links that sit at the same place in
sibling elements (same container, same item tag, same path from item to link). Each group
is scored on how many items it has, whether their titles are news-length, whether a date
sits beside them or in their URL, whether their URLs share one shape and look like
articles, and whether it sits in navigation, a header, a footer or a pager. The best
group's selectors are then built and checked by running them through the same selector
engine the ``html`` spider uses: the selectors must find exactly the group's links.
See ``docs/crawling.md``, "List inference".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.extraction.published import url_date
from crawler.list_pagination import find_pagination
from crawler.list_selectors import (apply_list, date_after, date_selector, item_selectors,
                                    link_selectors, select, title_selector)
from crawler.list_shapes import host_family, link_pattern, same_family, url_shape
from crawler.list_text import date_in, joined_text, news_length, title_of, without_date

__all__ = ["InferredItem", "ListGuess", "apply_list", "date_in", "infer_html", "infer_list",
           "news_length", "title_of"]

MAX_UP = 5  # how many ancestors of a link may be its list item
SAMPLE = 120  # links per candidate block whose titles, dates and shapes are looked at
# Names of the page parts that are not the list: navigation, header, footer, pager, ...
# (a word of a class or id: "main-nav", "foot_links"; pinyin too: daohang, fenye, banquan).
_CHROME_WORDS = {"nav", "navbar", "navi", "menu", "header", "footer", "foot", "head", "top",
                 "topbar", "bottom", "crumb", "crumbs", "breadcrumb", "breadcrumbs",
                 "position", "location", "pager", "pagination", "paging", "pagelist",
                 "copyright", "friend", "friendlink", "links", "share", "toolbar", "login",
                 "search", "tab", "tabs", "daohang", "dh", "fenye", "banquan", "dibu",
                 "yqlj", "weizhi", "dqwz", "footers", "headers"}
# Whole names only: "page" is a pager, "page-content" is MIIT's list.
_CHROME_NAMES = {"page", "pages", "pg", "turn", "turnpage", "link", "bq"}
_SIDE_WORDS = {"side", "sidebar", "aside", "rank", "ranking", "hot", "hots", "recommend",
               "related", "tuijian", "remen", "paihang"}
_CHROME_TAGS = {"nav", "header", "footer"}
_PAGER_TEXT = re.compile(r"^\s*(?:\d{1,3}|首页|尾页|末页|上一页|上页|下一页|下页|prev(?:ious)?|"
                         r"next|first|last|more|更多|more\s*>+|更多\s*>+|[<>«»›‹]+)\s*$", re.I)




@dataclass
class InferredItem:
    """One article link the inferred list found."""

    url: str
    title: str | None = None
    date: str | None = None  # as written beside the link, else the URL's date
    date_from: str | None = None  # "list" or "url"

    def to_json(self) -> dict:
        return {"url": self.url, "title": self.title, "date": self.date}


@dataclass
class ListGuess:
    """What :func:`infer_list` found: items, and the seed tables that would find them."""

    kind: str  # "html" or "json"
    items: list[InferredItem]
    list: dict[str, str]  # the seed's [list] table
    pagination: dict = field(default_factory=dict)  # the seed's [pagination] table
    score: float = 0.0
    wrapper: str | None = None  # JSON path of the HTML inside a JSON answer ("data.html")
    notes: list[str] = field(default_factory=list)  # what was guessed, for seed comments

    def to_json(self) -> dict:
        out = asdict(self)
        out["items"] = [i.to_json() for i in self.items]
        return out


def infer_list(body: bytes | str, url: str, *, headers=None, min_items: int = 2
               ) -> ListGuess | None:
    """The article list of one list page, or None when none is recognisable.

    ``body`` is the page as fetched (bytes are decoded as extraction decodes them);
    JSON answers are read as a JSON list, or as the HTML they carry.
    """
    text = body if isinstance(body, str) else _decode(body, headers)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "[") or (stripped[:40].count("(") and stripped.rstrip(
            "; \r\n").endswith(")") and "<html" not in stripped[:500].lower()):
        from crawler.list_inference_json import infer_json

        guess = infer_json(text, url, min_items=min_items)
        if guess is not None or stripped[:1] in ("{", "["):
            return guess
    return infer_html(text, url, min_items=min_items)


def _decode(raw: bytes, headers) -> str:
    from crawler.extraction.decoding import decode

    return decode(raw, headers)[0]


# --- HTML ---------------------------------------------------------------------------


@dataclass
class Group:
    container: object
    item_tag: str
    relpath: tuple[str, ...]
    members: list = field(default_factory=list)  # (item element, anchor element, url)
    containers: list = field(default_factory=list)
    level: int = 0  # how far above the link its item is


def infer_html(text: str, url: str, *, min_items: int = 2) -> ListGuess | None:
    sel = Selector(text=text or "<html></html>", base_url=url)
    root = sel.root
    base = _base_url(sel, url)
    anchors = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        anchors.append((a, absolute.split("#", 1)[0]))
    family = host_family(url)
    # A list of one (a quiet column's first page) is taken only when nothing repeats.
    for least in sorted({max(min_items, 2), min_items}, reverse=True):
        scored = []
        for g in _groups(anchors, least):
            s = _score(g, url, family, least)
            if s > 0:
                scored.append((s, g))
        scored.sort(key=lambda x: -x[0])
        for s, g in scored[:8]:
            guess = _build(sel, g, url, base, s, least)
            if guess is not None and len(guess.items) >= least:
                guess.pagination = find_pagination(sel, text, url, base, g)
                return guess
    return None


def _base_url(sel: Selector, url: str) -> str:
    href = sel.xpath("//base/@href").get()
    return urljoin(url, href.strip()) if href and href.strip() else url


def _groups(anchors, least: int = 2) -> list[Group]:
    by_key: dict = {}
    for a, absolute in anchors:
        item, path = a, ()
        for level in range(MAX_UP + 1):
            container = item.getparent()
            if container is None or not isinstance(container.tag, str):
                break
            key = (id(container), item.tag, path)
            g = by_key.get(key)
            if g is None:
                g = by_key[key] = Group(container, item.tag, path, containers=[container],
                                         level=level)
            if not g.members or g.members[-1][0] is not item:
                g.members.append((item, a, absolute))
            elif _link_value(a, absolute) > _link_value(g.members[-1][1], g.members[-1][2]):
                # An item's article link, not its category tag or "more" link.
                g.members[-1] = (item, a, absolute)
            if container.tag in ("body", "html"):
                break
            path = (item.tag, *path)
            item = container
    groups = [g for g in by_key.values() if len(g.members) >= least]
    # Lists cut into several sibling <ul>s (every five items, say) are one list.
    merged: dict = {}
    for g in groups:
        parent = g.container.getparent()
        if parent is None:
            continue
        key = (id(parent), g.container.tag, _classes(g.container), g.item_tag, g.relpath)
        merged.setdefault(key, []).append(g)
    for parts in merged.values():
        if len(parts) > 1:
            whole = Group(parts[0].container, parts[0].item_tag, parts[0].relpath,
                           containers=[p.container for p in parts], level=parts[0].level)
            for p in parts:
                whole.members.extend(p.members)
            groups.append(whole)
    return groups


def _link_value(a, url: str) -> float:
    return news_length(title_of(a)) + (0.5 if article_like(url) else 0.0)


def _classes(el) -> tuple[str, ...]:
    return tuple(sorted((el.get("class") or "").split()))


def _chrome_penalty(el) -> float:
    penalty, depth = 1.0, 0
    while el is not None and isinstance(el.tag, str) and depth < 12:
        names = f"{el.get('id') or ''} {el.get('class') or ''}".lower().split()
        words = {w for n in names for w in re.split(r"[-_\d]+", n) if w}
        if el.tag in _CHROME_TAGS or words & _CHROME_WORDS or set(names) & _CHROME_NAMES:
            penalty = min(penalty, 0.25)
        elif words & _SIDE_WORDS:
            penalty = min(penalty, 0.7)
        el, depth = el.getparent(), depth + 1
    return penalty


def sample(seq: list, k: int = SAMPLE) -> list:
    """At most ``k`` elements of ``seq``, evenly spread: a 5,000-link page costs as a 120."""
    if len(seq) <= k:
        return list(seq)
    step = len(seq) / k
    return [seq[int(i * step)] for i in range(k)]


def _score(g: Group, page_url: str, family: str, least: int = 2) -> float:
    firsts, seen = [], set()
    page = page_url.split("#")[0].rstrip("/")
    for member in g.members:
        absolute = member[2]
        if absolute in seen or absolute.rstrip("/") == page:
            continue
        seen.add(absolute)
        firsts.append(member)
    total = len(firsts)
    if total < least:
        return 0.0
    urls = []
    titles, dated, like, pager, local = [], 0, 0, 0, 0
    distinct = set()
    for item, a, absolute in sample(firsts):
        urls.append(absolute)
        title = title_of(a)
        distinct.add(title)
        titles.append(news_length(title))
        if _PAGER_TEXT.match(title or ""):
            pager += 1
        item_text = " ".join("".join(item.itertext()).split())
        ud = url_date(absolute)
        if date_in(item_text) or (ud and ud.precision in ("day", "month")) or \
                date_after(item):
            dated += 1
        if article_like(absolute):
            like += 1
        if same_family(absolute, family):
            local += 1
    n = len(urls)
    if n < least:
        return 0.0
    if n == 1 and not (dated and like and titles[0] == 1.0 and local):
        return 0.0  # a lone link must look like an article in every way
    if n == 1 and not date_in(" ".join("".join(g.members[0][0].itertext()).split())):
        return 0.0
    shapes: dict[str, int] = {}
    for u in urls:
        shapes[url_shape(u)] = shapes.get(url_shape(u), 0) + 1
    shape_share = max(shapes.values()) / n
    title_q = sum(titles) / n
    if title_q < 0.3:
        return 0.0
    score = (total * (0.15 + 0.85 * title_q) * (0.45 + 0.55 * dated / n)
             * (0.3 + 0.7 * shape_share) * (0.3 + 0.7 * like / n)
             * (0.2 + 0.8 * local / n) * (1 - 0.8 * pager / n)
             * (0.2 + 0.8 * len(distinct) / n))  # a list's titles differ; icons' do not
    if n == 1:
        score *= 0.9 ** g.level  # the lone link's own item, not the whole column
    return score * _chrome_penalty(g.container)


_ARTICLE_END = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cms)$|/c\.html?$", re.I)


def article_like(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if re.match(r"^(index|default|list|more)(_\d+)?\.\w+$", last, re.I):
        return False
    if re.search(r"\d{4,}|[0-9a-f]{12,}", path + parts.query):
        return True
    if parts.query and re.search(r"(?:^|&)(?:id|aid|vid|docid|articleid|newsid)=\w+",
                                 parts.query, re.I):
        return True
    segments = [s for s in path.split("/") if s]
    return (len(segments) >= 2 and bool(_ARTICLE_END.search(path))) or (
        len(segments) >= 2 and last.count("-") >= 2)




def _build(sel: Selector, g: Group, page_url: str, base: str, score: float,
           least: int = 2) -> ListGuess | None:
    page = page_url.split("#")[0].rstrip("/")
    urls = []
    for _, _, u in g.members:
        if u not in urls and u.rstrip("/") != page:
            urls.append(u)
    shapes: dict[str, list[str]] = {}
    for u in urls:
        shapes.setdefault(url_shape(u), []).append(u)
    main = max(shapes.values(), key=len)
    # Article-like links make the pattern; section and index links are left out.
    kept = [u for u in urls if article_like(u)]
    if len(kept) < 0.6 * len(urls) and len(main) >= len(kept):
        kept = main
    pattern = link_pattern(kept)
    wanted = set(u for u in urls if re.search(pattern, u)) if pattern else set(urls)
    if len(wanted) < least:
        return None
    best = None
    for items in item_selectors(g):
        for link in link_selectors(g):
            spec = {"items": items, "link": link, "link_pattern": pattern}
            try:
                found = apply_list(sel, spec, base)
            except Exception:  # an odd selector of ours: try the next one
                continue
            got = {f[0] for f in found}
            hit = len(got & wanted)
            extra = len(got - wanted)
            quality = hit - 2 * extra
            if best is None or quality > best[0]:
                best = (quality, spec, found)
            if hit == len(wanted) and not extra:
                break
        if best and best[0] == len(wanted):
            break
    if best is None or best[0] <= 0:
        return None
    spec = best[1]
    by_item = {id(m[0]): m[1] for m in g.members}
    pairs = sample([(n, by_item[id(n.root)]) for n in select(sel, spec["items"])
                    if id(n.root) in by_item])
    title = title_selector(g, spec["link"], pairs)
    if title:
        spec["title"] = title
    date = date_selector(sample(g.members), link_inside=bool(g.relpath))
    if date:
        spec["date"] = date
    spec = {k: spec[k] for k in ("items", "link", "title", "date", "link_pattern") if spec.get(k)}
    found = apply_list(sel, spec, base)
    items, seen = [], set()
    for u, title, date in found:
        if u in seen:
            continue
        seen.add(u)
        item = InferredItem(u, without_date(joined_text(title)) if title else None, None, None)
        if date and date_in(date):
            item.date, item.date_from = date_in(date), "list"
        else:
            ud = url_date(u)
            if ud and ud.precision == "day":
                item.date, item.date_from = ud.value.isoformat(), "url"
        items.append(item)
    notes = []
    if not spec.get("date"):
        notes.append("no date beside the links: dates come from the article pages"
                     + (" and URLs" if any(i.date_from == "url" for i in items) else ""))
    return ListGuess("html", items, spec, score=round(score, 2), notes=notes)
