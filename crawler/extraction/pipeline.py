"""``extract``: decode, parse once, then fill each field from the most trusted layer.

Layers: the source's selectors (written for that site, so they win for the fields they
name, except the government ``ArticleTitle`` meta), page metadata (government CMS meta,
OpenGraph, JSON-LD), generic extraction (trafilatura, CMS containers, text density), the
visible text, the URL. Each field records its layer in ``field_sources``. Nothing here
raises on a bad page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from urllib.parse import urlsplit

import lxml.html
from trafilatura.utils import load_html

from . import published as pub
from .attachments import find_attachments
from .authors import choose_author
from .body import choose_chinese, cms_body, generic_body, paragraphs
from .density import density_body
from .boilerplate import strip_boilerplate
from .dates import find_dates, zone_named
from .decoding import decode
from .docnumber import find_doc_number
from .extracted import Extracted
from .language import detect_language
from .library_fields import TrafilaturaMeta, htmldate_date
from .metadata import DATE_NAMES, SITE_NAMES, SOURCE_NAMES, PageMeta, read_meta, visible_time
from .republication import Credits, clean_value, find_source, source_in_selected, strip_credits
from .selectors import selected_fields
from .text import page_lines
from .title import clean_title, fold_typography, heading_matching, headings, line_before_date, strip_site_suffix
from .zones import page_zone

_HAN = re.compile(r"[\u4e00-\u9fff]")
_META_LINE_WORDS = re.compile(r"来源|作者|编辑|浏览|阅读|点击|字号|字体|发布|时间|Source|By\s", re.I)


def _is_chinese(title: str, text: str, html: str) -> bool:
    """Chinese enough for the density extractor: Han characters in the title or the text
    (or, when trafilatura found little, in the page itself)."""
    sample = title + text[:2000]
    if len(_HAN.findall(sample)) >= max(10, 0.2 * len(sample.split())):
        return True
    return len(text) < 500 and len(_HAN.findall(html[:50_000])) >= 200


def _parse(text: str):
    tree = None
    try:
        tree = load_html(text)
    except Exception:  # trafilatura rejects some fragments; lxml is more forgiving
        tree = None
    if tree is None:
        try:
            tree = lxml.html.document_fromstring(text)
        except Exception:
            return None
    return tree


def _site_names(site: str | None, traf: TrafilaturaMeta, url: str) -> list[str]:
    """The names the site goes by, which a headline is not: its name, its host."""
    host = (urlsplit(url).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return [n for n in (site, traf.sitename, host, host.rsplit(".", 1)[0]) if n]


def _title(tree, meta: PageMeta, sel: dict, hints: Mapping, names: list[str],
           lines) -> tuple[str, str]:
    if meta.meta.get("articletitle"):
        return clean_title(meta.meta["articletitle"]), "meta"
    if sel.get("title"):
        return clean_title(sel["title"]), "selector"
    page_title = clean_title(tree.findtext(".//title"))
    # h1-h3 first: the wider search for elements classed "title" costs a full XPath scan.
    heading = (heading_matching(headings(tree, tags=("h1",), titled=False), page_title, names)
               or heading_matching(headings(tree, tags=("h2", "h3"), titled=False), page_title,
                                   names))
    if heading:
        return heading, "heading"
    og_title = meta.meta.get("og:title") or meta.meta.get("twitter:title")
    if og_title and not _HAN.search(og_title):
        og_title = strip_site_suffix(og_title, names, only_named=True)
        # The page's own h1 when it is the same headline typeset (’ for ', – for -).
        typeset = next((h for h in headings(tree, tags=("h1",), titled=False)
                        if fold_typography(h) == fold_typography(og_title)), None)
        return (typeset, "heading") if typeset else (og_title, "meta")  # skip the scan below
    candidates = headings(tree)
    heading = heading_matching(candidates, page_title, names)
    if heading:
        return heading, "heading"
    for name in ("og:title", "twitter:title"):
        if meta.meta.get(name):
            return strip_site_suffix(meta.meta[name], names, only_named=True), "meta"
    if meta.ld.get("headline"):
        return clean_title(meta.ld["headline"]), "json-ld"
    if hints.get("title"):
        return clean_title(hints["title"]), "list"
    stripped = strip_site_suffix(page_title, names) if page_title else ""
    if stripped and any(line.startswith(stripped) for line in lines()):
        return stripped, "title-tag"
    before = line_before_date(lines())
    if before:
        return before, "text"
    if stripped:
        return stripped, "title-tag"
    return (candidates[0], "heading") if candidates else ("", "")


def _site(meta: PageMeta, url: str) -> tuple[str, str]:
    found = meta.first(SITE_NAMES)
    if found and not found[1].startswith("@"):
        return found[1], "meta"
    if meta.ld.get("publisher"):
        return meta.ld["publisher"], "json-ld"
    host = (urlsplit(url).hostname or "").lower()
    return (host[4:] if host.startswith("www.") else host), "url"


def _is_meta_line(line: str) -> bool:
    """A short header line (date, 来源, 作者, font size) that generic extractors keep."""
    if len(line) > 100:
        return False
    has_date = bool(find_dates(line))
    return (has_date and (len(line) < 30 or bool(_META_LINE_WORDS.search(line)))) or (
        bool(re.match(r"^\s*(?:来源|作者|编辑|记者|发布时间|发布日期)\s*[:：]", line)))


def _drop_header(paras: list[str], title: str) -> list[str]:
    """Breadcrumbs, headline and date line above the text, when the body element held them."""
    if title:
        for i, para in enumerate(paras[:8]):
            if clean_title(para) == title:
                if all(len(p) <= 40 for p in paras[:i]):
                    paras = paras[i + 1:]
                break
    while paras and _is_meta_line(paras[0]):
        paras = paras[1:]
    return paras


def _drop_footer(paras: list[str]) -> list[str]:
    """A timestamp or "来源" line under the text goes; a document's signing date stays."""
    while paras and len(paras[-1]) <= 30 and _is_meta_line(paras[-1]) and (
            _META_LINE_WORDS.search(paras[-1]) or re.search(r"\d{1,2}:\d{2}", paras[-1])):
        paras = paras[:-1]
    return paras


