"""The byline: who wrote the article, never the site, the portal or an organisation.

Layers, in order: the source's ``author`` selector, the JSON-LD author that is a person
(also an ``@id`` reference to a ``Person`` node of a Yoast ``@graph``), the author meta
tags, a credit line read from the body (``作者：``), a Chinese byline near the headline
(``作者：``, ``记者``, ``文/``), and last trafilatura's byline search (elements classed
``author`` or ``byline``, ``rel="author"``, ``By``/``Von`` lines).
"""

from __future__ import annotations

import re

from .dates import find_dates
from .metadata import AUTHOR_NAMES
from .republication import Credits, clean_value

_AUTHOR_TEXT = re.compile(r"(?:作者|记者|文)\s*[:：|｜/／]\s*([\u4e00-\u9fff·]{2,4}(?:[、，,\s]"
                          r"[\u4e00-\u9fff·]{2,4}){0,3})(?![\u4e00-\u9fff])")
_NOT_A_NAME = re.compile(r"^\W*$|^\d+$|@|https?:|www\.|\[at\]|admin\b|\b(?:says|said|sagt|"
                         r"schreibt|wrote|écrit|dice)\b|^(?:未知|佚名|网络|网络整理|匿名|unknown|none|"
                         r"null|editor|staff|human|author|autor|auteurs?|autores?|anonymous|guest|gast|posted|"
                         r"share|teilen)$|^name\b", re.I)
# Organisations, not people (legal forms, "Verlag", "Media").
_ORGANISATION = re.compile(r"\b(?:GmbH|AG|e\.\s?V\.|Ltd|Inc|LLC|S\.A\.|S\.L\.|Verlag|Media|"
                           r"Medien|Agentur|Verband)\b|\.(?:com|de|net|org|at|ch|fr|es|it)\b",
                           re.I)
# "By Jane Doe", "Von Jane Doe", "Par", "Por", "Autor:", "Text:".
_LEAD = re.compile(r"^\s*(?:(?:view all |all )?(?:posts?|articles?|beiträge|artikel) (?:by|von)|"
                   r"(?:post author|posted|written|published|veröffentlicht|geschrieben|eingestellt|"
                   r"ein beitrag|blog beitrag|beitrag|artikel|verfasst|erstellt) (?:by|von)|by|von|vom|par|por|di|door|"
                   r"auteur|autor(?:in)?|author|text|texto|作者|文)\s*[:：/]?(?:\s+|$)|"
                   r"^\s*(?:作者|文|记者)\s*[:：/／]\s*", re.I)
_SEPARATORS = re.compile(r"\s*;\s*")
# What is left of a byline element with no name in it: "Posted on", "Veröffentlicht am".
_ONLY_LABEL = re.compile(r"^(?:posted|published|veröffentlicht|publiziert|erstellt|geschrieben|"
                         r"aktualisiert|updated|publié|publicado)?\s*(?:on|am|by|von|le|el)?"
                         r"\s*:?$", re.I)
# A news agency after the name: "Jane Doe, dpa", "Jane Doe/AFP".
_AGENCY = re.compile(r"\s*[,/]\s*(?:dpa|afp|ap|apa|sda|kna|epd|efe|ansa|reuters|xinhua|"
                     r"dpa-afx)\s*$", re.I)
_CLOCK = re.compile(r"\b[012]?\d:[0-5]\d\b")
# What joins a name to the date after it: "am", "at", "on", "le", "»", "—", "|", "-", ",".
_TRAILING_LINK = re.compile(r"(?:\s*(?:\b(?:am|at|on|le|el|il|um|den|veröffentlicht|published|"
                            r"posted)\b|[»—–|,·-]))+\s*$", re.I)
# Yoast's "Written by" pair: <meta name="twitter:label1" content="Verfasst von">.
_WRITTEN_BY = re.compile(r"^(?:written by|verfasst von|geschrieben von|écrit par|escrito por|"
                         r"scritto da|geschreven door|autor|author)$", re.I)
