"""`newswatch sources add`: build a source seed from a list page's URL (or a saved page).

What the site offers comes first: a feed the page advertises, a news sitemap named in
robots.txt, a MIIT column shell's unit API, a Xinhua channel's data source. They are
taken when they cover the list the user gave (half of its links or more) or when no list
could be inferred; otherwise the page's list is inferred (``crawler.list_inference``).
Two or three articles are then followed to propose ``[article]`` selectors. The seed
is written as commented TOML, validated with the same loader the crawler uses.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from crawler.list_inference import InferredItem, ListGuess, infer_list
from crawler.list_shapes import host_family
from newswatch.sources.articles import Sample, proposed_selectors, sample_articles
from newswatch.sources.fetch import USER_AGENT, Fetcher, Page

_FEED_HREF = re.compile(r"(?:^|/)(?:rss|feed|atom)(?:[./?_-]|$)|\.(?:rss|xml)(?:$|\?)", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")


class AddError(ValueError):
    """The page could not be read, or no list, feed or sitemap was found on it."""


@dataclass
class Proposal:
    url: str
    name: str
    title: str
    language: str
    kind: str = "html"
    spider: str = ""
    list_table: dict = field(default_factory=dict)  # the seed's [list]
    pagination: dict = field(default_factory=dict)
    items: list[InferredItem] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    article: dict = field(default_factory=dict)  # key → (selector, named, sampled)
    notes: list[str] = field(default_factory=list)
    how: str = "inferred list"  # or "feed", "sitemap", ...
    headers: dict = field(default_factory=dict)

    def seed_text(self) -> str:
        return seed_text(self)


def looks_like_feed(body: bytes) -> bool:
    head = body.lstrip()[:600].lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head
                                          or b"<rdf" in head) or head.startswith((b"<rss",
                                                                                  b"<feed"))


def _feed_items(body: bytes, url: str) -> list[InferredItem]:
    from crawler.spiders.feed import feed_entries

    try:
        return [InferredItem(urljoin(url, e.url), e.title, e.date, "list")
                for e in feed_entries(body)]
    except (ValueError, SyntaxError):
        return []


def _sitemap_items(body: bytes) -> tuple[list[InferredItem], bool]:
    from crawler.spiders.sitemap import parse_sitemap

    try:
        entries, _ = parse_sitemap(body.lstrip())
    except (ValueError, SyntaxError):
        return [], False
    news = b"sitemap-news" in body[:2000] or b"<news:" in body
    return [InferredItem(e.url, e.title, e.date, "list") for e in entries], news


def default_name(url: str) -> str:
    """``https://www.ndrc.gov.cn/xwdt/xwfb/`` → ``ndrc-xwdt-xwfb``."""
    parts = urlsplit(url)
    labels = [h for h in (parts.hostname or "site").split(".") if h not in ("www", "wap", "m")]
    labels = labels[:-1] if len(labels) > 1 else labels  # the top-level domain
    if len(labels) > 1 and labels[-1] in ("com", "net", "org", "edu", "ac", "co", "gov"):
        labels = labels[:-1]  # gov.cn, com.cn: the site is the label before
    host = labels or ["site"]
    path = [p for p in re.split(r"[/_.]+", parts.path) if p and p.lower() not in (
        "index", "html", "htm", "shtml", "php", "list", "xml", "json", "jsp", "asp", "aspx")][:3]
    name = "-".join([host[0], *path]).lower()
    name = re.sub(r"[^a-z0-9_-]+", "-", name).strip("-_")
    return name[:60] or "source"


def _language(items: list[InferredItem]) -> str:
    text = "".join((i.title or "") for i in items)
    return "zh" if text and len(_CJK.findall(text)) >= 0.2 * len(text) else "en"


def _overlap(items: list[InferredItem], offered: list[InferredItem]) -> float:
    if not items:
        return 1.0
    from crawler.canonical import canonical_url

    have = {canonical_url(i.url) for i in offered}
    return sum(canonical_url(i.url) in have for i in items) / len(items)


def _shell_guess(page: Page, fetcher: Fetcher | None) -> tuple[ListGuess | None, str]:
    """A MIIT-style column shell (``parseType="buildstatic"``) or a Xinhua channel page
    (``data="datasource:<id>"``): the list lives behind the page. (guess, spider)."""
    if fetcher is None or page.body.lstrip()[:1] in (b"{", b"["):
        return None, ""
    from scrapy.http import HtmlResponse

    from crawler.spiders.miit import shell_query, unit_url
    from crawler.spiders.xinhua import datasource_ids

    response = HtmlResponse(url=page.url, body=page.body, encoding="utf-8")
    found = shell_query(response)
    if found:
        api, fields = found
        unit = fetcher.get(unit_url(api, fields, 1), headers={"Referer": page.url})
        guess = infer_list(unit.body, unit.url) if unit.ok else None
        return guess, "miit_columns"
    ids = datasource_ids(response)
    if ids:
        ds = fetcher.get(urljoin(page.url, f"ds_{ids[0]}.json"), headers={"Referer": page.url})
        guess = infer_list(ds.body, ds.url) if ds.ok else None
        return (guess, "xinhua_channels") if guess and guess.kind == "json" else (None, "")
    return None, ""