def _clean_body(text: str, title: str, credits: Credits) -> str:
    paras = _drop_header(paragraphs(text), title)
    paras = strip_credits(paras, credits)  # before the footer: 来源 lines name the outlet
    paras = _drop_footer(paras)
    paras = strip_boilerplate(paras)
    return "\n\n".join(paras)


_SCRIPT_DATE = re.compile(
    r"""\b(?:publish_?time|pub_?time|pub_?date|publish_?date|publishDate|datePublished|ct|"""
    r"""createTime|create_time|ptime)\b["']?\s*[:=]\s*["']?(\d{10,13}|\d{4}-\d{2}-\d{2}"""
    r"""[ T]?[\d:]*)""", re.I)


def script_date(tree) -> str | None:
    """A publication time set by a page script (WeChat's ``var ct = "1582..."``)."""
    for script in tree.iter("script"):
        code = script.text or ""
        if code and len(code) < 200_000:
            m = _SCRIPT_DATE.search(code)
            if m:
                return m.group(1)
    return None


class _Datelines:
    """The page's visible date lines, each read from the page text once, when a layer
    first asks (the chooser's candidates and its visible checks share them)."""

    def __init__(self, lines, title, tz, now):
        self._args, self._lines, self._seen = (title, tz, now), lines, {}

    def _text(self, kind: str, found) -> str | None:
        if kind not in self._seen:
            value = found(self._lines(), *self._args)
            self._seen[kind] = value.text if value is not None else None
        return self._seen[kind]

    def labelled(self) -> str | None:
        return self._text("labelled", lambda *a: pub.text_date(*a, labelled_only=True))

    def under_headline(self) -> str | None:
        return self._text("under", pub.near_title_date)

    def first(self) -> str | None:
        return self._text("first", pub.text_date)

    def relative(self) -> str | None:
        return self._text("relative", lambda *a: pub.text_date(*a, relative=True))

    def updated(self) -> str | None:
        return self._text("updated", lambda *a: pub.text_date(*a, updated=True))


def _date_candidates(tree, meta: PageMeta, sel: dict, hints: Mapping, lines: _Datelines, tz,
                     now, url: str):
    out: list = [("selector", sel.get("date"))]
    for name in DATE_NAMES:
        if meta.meta.get(name):
            out.append(("meta", meta.meta[name]))
    out.append(("json-ld", meta.ld.get("datePublished")))
    out.append(("list", hints.get("date")))
    # The page text is read only when the cheaper layers had nothing.
    out.append(("text", lines.labelled))
    out.append(("text", lines.under_headline))
    out.append(("htmldate", lambda: htmldate_date(tree, url, now.astimezone(tz),
                                                  extensive=False)))
    out.append(("text", lines.first))
    out.append(("htmldate", lambda: htmldate_date(tree, url, now.astimezone(tz))))
    out.append(("script", lambda: script_date(tree)))
    out.append(("text", lines.relative))
    out.append(("text", lines.updated))
    return out


def _visible_checks(tree, lines: _Datelines, tz):
    """What the reader sees, against which a metadata date is checked: the page's date
    element (its text when that is a date, else its ``datetime``), a labelled dateline,
    the date line under the headline."""

    def element():  # only a date the reader sees: a bare datetime may be an update
        shown = [f for f in find_dates(visible_time(tree)[1], tz)
                 if not pub.MACHINE_STAMP.match(f.text)]
        return shown[0].text if shown else None

    return [("time", element), ("text", lines.labelled), ("text", lines.under_headline)]


def _original_source(meta, sel, credits, lines, title, page_text) -> tuple[str, str]:
    value = source_in_selected(sel["source"], find_dates) if sel.get("source") else ""
    if value:
        return value, "selector"
    found = meta.first(SOURCE_NAMES)
    if found and not found[1].startswith("http"):
        value = clean_value(re.sub(r"^\s*(?:来源|Source)\s*[:：]\s*", "", found[1], flags=re.I))
        if value:
            return value, "meta"
    if credits.source:
        return credits.source, "text"
    if not any(word in page_text for word in ("来源", "出处", "Source:", "Source：")):
        return "", ""
    page = lines()
    start = 0
    key = (title or "")[:12]
    if key:
        start = next((i for i, line in enumerate(page) if key in line), 0)
    value = find_source(page[start:start + 25] if start else page[:80])
    return (value, "text") if value else ("", "")


