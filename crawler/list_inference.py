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

from crawler.extraction.dates import find_dates
from crawler.extraction.published import url_date
from crawler.list_shapes import host_family, link_pattern, same_family, url_shape

MAX_UP = 5  # how many ancestors of a link may be its list item
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_MONTH_DAY = re.compile(r"(?<![\d/.-])[\[(（【]?(?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01])"
                        r"[\])）】]?(?![\d/.%-])")
_YEAR_MONTH = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.年](?:0?[1-9]|1[0-2])月?(?![\d])")
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
_NEXT = re.compile(r"^\s*(?:下一页|下页|后一页|下一頁|next(?:\s+page)?|older(?:\s+posts)?|"
                   r"more\s+news|›|»|>|>>)\s*[>»›]*\s*$", re.I)
_PAGER_TEXT = re.compile(r"^\s*(?:\d{1,3}|首页|尾页|末页|上一页|上页|下一页|下页|prev(?:ious)?|"
                         r"next|first|last|more|更多|more\s*>+|更多\s*>+|[<>«»›‹]+)\s*$", re.I)
_GENERIC_CLASSES = {"cf", "clearfix", "clear", "fl", "fr", "left", "right", "active", "on",
                    "cur", "current", "first", "last", "odd", "even", "hide", "show", "row",
                    "col", "item-first", "item-last"}
_ID_NOISE = re.compile(r"\d{3,}|[0-9a-f]{8,}")


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
class _Group:
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


def _groups(anchors, least: int = 2) -> list[_Group]:
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
                g = by_key[key] = _Group(container, item.tag, path, containers=[container],
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
            whole = _Group(parts[0].container, parts[0].item_tag, parts[0].relpath,
                           containers=[p.container for p in parts], level=parts[0].level)
            for p in parts:
                whole.members.extend(p.members)
            groups.append(whole)
    return groups


def _link_value(a, url: str) -> float:
    return news_length(title_of(a)) + (0.5 if _article_like(url) else 0.0)


def _classes(el) -> tuple[str, ...]:
    return tuple(sorted((el.get("class") or "").split()))


def title_of(a) -> str:
    """A link's title: its ``title`` attribute when the text is cut short or missing."""
    text = without_date(joined_text(a))
    attr = " ".join((a.get("title") or "").split())
    if attr and (len(attr) >= len(text) or text.endswith(("...", "…", "..")) or not text):
        return attr
    return text


_CJK_EDGE = re.compile(r"[\u3400-\u9fff，。：；、《》“”（）]")


def joined_text(el_or_text) -> str:
    """An element's text pieces, one space between them, none between Chinese ones."""
    pieces = [el_or_text] if isinstance(el_or_text, str) else el_or_text.itertext()
    out = ""
    for piece in pieces:
        piece = " ".join((piece or "").split())
        if not piece:
            continue
        if out and not (_CJK_EDGE.match(out[-1]) and _CJK_EDGE.match(piece[0])):
            out += " "
        out += piece
    return out


def without_date(text: str) -> str:
    """A link text without the date some lists print at its start or end, set apart by a
    space or brackets (``标题 2026-11-20``, ``[11-20] 标题``); a date that is part of the
    title (``2020年7月30日服务器维护``) stays."""
    if len(text) <= 12:
        return text
    found = find_dates(text)
    candidates = [f.text for f in found] + [m.group(0) for m in _MONTH_DAY.finditer(text)
                                           if m.group(0)[:1] in "[(（【"]
    for date in candidates:
        at = text.find(date)
        before, after = text[:at], text[at + len(date):]
        apart = (not before.strip() and (after[:1] in " ]）】)|" or date[:1] in "[(（【")) or \
                (not after.strip(" ]）】)") and (before[-1:] in " [（【(|" or date[:1] in "[(（【"))
        if at >= 0 and apart:
            rest = (before + after).strip(" []()（）【】|-·\u3000")
            if len(rest) >= 4:
                return " ".join(rest.split())
    return text


def news_length(title: str) -> float:
    """1 for a title of news length, less for a short label or a long paragraph."""
    cjk = len(_CJK.findall(title))
    words = len(_WORD.findall(title))
    if len(title) > 200:
        return 0.3
    if cjk:
        size = cjk + max(0, words - 1) * 0.5
        return 1.0 if size >= 8 else 0.7 if size >= 6 else 0.25 if size >= 4 else 0.0
    return 1.0 if words >= 4 else 0.5 if words == 3 else 0.1 if words == 2 else 0.0


def date_in(text: str) -> str | None:
    """The date written in a list item's text (full, year-month, or ``[MM-DD]``)."""
    found = find_dates(text)
    if found:
        return found[0].text
    for pattern in (_YEAR_MONTH, _MONTH_DAY):
        m = pattern.search(text)
        if m:
            return m.group(0).strip("[]()（）【】")
    return None


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


def _score(g: _Group, page_url: str, family: str, least: int = 2) -> float:
    urls, seen = [], set()
    titles, dated, article_like, pager, local = [], 0, 0, 0, 0
    distinct = set()
    page = page_url.split("#")[0].rstrip("/")
    for item, a, absolute in g.members:
        if absolute in seen or absolute.rstrip("/") == page:
            continue
        seen.add(absolute)
        urls.append(absolute)
        title = title_of(a)
        distinct.add(title)
        titles.append(news_length(title))
        if _PAGER_TEXT.match(title or ""):
            pager += 1
        item_text = " ".join("".join(item.itertext()).split())
        ud = url_date(absolute)
        if date_in(item_text) or (ud and ud.precision in ("day", "month")):
            dated += 1
        if _article_like(absolute):
            article_like += 1
        if same_family(absolute, family):
            local += 1
    n = len(urls)
    if n < least:
        return 0.0
    if n == 1 and not (dated and article_like and titles[0] == 1.0 and local):
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
    score = (n * (0.15 + 0.85 * title_q) * (0.45 + 0.55 * dated / n)
             * (0.3 + 0.7 * shape_share) * (0.3 + 0.7 * article_like / n)
             * (0.2 + 0.8 * local / n) * (1 - 0.8 * pager / n)
             * (0.2 + 0.8 * len(distinct) / n))  # a list's titles differ; icons' do not
    if n == 1:
        score *= 0.9 ** g.level  # the lone link's own item, not the whole column
    return score * _chrome_penalty(g.container)


_ARTICLE_END = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cms)$|/c\.html?$", re.I)