def _advertised_feeds(page: Page) -> list[str]:
    from parsel import Selector

    sel = Selector(text=page.body.decode("utf-8", "replace"), base_url=page.url, type="html")
    urls = sel.xpath("//link[contains(@rel,'alternate')][contains(@type,'rss') or "
                     "contains(@type,'atom')]/@href").getall()
    for a in sel.xpath("//a[@href]"):
        href = a.attrib.get("href", "")
        label = " ".join(a.xpath(".//text()").getall()).strip().lower()
        if _FEED_HREF.search(href) and ("rss" in label or "feed" in label or "订阅" in label
                                        or "rss" in href.lower()):
            urls.append(href)
    return list(dict.fromkeys(urljoin(page.url, u.strip()) for u in urls if u.strip()))[:3]


def _robots_sitemaps(url: str, fetcher: Fetcher) -> list[str]:
    parts = urlsplit(url)
    robots = fetcher.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
    if not robots.ok:
        return []
    text = robots.body.decode("utf-8", "replace")
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.lower().startswith("sitemap:")][:3]


def propose(page: Page, *, fetcher: Fetcher | None, name: str | None = None,
            language: str | None = None, samples: int = 3) -> Proposal:
    """What `sources add` would write for the list page ``page``."""
    prop = Proposal(page.url, name or default_name(page.url), "", language or "")
    guess: ListGuess | None = None
    sitemap, news = _sitemap_items(page.body) if b"<urlset" in page.body[:2000] or \
        b"<sitemapindex" in page.body[:2000] else ([], False)
    if looks_like_feed(page.body):
        prop.kind, prop.how = "feed", "the URL is a feed"
        prop.items = _feed_items(page.body, page.url)
    elif sitemap or b"<sitemapindex" in page.body[:2000]:
        prop.kind, prop.how = "sitemap", "the URL is a " + ("news " if news else "") + "sitemap"
        prop.items = sitemap or [InferredItem(page.url)]  # an index: its sitemaps follow
    else:
        guess, spider = _shell_guess(page, fetcher)
        if guess is not None:
            prop.spider, prop.how = spider, f"the list behind the page, read by spider {spider}"
        else:
            guess = infer_list(page.body, page.url, headers=page.headers, min_items=1)
        offered = _offered(page, fetcher, guess)
        if offered:
            prop.kind, prop.how, prop.items, start = offered
            prop.url = start
        elif guess is None:
            raise AddError(f"{page.url}: no article list, feed or news sitemap found on the "
                           f"page (is it a list page? is it rendered by script?)")
        else:
            prop.kind, prop.items = guess.kind, guess.items
            prop.list_table, prop.pagination = dict(guess.list), dict(guess.pagination)
            prop.notes.extend(guess.notes)
            if guess.wrapper and not prop.spider:
                prop.notes.append("the page is a JSON answer carrying HTML: a custom spider "
                                  "must unwrap it (see docs/crawling.md)")
    if not prop.items:
        raise AddError(f"{page.url}: the {prop.kind} holds no article links")
    prop.language = prop.language or _language(prop.items)
    prop.title = prop.title or _page_title(page) or prop.name
    if fetcher is not None and samples:
        prop.samples = sample_articles(fetcher, prop.items, limit=samples)
        prop.article = proposed_selectors(prop.samples)
    return prop


def _offered(page: Page, fetcher: Fetcher | None, guess: ListGuess | None):
    """A feed or news sitemap that covers the list (or stands in for a missing one)."""
    if fetcher is None:
        return None
    items = guess.items if guess else []
    for url in _advertised_feeds(page):
        feed = fetcher.get(url)
        found = _feed_items(feed.body, url) if feed.ok else []
        if found and (not items or _overlap(items, found) >= 0.5):
            return "feed", f"feed advertised by the page ({url})", found, url
    for url in _robots_sitemaps(page.url, fetcher):
        sm = fetcher.get(url)
        found, news = _sitemap_items(sm.body) if sm.ok else ([], False)
        if found and news and (not items or _overlap(items, found) >= 0.5):
            return "sitemap", f"news sitemap named in robots.txt ({url})", found, url
    return None


def _page_title(page: Page) -> str:
    from crawler.extraction.decoding import decode

    if not re.search(rb"<title", page.body[:20000], re.I):
        return ""
    text = decode(page.body, page.headers)[0]  # the page's charset, not a guess on a snippet
    m = re.search(r"<title[^>]*>(.*?)</title>", text[:40000], re.I | re.S)
    return " ".join(m.group(1).split())[:80] if m else ""