def _zone(zone, url: str, lang: str | None, html_lang: str | None, errors: list[str]):
    """The zone of dates written without one: the caller's (a source's seed says it), else
    the page's (Beijing time on a Chinese site; the host's country, the language), else UTC."""
    if isinstance(zone, tzinfo):
        return zone
    if zone:
        try:
            return zone_named(str(zone))
        except ValueError as exc:
            errors.append(str(exc))
    return page_zone(url, lang, html_lang)


def _run(result: Extracted, raw: bytes, url: str, headers, selectors, fetched_at, hints,
         zone) -> None:
    if not raw or not raw.strip():
        result.error = "empty page"
        return
    if raw.lstrip()[:5] == b"%PDF-":
        result.error = "not an HTML page (PDF document)"
        return
    text, result.encoding = decode(raw, headers)
    tree = _parse(text)
    if tree is None:
        result.error = "could not parse the page as HTML"
        return
    now = fetched_at or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    errors: list[str] = []
    src = result.field_sources
    meta = read_meta(tree)
    sel = selected_fields(tree, selectors, errors)
    traf = TrafilaturaMeta(tree)
    cache: list = []

    def lines() -> list[str]:  # the page's visible lines, walked once and only if needed
        if not cache:
            cache.append(page_lines(tree))
        return cache[0]

    result.site, src["site"] = _site(meta, url)
    names = _site_names(result.site, traf, url)
    result.title, src["title"] = _title(tree, meta, sel, hints, names, lines)
    result.attachments = find_attachments(tree, url)

    if sel.get("body"):
        raw_body, src["body"] = sel["body"], "selector"
    else:
        generic = generic_body(tree)
        if _is_chinese(result.title or "", generic, text):
            raw_body, src["body"] = choose_chinese(generic, density_body(tree), cms_body(tree))
        else:
            raw_body, src["body"] = generic, "trafilatura"
    if len(raw_body) < 25 and len(meta.ld.get("articleBody", "")) > len(raw_body):
        raw_body, src["body"] = meta.ld["articleBody"], "json-ld"  # a script-rendered page
    credits = Credits()
    result.body = _clean_body(raw_body, result.title or "", credits)
    if not credits.editors and ("责任编辑" in text or "Responsible editor" in text):
        for line in lines():
            if ("责任编辑" in line or "Responsible editor" in line) and len(line) <= 120:
                strip_credits([line], credits)
                break
    result.editor = sel.get("editor") or credits.editor
    if result.editor:
        src["editor"] = "selector" if sel.get("editor") else "text"

    fallback_lang = meta.html_lang or meta.ld.get("inLanguage")
    result.lang = detect_language(f"{result.title or ''}\n{result.body}", fallback_lang)
    if sel.get("doc_number"):
        result.doc_number, src["doc_number"] = sel["doc_number"], "selector"
    elif result.lang == "zh" and "号" in text:
        result.doc_number = find_doc_number(lines())
        if result.doc_number:
            src["doc_number"] = "text"
    tz = _zone(zone, url, result.lang, meta.html_lang, errors)
    datelines = _Datelines(lines, result.title, tz, now)
    choice = pub.choose(_date_candidates(tree, meta, sel, hints, datelines, tz, now, url),
                        url, now=now, tz=tz, visible=_visible_checks(tree, datelines, tz))
    result.published, result.published_text, result.date_source = (
        choice.value, choice.text, choice.source)
    if choice.source:
        src["published"] = choice.source

    result.author, src["author"] = choose_author(tree, meta, sel, credits, lines, text, names,
                                                 traf, result.lang, result.title)
    result.original_source, src["original_source"] = _original_source(
        meta, sel, credits, lines, result.title, text)
    for key in ("author", "original_source", "title"):
        if not getattr(result, key):
            setattr(result, key, None)
            src.pop(key, None)
    if len(result.body) < 25:
        errors.append("no article text found" if result.title else
                      "no article title or text found")
    if errors:
        result.error = "; ".join(errors)


def extract(raw: bytes, url: str, *, headers: Mapping | None = None,
            selectors: Mapping[str, str] | None = None, fetched_at: datetime | None = None,
            hints: Mapping[str, str] | None = None,
            timezone: tzinfo | str | None = None) -> Extracted:
    """Extract an article from a page's raw bytes; never raises, sets ``error`` instead.

    ``timezone`` (a tzinfo or an IANA name) is the zone of dates the page writes without
    one; by default Beijing time on a Chinese site, else UTC.
    """
    result = Extracted(url=url)
    try:
        _run(result, raw, url, headers, selectors or {}, fetched_at, hints or {}, timezone)
    except Exception as exc:  # one bad page must never stop a crawl
        result.error = f"extraction failed: {type(exc).__name__}: {exc}"
    return result
