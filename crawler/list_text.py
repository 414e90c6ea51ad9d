"""How a list prints its links: titles (the ``title`` attribute when the text is cut
short), dates beside or inside them (``2026-11-26``, ``2026/11/26``, ``[11-26]``), and
whether a title has the length of news rather than of a menu label."""

from __future__ import annotations

import re

from crawler.extraction.dates import find_dates

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_MONTH_DAY = re.compile(r"(?<![\d/.-])[\[(（【]?(?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01])"
                        r"[\])）】]?(?![\d/.%-])")
_CN_MONTH_DAY = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\d|3[01])日")
_RELATIVE = re.compile(r"\d{1,2}\s*(?:分钟|小时|天)前|刚刚|昨天|前天|\d{1,2}\s+(?:minutes?|hours?|"
                       r"days?)\s+ago|yesterday|just now", re.I)
_YEAR_MONTH = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.年](?:0?[1-9]|1[0-2])月?(?![\d])")


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
    """The date written in a list item's text: a full date, a year and month,
    ``[MM-DD]``, ``11月26日``, or a relative one (``3小时前``, ``2 hours ago``)."""
    if not text or len(text) > 2000:
        return None
    found = find_dates(text)
    if found:
        return found[0].text
    for pattern in (_YEAR_MONTH, _MONTH_DAY, _CN_MONTH_DAY):
        m = pattern.search(text)
        if m:
            return m.group(0).strip("[]()（）【】")
    m = _RELATIVE.search(text)
    return m.group(0) if m else None
