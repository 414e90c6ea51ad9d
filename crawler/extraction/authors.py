"""The byline: who wrote the article, never the site, the portal or an organisation.

Layers, in order: the source's ``author`` selector, the JSON-LD author that is a person
(also an ``@id`` reference to a ``Person`` node of a Yoast ``@graph``), the author meta
tags (each written as the page's byline element writes that person, when it does), a
credit line read from the body (``作者：``), a Chinese byline near the headline
(``作者：``, ``记者``, ``文/``), a byline element (``rel="author"``, ``itemprop``,
``<address>``, byline classes), a ``By``/``Von``/``Autor:`` line under the headline, and
last trafilatura's byline search.
"""

from __future__ import annotations

import html
import re

from .dates import find_dates
from .metadata import AUTHOR_NAMES
from .republication import Credits, clean_value
from .text import headline_index, under_headline

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
                   r"auteur|autor(?:in)?|author|text|texto|interview|作者|文)\s*[:：/]?(?:\s+|$)|"
                   r"^\s*(?:作者|文|记者)\s*[:：/／]\s*", re.I)
_SEPARATORS = re.compile(r"\s*;\s*")
# What is left of a byline element with no name in it: "Posted on", "Veröffentlicht am".
_ONLY_LABEL = re.compile(r"^(?:posted|published|veröffentlicht|publiziert|erstellt|geschrieben|"
                         r"aktualisiert|updated|publié|publicado|stand|datum|date)?\s*(?:on|am|by|von|le|el)?"
                         r"\s*:?$", re.I)
# A news agency after the name: "Jane Doe, dpa", "Jane Doe/AFP".
_AGENCY = re.compile(r"\s*[,/]\s*(?:dpa|afp|ap|apa|sda|kna|epd|efe|ansa|reuters|xinhua|"
                     r"dpa-afx)\s*$", re.I)
_CLOCK = re.compile(r"\b[012]?\d:[0-5]\d\b")
# What joins a name to the date after it: "am", "at", "on", "le", "»", "—", "|", "-", ",".
_TRAILING_LINK = re.compile(r"(?:\s*(?:\b(?:am|at|on|le|el|il|um|den|veröffentlicht|published|"
                            r"posted)\b|[»—–|,·-]))+\s*$", re.I)
# Academic degrees after a name: "Jane Doe, PhD", "Jane Doe, MD, MPH".
_DEGREES = re.compile(r"(?:\s*,\s*(?:Ph\.?\s?D|M\.?D|MPH|MSc|M\.?Sc|MBA|RD|RDN|DPhil)\.?)+$")
# What follows a name in a byline and is not part of it: a date's label, a relative time
# ("vor 5 Stunden", "hace 3 horas"), "am Samstag", "on 26/10/13".
_TRAILING_WORDS = re.compile(
    r"(?:\s*,)?\s+(?:(?:Datum|Date|Fecha|Data|Stand|Aktualisiert|Updated|Publicado|Publié|"
    r"Veröffentlicht)\b.*|(?:vor|hace|il y a)\s+\d+\s+\w+.*|(?-i:am|on|le|el|um)\s+(?:\d|"
    r"(?:mon|diens|mitt|donners|frei|sams|sonn)tag|(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r".*)$", re.I)
# "… 2020 by Jane Doe", "… 13:30 von Jane Doe": the name after the date.
_NAME_AFTER_DATE = re.compile(r"\b(?:by|von|par|por|door)\s+([^|·•,]{2,60}?)\s*(?:[|·•,(]|$)",
                              re.I)
# Yoast's "Written by" pair: <meta name="twitter:label1" content="Verfasst von">.
_WRITTEN_BY = re.compile(r"^(?:written by|verfasst von|geschrieben von|écrit par|escrito por|"
                         r"scritto da|geschreven door|autor|author)$", re.I)
# Byline elements: rel/itemprop author, classes author, byline, writer; never in comments.
_BYLINE_CLASS = re.compile(r"(?:^|[ _-])(?:authors?|byline|by-line|writer|autor(?:in|en)?|verfasser|"
                           r"auteurs?|autore?s?)(?:[ _-]|name|$)", re.I)
_NOT_ARTICLE = re.compile(r" (?:comments?|comment-list|commentlist|comment-body|respond|sidebar|"
                          r"widget|footer|related|teaser)[ _-]", re.I)