# Byline elements: rel/itemprop author, classes author, byline, writer; never in comments.
_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or self::byline or re:test(@class, "
    "'(^|[ _-])(author|byline|by-line|writer|autor|autorin|verfasser|auteur)([ _-]|name|$)', 'i')]"
    "[not(ancestor::*[not(self::body or self::html)][re:test(concat(' ', @class, ' ', @id, ' '),"
    " ' (comments?|comment-list|commentlist|comment-body|respond|sidebar|widget|footer|"
    "related|teaser)[ _-]', 'i')])]")
_RE_NS = {"re": "http://exslt.org/regular-expressions"}


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def clean_author(value: str | None, sites: set[str] = frozenset()) -> str:
    """The byline without its lead word, a trailing ``, Site`` and duplicate spaces;
    several names joined with `` / ``. Empty when it is not a person's name."""
    if not value:
        return ""
    value = re.sub(r"\s+", " ", value.replace("\xa0", " ")).strip().strip("'\"")
    value = _LEAD.sub("", value).strip(" ~*:|,-–—")
    if _ONLY_LABEL.match(value):
        return ""
    dated, clock = find_dates(value), _CLOCK.search(value)
    cut = dated[0].start if dated else (clock.start() if clock else None)
    if cut is not None:  # "Jane Doe am 21.01.2009, 05:42", "Jane Doe, 01.12.2021", "… at 18:52"
        value = _TRAILING_LINK.sub("", value[:cut])
    names = []
    for name in _SEPARATORS.split(value.replace(" / ", ";")):
        name = _AGENCY.sub("", name.strip(" ,|-–"))
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2 and _normal(parts[1]) in sites:
            name = parts[0]  # "Rob Picheta, CNN"
        if plausible_name(name, sites) and name not in names:
            names.append(name)
    return " / ".join(names)


def plausible_name(value: str | None, sites: set[str] = frozenset()) -> bool:
    """A value that names someone: not a number, an address, the site or 'unknown'."""
    if not value or len(value) > 80 or _NOT_A_NAME.search(value.strip()):
        return False
    if _normal(value) in sites or _ORGANISATION.search(value):
        return False
    return not ("." in value and " " not in value.strip())  # a handle: michael.andrusio


def _written_by(meta) -> str | None:
    for n in ("1", "2", "3"):
        if _WRITTEN_BY.match(meta.meta.get(f"twitter:label{n}", "").strip()):
            return meta.meta.get(f"twitter:data{n}")
    return None


def byline_elements(tree, sites: set[str]) -> str:
    """The first byline element that names a person (its ``itemprop="name"`` if it has one)."""
    try:
        elements = tree.xpath(_BYLINE_XPATH, namespaces=_RE_NS)
    except Exception:
        return ""
    for el in elements[:30]:
        names = el.xpath(".//*[@itemprop='name']")
        text = " ".join(" ".join(n.itertext()) for n in (names or [el]))
        if len(text) <= 200:
            value = clean_author(text, sites)
            if value:
                return value
    return ""


def choose_author(tree, meta, sel: dict, credits: Credits, lines, page_text: str,
                  site_names: list[str], traf, lang: str | None) -> tuple[str, str]:
    """``(author, layer)``, or ``("", "")`` when the page names nobody; ``site_names`` are
    the names the site goes by (never an author)."""
    if sel.get("author"):
        return clean_value(sel["author"], stop_at_space=False), "selector"
    sites = {key for key in (_normal(n) for n in [*site_names, meta.ld.get("publisher") or ""])
             if key}
    value = clean_author(meta.ld.get("author"), sites)
    if value:
        return value, "json-ld"
    found = meta.first(AUTHOR_NAMES)
    value = clean_author(found[1], sites) if found else ""
    if value:
        return value, "meta"
    value = clean_author(_written_by(meta), sites)
    if value:
        return value, "meta"
    value = clean_author(credits.author, sites)
    if value:
        return value, "text"
    if "作者" in page_text or "记者" in page_text or "文/" in page_text:
        for line in lines()[:120]:
            if len(line) <= 120:
                m = _AUTHOR_TEXT.search(line)
                if m and plausible_name(m.group(1), sites):
                    return m.group(1).strip(), "text"
    if lang != "zh":
        value = byline_elements(tree, sites)
        if value:
            return value, "byline"
        value = clean_author(traf.byline, sites)
        if value:
            return value, "trafilatura"
    return "", ""