def _article_like(url: str) -> bool:
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


# --- selectors ----------------------------------------------------------------------


def _simple(el, *, with_class: bool = True) -> str:
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


def _item_selectors(g: _Group) -> list[str]:
    items = [m[0] for m in g.members]
    tag = g.item_tag
    cls = _common_class(items)
    item_parts = [tag] + ([f"{tag}.{cls}"] if cls else [])
    containers = g.containers
    out = []
    named, bare = [], []  # chains that name an id or class are kept first: they last
    c = containers[0]
    own = _simple(c)
    (bare if own == c.tag else named).append(own)
    anc, depth = c.getparent(), 0
    while anc is not None and isinstance(anc.tag, str) and anc.tag not in ("html",) and depth < 4:
        s = _simple(anc)
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


def _link_selectors(g: _Group) -> list[str]:
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
        out.append(f"{_simple(parent)} a::attr(href)")
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


def _title_selector(g: _Group, link: str, nodes) -> str | None:
    """A selector that reads each item's link title, and only that link's."""
    anchors = [m[1] for m in g.members]
    expected = [title_of(a) for a in anchors]
    parts = [link[:-len("::attr(href)")]] + [
        c[:-len("::attr(href)")] for c in _link_selectors(g) if c != link]
    with_attr = sum(1 for a in anchors if (a.get("title") or "").strip())
    inner = []  # an element inside the link that holds the title alone
    for child in anchors[0].iter():
        if child is anchors[0] or not isinstance(child.tag, str):
            continue
        if joined_text(child) == expected[0] and _simple(child) != child.tag:
            inner.append(_simple(child))
    parts = [f"{parts[0]} {c}".strip() for c in inner] + parts
    for part in parts:
        own = f"xpath:@title" if not part else f"{part}::attr(title)"
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


def _date_selector(g: _Group) -> str | None:
    """The element beside each link that holds its date, as ``tag.class::text``."""
    votes: dict[str, int] = {}
    for item, a, _ in g.members:
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
        for s in dict.fromkeys((_simple(found), found.tag)):
            votes[s] = votes.get(s, 0) + 1
    if votes:
        best = max(votes.items(), key=lambda kv: (kv[1], kv[0] != kv[0].split(".")[0]))
        if best[1] >= 0.6 * len(g.members):
            return f"{best[0]}::text"
    # A date in the item's own text (``<li><a>..</a> 2026-11-26</li>``).
    dated = sum(1 for item, a, _ in g.members
                if date_in(" ".join(t for t in item.xpath("text()")) or ""))
    if g.relpath and dated >= 0.6 * len(g.members):
        return "::text"
    return None


def _select(node, expr: str):
    return node.xpath(expr[len("xpath:"):]) if expr.startswith("xpath:") else node.css(expr)


def apply_list(sel: Selector, spec: dict, base: str) -> list[tuple[str, str | None, str | None]]:
    """(url, title, date) of each item ``spec`` selects: what the ``html`` spider reads."""
    out = []
    pattern = re.compile(spec["link_pattern"]) if spec.get("link_pattern") else None
    nodes = _select(sel, spec["items"]) if spec.get("items") else [sel]
    for node in nodes:
        hrefs = _select(node, spec["link"]).getall()
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
    text = " ".join(t.strip() for t in _select(node, expr).getall() if t.strip())
    return text or None


def _build(sel: Selector, g: _Group, page_url: str, base: str, score: float,
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
    kept = [u for u in urls if _article_like(u)]
    if len(kept) < 0.6 * len(urls) and len(main) >= len(kept):
        kept = main
    pattern = link_pattern(kept)
    wanted = set(u for u in urls if re.search(pattern, u)) if pattern else set(urls)
    if len(wanted) < least:
        return None
    best = None
    for items in _item_selectors(g):
        for link in _link_selectors(g):
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
    nodes = [n for n in _select(sel, spec["items"])
             if any(n.root is m[0] for m in g.members)]
    title = _title_selector(g, spec["link"], nodes)
    if title:
        spec["title"] = title
    date = _date_selector(g)
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


# --- pagination ---------------------------------------------------------------------

_TRS_PAGER = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
                        r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def find_pagination(sel: Selector, text: str, url: str, base: str, g: _Group | None = None
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
