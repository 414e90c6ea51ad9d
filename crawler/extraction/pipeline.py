"""``extract``: decode, parse once, then fill each field from the most trusted layer.

Layers, in order: page metadata (government CMS meta, OpenGraph, JSON-LD), the source's
selectors, generic extraction (trafilatura, known CMS containers), visible text. Each
field records its layer in ``field_sources``. Nothing here raises on a bad page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import urlsplit

import lxml.html
from trafilatura.utils import load_html

from . import published as pub
from .attachments import find_attachments
from .body import cms_body, generic_body, paragraphs, pick_body
from .boilerplate import strip_boilerplate
from .dates import BEIJING, find_dates
from .decoding import decode
from .docnumber import find_doc_number
from .extracted import Extracted
from .language import detect_language
from .metadata import AUTHOR_NAMES, DATE_NAMES, SITE_NAMES, SOURCE_NAMES, PageMeta, read_meta
from .republication import Credits, clean_value, find_source, strip_credits
from .selectors import SelectorError, select_text
from .text import page_lines
from .title import clean_title, first_heading, heading_matching, strip_site_suffix

_HAN = re.compile(r"[\u4e00-\u9fff]")
_META_LINE_WORDS = re.compile(r"来源|作者|编辑|浏览|阅读|点击|字号|字体|发布|时间|Source|By\s", re.I)
_AUTHOR_TEXT = re.compile(r"(?:作者|记者|文)\s*[:：|｜]\s*([\u4e00-\u9fff·]{2,10}(?:[、，,\s]+"
                          r"[\u4e00-\u9fff·]{2,10}){0,3})")


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


def _selected(tree, selectors: Mapping[str, str], errors: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("title", "date", "author", "source", "body"):
        expr = selectors.get(key)
        if not expr:
            continue
        try:
            value = select_text(tree, expr, blocks=(key == "body"))
        except SelectorError as exc:
            errors.append(f"[article] {key}: {exc}")
            continue
        if value:
            out[key] = value
    return out


def _title(tree, meta: PageMeta, sel: dict, hints: Mapping, site: str | None) -> tuple[str, str]:
    if meta.meta.get("articletitle"):
        return clean_title(meta.meta["articletitle"]), "meta"
    if sel.get("title"):
        return clean_title(sel["title"]), "selector"
    page_title = ""
    for el in tree.iter("title"):
        page_title = clean_title(el.text_content())
        break
    heading = heading_matching(tree, page_title) if page_title else None
    if heading:
        return heading, "heading"
    for name in ("og:title", "twitter:title"):
        if meta.meta.get(name):
            return strip_site_suffix(meta.meta[name], [site or ""]), "meta"
    if meta.ld.get("headline"):
        return clean_title(meta.ld["headline"]), "json-ld"
    if hints.get("title"):
        return clean_title(hints["title"]), "list"
    stripped = strip_site_suffix(page_title, [site or ""]) if page_title else ""
    heading = first_heading(tree, exclude=(site or "", stripped))
    if stripped and stripped.lower() != (site or "").lower() and (
            not heading or len(stripped) >= len(heading) * 0.5):
        return stripped, "title-tag"
    if heading:
        return heading, "heading"
    return (stripped, "title-tag") if stripped else ("", "")


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


def _clean_body(text: str, title: str, credits: Credits) -> str:
    paras = paragraphs(text)
    if paras and title and clean_title(paras[0]) == title:
        paras = paras[1:]
    while paras and _is_meta_line(paras[0]):
        paras = paras[1:]
    paras = strip_credits(paras, credits)
    paras = strip_boilerplate(paras)
    return "\n\n".join(paras)


def _date_candidates(meta: PageMeta, sel: dict, hints: Mapping, lines, title, tz, now):
    out: list = [("selector", sel.get("date"))]
    for name in DATE_NAMES:
        if meta.meta.get(name):
            out.append(("meta", meta.meta[name]))
    out.append(("json-ld", meta.ld.get("datePublished")))
    out.append(("list", hints.get("date")))

    def visible():  # only read the page text when the cheaper layers had no good date
        found = pub.text_date(lines(), title, tz, now)
        return found.text if found is not None else None

    out.append(("text", visible))
    return out


def _author(meta: PageMeta, sel: dict, credits: Credits, lines, page_text: str) -> tuple[str, str]:
    if sel.get("author"):
        return clean_value(sel["author"], stop_at_space=False), "selector"
    found = meta.first(AUTHOR_NAMES)
    if found and not found[1].startswith("http") and len(found[1]) <= 60:
        return found[1], "meta"
    if meta.ld.get("author") and len(meta.ld["author"]) <= 80:
        return meta.ld["author"], "json-ld"
    if credits.author:
        return credits.author, "text"
    if not re.search("作者|记者", page_text):
        return "", ""
    for line in lines()[:120]:
        if len(line) <= 120:
            m = _AUTHOR_TEXT.search(line)
            if m:
                return m.group(1).strip(), "text"
    return "", ""


def _original_source(meta, sel, credits, lines, title, page_text) -> tuple[str, str]:
    if sel.get("source"):
        value = re.sub(r"^\s*(?:来源|Source)\s*[:：]\s*", "", sel["source"], flags=re.I)
        return clean_value(value), "selector"
    found = meta.first(SOURCE_NAMES)
    if found and not found[1].startswith("http"):
        return clean_value(found[1]), "meta"
    if credits.source:
        return credits.source, "text"
    if not re.search("来源|出处|Source", page_text):
        return "", ""
    page = lines()
    start = 0
    key = (title or "")[:12]
    if key:
        start = next((i for i, line in enumerate(page) if key in line), 0)
    value = find_source(page[start:start + 25] if start else page[:80])
    return (value, "text") if value else ("", "")


def _run(result: Extracted, raw: bytes, url: str, headers, selectors, fetched_at, hints) -> None:
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
    sel = _selected(tree, selectors, errors)
    cache: list = []

    def lines() -> list[str]:  # the page's visible lines, walked once and only if needed
        if not cache:
            cache.append(page_lines(tree))
        return cache[0]

    result.site, src["site"] = _site(meta, url)
    result.title, src["title"] = _title(tree, meta, sel, hints, result.site)
    result.attachments = find_attachments(tree, url)

    if sel.get("body"):
        raw_body, src["body"] = sel["body"], "selector"
    else:
        generic = generic_body(tree)
        # Known CMS containers only matter on Chinese pages, where trafilatura drops most.
        cms = cms_body(tree) if _HAN.search(generic[:500] or (result.title or "")) else ""
        raw_body = pick_body(generic, cms)
        src["body"] = "trafilatura" if raw_body is generic else "cms"
    credits = Credits()
    result.body = _clean_body(raw_body, result.title or "", credits)
    if not credits.editors and ("责任编辑" in text or "Responsible editor" in text):
        for line in lines():
            if ("责任编辑" in line or "Responsible editor" in line) and len(line) <= 120:
                strip_credits([line], credits)
                break
    result.editor = credits.editor
    if result.editor:
        src["editor"] = "text"

    fallback_lang = meta.html_lang or meta.ld.get("inLanguage")
    result.lang = detect_language(f"{result.title or ''}\n{result.body}", fallback_lang)
    if result.lang == "zh" and "号" in text:
        result.doc_number = find_doc_number(lines())
        if result.doc_number:
            src["doc_number"] = "text"
    host = (urlsplit(url).hostname or "").lower()
    tz = BEIJING if (host.endswith(".cn") or result.lang == "zh") else timezone.utc
    choice = pub.choose(_date_candidates(meta, sel, hints, lines, result.title, tz, now), url,
                        now=now, tz=tz)
    result.published, result.published_text, result.date_source = (
        choice.value, choice.text, choice.source)
    if choice.source:
        src["published"] = choice.source

    result.author, src["author"] = _author(meta, sel, credits, lines, text)
    result.original_source, src["original_source"] = _original_source(
        meta, sel, credits, lines, result.title, text)
    for key in ("author", "original_source", "title"):
        if not getattr(result, key):
            setattr(result, key, None)
            src.pop(key, None)
    if not result.body and not result.title:
        errors.append("no article title or text found")
    if errors:
        result.error = "; ".join(errors)


def extract(raw: bytes, url: str, *, headers: Mapping | None = None,
            selectors: Mapping[str, str] | None = None, fetched_at: datetime | None = None,
            hints: Mapping[str, str] | None = None) -> Extracted:
    """Extract an article from a page's raw bytes; never raises, sets ``error`` instead."""
    result = Extracted(url=url)
    try:
        _run(result, raw, url, headers, selectors or {}, fetched_at, hints or {})
    except Exception as exc:  # one bad page must never stop a crawl
        result.error = f"extraction failed: {type(exc).__name__}: {exc}"
    return result