def _byline_candidates(tree):
    """Byline elements in document order (rel or itemprop author, ``<address>``, a byline
    class), leaving out those inside comments, sidebars, footers and teasers."""
    for el in tree.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if not (el.get("rel") == "author" or el.get("itemprop") == "author" or tag in (
                "byline", "address") or _BYLINE_CLASS.search(el.get("class") or "")):
            continue
        up = el.getparent()
        while up is not None and up.tag not in ("body", "html"):
            if _NOT_ARTICLE.search(f" {up.get('class') or ''} {up.get('id') or ''} "):
                break
            up = up.getparent()
        else:
            yield el


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def clean_author(value: str | None, sites: set[str] = frozenset()) -> str:
    """The byline without its lead word, a trailing ``, Site`` and duplicate spaces;
    several names joined with `` / ``. Empty when it is not a person's name."""
    if not value:
        return ""
    value = re.sub(r"\s+", " ", html.unescape(value).replace("\xa0", " ")).strip()
    value = _LEAD.sub("", value.strip("'\"").lstrip(" |,;:·•-–—")).strip(" ~*:|,-–—")
    value = _DEGREES.sub("", value)
    value = value.split(" | ")[0]  # "Jane Doe | Publicado hace 3 horas"
    value = _TRAILING_WORDS.sub("", value).strip(" ~*:|,-–—")
    if _ONLY_LABEL.match(value):
        return ""
    dated, clock = find_dates(value), _CLOCK.search(value)
    cut = dated[0].start if dated else (clock.start() if clock else None)
    if cut is not None:  # "Jane Doe am 21.01.2009, 05:42", "Jane Doe, 01.12.2021", "… at 18:52"
        after = _NAME_AFTER_DATE.search(value[cut:])
        value = _TRAILING_LINK.sub("", value[:cut])
        if after and (not value or _ONLY_LABEL.match(value)):
            value = after.group(1)  # "Posted on September 21, 2020 by Jane Doe"
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
    for n, el in enumerate(_byline_candidates(tree)):
        if n == 30:
            break
        names = el.xpath(".//*[@itemprop='name']")
        text = " ".join(" ".join(n.itertext()) for n in (names or [el]))
        if len(text) <= 200:
            value = clean_author(text, sites)
            if value:
                return value
    return ""


# A byline written as a line of text: "By Jane Doe", "Von Jane Doe", "Par Jane Doe",
# "Autor: Jane Doe", "Text: Jane Doe", "Verfasst von: Jane Doe".
_BYLINE_LINE = re.compile(r"^\s*(?:(?:posted|written|published|verfasst|geschrieben|ein beitrag|"
                          r"text und \w+|text and \w+)\s+(?:by|von)|by|von|par|por|door|"
                          r"autor(?:in)?|author|auteur|text|texto|redaktion)\s*[:：]?\s+(\S.{1,60})$",
                          re.I)


def byline_line(lines: list[str], title: str | None, sites: set[str]) -> str:
    """A byline line just under the headline (or just above it): a short line, or one
    segment of a ``|``-separated meta line, that opens with By, Von, Par, Autor: …"""
    start = headline_index(lines, title)
    if start is None:
        return ""
    above = [line for line in lines[max(0, start - 2):start] if len(line) <= 120]
    for line in above + under_headline(lines, start, 8, 120):
        for segment in re.split(r"\s[|·•]\s|\s[-–]\s", line):
            m = _BYLINE_LINE.match(segment)
            # "By Jane Doe": a capitalised name; after a colon ("Autor: jdoe") a handle too
            if m and (m.group(1)[0].isupper() or ":" in segment[:m.start(1)]):
                value = clean_author(segment, sites)
                if value and len(value.split()) <= 6:
                    return value
    return ""


def _same_people(meta_value: str, visible: str) -> bool:
    """Whether the visible byline names the metadata's one person, written otherwise
    (several people stay joined with " / ", however the page joins them)."""
    if not visible or " / " in visible or " / " in meta_value or re.sub(
            r"\s+", "", visible) == re.sub(r"\s+", "", meta_value):
        return False  # the same, or only spaced apart differently (markup inside a name)
    one, words = _normal(meta_value), visible.split()
    if _normal(visible) == one:  # the same letters: case, spaces or a handle's form
        return True
    # "Nils" → "Nils Pickert": a first name alone, the visible byline a full name
    return " " not in meta_value.strip() and _normal(words[0]) == one and 2 <= len(words) <= 4


def choose_author(tree, meta, sel: dict, credits: Credits, lines, page_text: str,
                  site_names: list[str], traf, lang: str | None,
                  title: str | None = None) -> tuple[str, str]:
    """``(author, layer)``, or ``("", "")`` when the page names nobody; ``site_names`` are
    the names the site goes by (never an author)."""
    if sel.get("author"):
        return clean_value(sel["author"], stop_at_space=False), "selector"
    sites = {key for key in (_normal(n) for n in [*site_names, meta.ld.get("publisher") or ""])
             if key}
    shown: list[str] = []  # the page's byline element, read once if needed

    def as_shown(value: str, layer: str) -> tuple[str, str]:
        """A metadata name as the page's byline writes it, when that byline is the same
        person (``ALLY MUTNICK``, ``Nils`` → ``Nils Pickert``, ``janedoe`` → ``Jane Doe``)."""
        if lang == "zh":
            return value, layer
        if not shown:
            shown.append(byline_elements(tree, sites))
        return (shown[0], "byline") if _same_people(value, shown[0]) else (value, layer)

    value = clean_author(meta.ld.get("author"), sites)
    if value:
        return as_shown(value, "json-ld")
    found = meta.first(AUTHOR_NAMES)
    value = clean_author(found[1], sites) if found else ""
    if value:
        return as_shown(value, "meta")
    value = clean_author(_written_by(meta), sites)
    if value:
        return as_shown(value, "meta")
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
        value = shown[0] if shown else byline_elements(tree, sites)
        if value:
            return value, "byline"
        value = byline_line(lines(), title, sites)
        if value:
            return value, "text"
        value = clean_author(traf.byline, sites)
        if value:
            return value, "trafilatura"
    return "", ""
