"""Page metadata: Chinese government CMS meta tags, OpenGraph/article meta, JSON-LD.

Everything is read once into a ``PageMeta``; the pipeline then picks fields from it in
order of trust. Meta names are compared case-insensitively (``ContentSource`` and
``contentSource`` both occur).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# Publication-date meta names, most trusted first; modification dates are never read.
DATE_NAMES = (
    "pubdate", "firstpublishedtime", "publishdate", "publishtime", "publish_time",
    "article:published_time", "og:article:published_time", "og:published_time",
    "og:release_date", "datepublished", "article.published", "publication_date",
    "publish-date", "published-date", "dc.date.issued", "dcterms.issued", "dc.date",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "date",
    "release_date", "pdate", "weibo:article:create_at",
)
TITLE_NAMES = ("articletitle", "og:title", "twitter:title", "title", "headline")
AUTHOR_NAMES = ("author", "article:author", "dc.creator", "byl", "sailthru.author",
                "parsely-author")
SOURCE_NAMES = ("contentsource", "source", "og:article:source", "origin")
SITE_NAMES = ("og:site_name", "sitename", "application-name", "twitter:site")
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting",
                 "analysisnewsarticle", "report", "webpage", "scholarlyarticle",
                 "liveblogposting", "backgroundnewsarticle", "opinionnewsarticle"}


@dataclass
class PageMeta:
    """What the page says about itself in ``<meta>`` tags and JSON-LD."""

    meta: dict[str, str] = field(default_factory=dict)
    ld: dict[str, str] = field(default_factory=dict)
    html_lang: str | None = None

    def first(self, names) -> tuple[str, str] | None:
        """The first non-empty ``(name, value)`` among ``names``."""
        for name in names:
            value = self.meta.get(name)
            if value:
                return name, value
        return None


def _text_of(value, nodes: dict | None = None, people_only: bool = False,
             no_people: bool = False) -> str:
    """JSON-LD author/publisher values are strings, objects or lists of either; an object
    may be only an ``@id`` reference to a node of the ``@graph`` (Yoast's ``Person``).
    With ``people_only``, organisations are skipped (an author is a person); with
    ``no_people``, people are (a personal blog's publisher is its author, not a site)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        if not value.get("name") and nodes and value.get("@id") in nodes:
            value = nodes[value["@id"]]
        types = value.get("@type") or ""
        types = " ".join(types) if isinstance(types, list) else str(types)
        if people_only and re.search(r"organi[sz]ation|corporation|newsmediaorganization",
                                     types, re.I):
            return ""
        if no_people and re.search(r"\bperson\b", types, re.I):  # Yoast: Person, Organization
            return ""
        return _text_of(value.get("name") or "")
    if isinstance(value, list):
        return " / ".join(t for t in (_text_of(v, nodes, people_only, no_people)
                                      for v in value) if t)
    return ""


def _ld_objects(data):
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _ld_objects(data[key])


def _is_article(obj: dict) -> bool:
    types = obj.get("@type") or ""
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types)


def _read_json_ld(scripts) -> dict[str, str]:
    found: dict[str, str] = {}
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # control characters and trailing commas are common in the wild
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        objects = list(_ld_objects(data))
        nodes = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
        for obj in objects:
            if not _is_article(obj):
                continue
            webpage = "webpage" in str(obj.get("@type")).lower()
            for key, value in (("headline", obj.get("headline") or obj.get("name")),
                               ("datePublished", obj.get("datePublished")
                                or obj.get("dateCreated")),
                               ("author", _text_of(obj.get("author"), nodes, True)),
                               ("publisher", _text_of(obj.get("publisher"), nodes,
                                                      no_people=True)),
                               ("articleBody", obj.get("articleBody")),
                               ("inLanguage", obj.get("inLanguage"))):
                if webpage and key in ("headline", "articleBody"):
                    continue  # a WebPage's name is the page's title, often with the site
                if isinstance(value, str) and value.strip() and key not in found:
                    found[key] = value.strip()
    return found


# One pass over the tree for everything read here.
_META_XPATH = ("//meta[@content]|//script[@type='application/ld+json']"
               "|//time[@datetime][@itemprop='datePublished' or @pubdate]")


def read_meta(tree) -> PageMeta:
    """Collect ``<meta>`` tags (name, property, itemprop, http-equiv) and JSON-LD."""
    page = PageMeta()
    scripts = []
    for el in tree.xpath(_META_XPATH):
        if el.tag == "script":
            scripts.append(el)
            continue
        if el.tag != "meta":
            page.meta.setdefault("datepublished", el.get("datetime").strip())
            continue
        content = el.get("content").strip()
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                key = key.strip().lower()
                if key == "datepublished" and key in page.meta:
                    continue
                page.meta.setdefault(key, content)
    if scripts:
        page.ld = _read_json_ld(scripts)
    root = tree.getroottree().getroot()
    page.html_lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    return page


# The article's visible date element: <time datetime> (with or without itemprop/pubdate),
# WordPress's entry-date, elements classed as a (publication) date (also a block's date:
# ``article__date``, ``news-date``, ``text_datum``); never an update, an event or a
# teaser card, and never inside comments, widgets or an embedded post (a quoted tweet's
# or Instagram post's <time> in a blockquote is the post's date). Looked for only in the
# headline's own container (the h1's parent and grandparent: its header and article),
# not in lists elsewhere.
_VISIBLE_TIME_XPATH = (
    "(.//time[@datetime]|.//*[re:test(@class, '(^| )([a-z]+(__|[_-]))?(date|datum|entry-date|"
    "published|post-date|date-published|publish-date|publication-date|article-date|"
    "datePublished)( |$)', 'i')])"
    "[not(re:test(concat(@class, ' ', @itemprop), 'update|modified|dateModified|"
    "(^|[ _-])(event|start|end|expir|card|teaser)', 'i'))]"
    "[not(ancestor::footer or ancestor::aside or ancestor::nav or ancestor::blockquote"
    " or ancestor::*[not(self::body)]"
    "[re:test(concat(' ', @class, ' ', @id, ' '), ' (comments?|comment-list|commentlist|"
    "comment-body|sidebar|related|widget|teaser|card|footer)[ _-]', 'i')])]")
_RE_NS = {"re": "http://exslt.org/regular-expressions"}


def visible_time(tree) -> tuple[str | None, str]:
    """``(datetime attribute or None, visible text)`` of the headline's date element."""
    h1 = tree.find(".//body//h1")
    scope = h1.getparent() if h1 is not None else None
    if scope is not None and scope.getparent() is not None and scope.getparent().tag != "body":
        scope = scope.getparent()
    if scope is None or scope.tag in ("body", "html"):
        return None, ""
    try:
        found = scope.xpath(_VISIBLE_TIME_XPATH, namespaces=_RE_NS)
    except Exception:
        return None, ""
    for el in found[:5]:
        text = " ".join(" ".join(el.itertext()).split())
        stamp = (el.get("datetime") or "").strip() or None
        if stamp or 6 <= len(text) <= 80:
            return stamp, text
    return None, ""
