"""The article's headline: meta, selector, a heading that matches ``<title>``, or ``<title>``
without the site and column names around it.
"""

from __future__ import annotations

import re

_SPACED_SEPARATORS = re.compile(r"\s+[-|–—_·:：]\s+|\s*[|｜_–—]\s*|\s*-{2,}\s*")
_TIGHT_HYPHEN = re.compile(r"-(?=[^-]{1,14}$)")
_TITLED_XPATH = ("//*[self::div or self::p or self::span or self::td or self::strong or self::h4]"
                 "[contains(@class, 'title') or contains(@class, 'Title') or contains(@id, 'title')"
                 " or contains(@id, 'Title')]")
# A heading element that also holds the date line: keep the part before the labels.
_META_LABEL = re.compile(r"\s*(?:来源|作者|发布时间|发布日期|时间|日期|浏览|点击|字号|编辑)\s*[:：]")


def clean_title(title: str | None) -> str:
    return re.sub(r"\s+", " ", title or "").strip()


_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                             "«": '"', "»": '"', "–": "-", "—": "-", "\xa0": " "})


def fold_typography(text: str) -> str:
    """Curly quotes, guillemets and dashes as their plain forms, spaces collapsed, case folded."""
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHY)).strip().casefold()


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def strip_site_suffix(title: str, site_names: list[str] | None = None,
                      only_named: bool = False) -> str:
    """``Headline - Xinhua``, ``标题_中国政府网``, ``栏目--标题`` to the headline alone.

    With ``only_named`` (an OpenGraph title, which is the headline unless it repeats the
    site), only segments that are one of ``site_names`` go: ``Part one – part two`` stays.
    """
    title = clean_title(title)
    parts = [p.strip() for p in _SPACED_SEPARATORS.split(title) if p.strip()]
    sites = {s.lower() for s in (site_names or []) if s}
    if only_named:
        keys = {_key(s) for s in sites if _key(s)}
        if len(parts) >= 2 and _key(parts[-1]) in keys:
            title = title[:title.rfind(parts[-1])].rstrip(" -|–—_·:：")
        elif len(parts) >= 2 and _key(parts[0]) in keys:
            title = title[title.find(parts[0]) + len(parts[0]):].lstrip(" -|–—_·:：")
        return _strip_tight_tail(title, sites)
    if len(parts) >= 2:
        kept = [p for p in parts if p.lower() not in sites] or parts
        # Headlines come first (标题_栏目_网站) unless the first segment is a short column
        # or site name before a much longer headline (栏目--标题).
        longest = max(kept, key=len)
        first = kept[0] if len(kept[0]) >= 0.4 * len(longest) else longest
        if len(first) >= 0.25 * len(title) or sites & {p.lower() for p in parts}:
            title = first
    return _strip_tight_tail(title, sites)


def _strip_tight_tail(title: str, sites: set[str]) -> str:
    """标题-新华网: a short tail after an unspaced hyphen, when the head is long."""
    m = _TIGHT_HYPHEN.search(title)
    tail = title[m.end():] if m else ""
    # Only a Chinese tail (English "mid-November" is a word) or a known site name.
    if m and m.start() >= 8 and not re.search(r"\d", tail) and (
            re.search(r"[\u4e00-\u9fff]", tail) or tail.strip().lower() in sites):
        title = title[:m.start()].strip()
    return title


def _first_line(el) -> str:
    text = clean_title(el.text_content())
    m = _META_LABEL.search(text)
    if m and m.start() >= 4:
        text = text[:m.start()].strip()
    return text


def headings(tree, *, tags=("h1", "h2", "h3"), titled: bool = True) -> list[str]:
    """Heading-like texts: h1-h3, then (with ``titled``) elements classed or id'd as a title."""
    out = []
    elements = list(tree.iter(*tags))
    if titled:
        elements += tree.xpath(_TITLED_XPATH)
    for el in elements:
        if el.xpath("ancestor::a|ancestor::li|ancestor::head|ancestor::nav|descendant::li"):
            continue
        text = _first_line(el)
        if 4 <= len(text) <= 150:
            out.append(text)
    return out


def heading_matching(candidates: list[str], page_title: str,
                     site_names: list[str] | None = None) -> str | None:
    """The longest heading contained in ``<title>`` (or containing it): the cleanest headline.

    A heading that is the site's name (a blog's masthead ``h1``), or the part of ``<title>``
    its site segments are, is not the headline."""
    page_title = clean_title(page_title)
    if not page_title:
        return None
    names = {_key(n) for n in site_names or [] if _key(n)}
    head = _key(strip_site_suffix(page_title, site_names))
    found = []
    title_key = _key(page_title)
    for c in candidates:
        key = _key(c)
        if key in names or (head != title_key and key in title_key and key not in head
                            and head not in key):
            continue  # the site's name, or the title's segment that is not the headline
        if c in page_title and len(c) >= min(8, len(page_title)):
            found.append(c)
        elif page_title in c and len(page_title) >= 0.6 * len(c):
            found.append(page_title)  # the heading adds a prefix or a byline: drop it
    return _strip_tight_tail(max(found, key=len), {n.lower() for n in site_names or []}) \
        if found else None


def line_before_date(lines: list[str]) -> str | None:
    """On pages whose ``<title>`` is only the site, the headline sits above the date line."""
    label = re.compile(r"^(?:发布时间|发布日期|发表时间|时间|日期|来源|作者)\s*[:：]|"
                       r"^\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}")
    for i, line in enumerate(lines[:400]):
        if i and label.search(line) and len(line) <= 100:
            prev = lines[i - 1].strip()
            if 6 <= len(prev) <= 200 and not label.search(prev):
                return prev
    return None