# --- the seed file ------------------------------------------------------------------


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and "'" not in value and "\n" not in value and "\\" in value:
        return f"'{value}'"  # a literal string keeps regular expressions readable
    import json

    return json.dumps(value, ensure_ascii=False)


_ID_TOKEN = re.compile(r"\\d\+|\\d\{\d+\}|\[0-9a-f\]\{\d+\}|\[0-9A-Za-z\]\{\d+\}|\[0-9A-Za-z\]\+")


def site_id_pattern(link_pattern: str, urls: list[str]) -> str:
    """The article id in a URL: the last path segment of the link pattern that has a
    variable part, from its first variable part to its last (``t(\\d{8}_\\d+)``: wide, so
    two articles never share it), when it differs on every article listed."""
    if not link_pattern:
        return ""
    segments = link_pattern.split("/")
    for at in range(len(segments) - 1, 0, -1):
        tokens = list(_ID_TOKEN.finditer(segments[at]))
        if not tokens:
            continue
        seg = segments[at]
        captured = (seg[:tokens[0].start()] + "(" + seg[tokens[0].start():tokens[-1].end()]
                    + ")" + seg[tokens[-1].end():])
        candidate = "/".join([captured, *segments[at + 1:]])
        try:
            got = [m.group(1) for m in (re.search(candidate, u) for u in urls) if m]
        except re.error:
            return ""
        ok = got and len(got) == len(urls) and len(set(got)) == len(got)
        return candidate if ok else ""
    return ""


def seed_text(p: Proposal) -> str:
    lines = [f"# {p.title}: written by `newswatch sources add` on {date.today().isoformat()}",
             f"# from {p.url} ({p.how}, {len(p.items)} links found).",
             "# Inferred, not checked by a person: the tables marked \"unverified\" are guesses",
             "# to confirm with `newswatch sources doctor " + p.name + "`.",
             f"name = {_toml(p.name)}", f"title = {_toml(p.title)}",
             f"site = {_toml(host_family(p.url))}", f"kind = {_toml(p.kind)}"]
    if p.spider:
        lines.append(f"spider = {_toml(p.spider)}")
    lines += [f"language = {_toml(p.language)}", f"start_urls = [{_toml(p.url)}]",
              "allowed_hosts = [" + ", ".join(_toml(h) for h in _hosts(p)) + "]",
              'schedule = { interval = "1h" }  # unverified: how often the list changes',
              "download_delay = 2.0"]
    pattern = p.list_table.get("link_pattern", "")
    id_pattern = site_id_pattern(pattern, [i.url for i in p.items])
    if id_pattern:
        lines.append(f"site_id_pattern = {_toml(id_pattern)}  # unverified: the article id")
    lines += ["", "[headers]", f"User-Agent = {_toml(USER_AGENT)}"]
    if p.list_table:
        lines += ["", f"# unverified: inferred from {len(p.items)} links on the start page",
                  "[list]"]
        lines += [f"{k} = {_toml(v)}" for k, v in p.list_table.items()]
        for note in p.notes:
            lines.append(f"# note: {note}")
    elif p.kind in ("feed", "sitemap"):
        lines += ["", "[list]"]
    if p.pagination:
        lines += ["", "# unverified: the next list page", "[pagination]"]
        lines += [f"{k} = {_toml(v)}" for k, v in p.pagination.items()]
        if "max_pages" not in p.pagination:
            lines.append("max_pages = 2")
    read = [s for s in p.samples if s.fields]
    if p.samples and not read:
        lines += ["", f"# [article]: none of the {len(p.samples)} sampled articles could be read "
                      f"({p.samples[0].error or 'no fields'}): extraction finds the fields alone"]
    if read:
        lines += ["", f"# from {len(read)} sampled articles; "
                      f"fields read from the page's meta tags need no selector", "[article]"]
        meta = sorted({k for s in p.samples for k, v in s.sources.items()
                       if v == "meta" and k != "site"})
        if meta:
            lines.append(f"# found in the meta tags: {', '.join(meta)}")
        for key, (selector, named, sampled) in p.article.items():
            mark = "" if named == sampled and sampled >= 2 else "  # unverified"
            lines.append(f"{key} = {_toml(selector)}  # named on {named} of {sampled} "
                         f"articles{mark.replace('  #', ',')}")
    return "\n".join(lines) + "\n"


def validate(text: str, name: str) -> None:
    """Load the seed text as the crawler would; raise AddError with its problems."""
    from crawler.seeds import SeedError, load_source

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_source(path)
        except SeedError as exc:
            raise AddError("the proposed seed does not validate: " + "; ".join(
                q.replace(str(path), f"{name}.toml") for q in exc.problems)) from None


def _hosts(p: Proposal) -> list[str]:
    """The start page's host and every host its article links are on."""
    hosts = [urlsplit(p.url).hostname or ""]
    for item in p.items:
        host = urlsplit(item.url).hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts
