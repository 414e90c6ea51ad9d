"""Choosing the publication date among what the page offers.

Candidates come in order of trust (selector, meta, JSON-LD, the list page's hint, the
visible date line near the title); the first one that is not in the future and agrees
with the date in the URL wins. When every page date contradicts a full URL date (China
Daily once printed Buddhist-era years), the URL date wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .dates import FoundDate, find_dates, month_day, parse_date, relative_date
from .text import headline_index, under_headline

FUTURE_SKEW = timedelta(hours=6)
_URL_PATTERNS = [
    # /2025-11/04/, /2025/11/04/, /2025-11-04/
    (re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]([01]\d)[-/_]([0-3]\d)(?!\d)"), "day"),
    # /202511/04/ and /20251104/ and t20251104_ and c_20251104
    (re.compile(r"(?<!\d)((?:19|20)\d{2})([01]\d)/?([0-3]\d)(?!\d)"), "day"),
    # /n3/2025/1104/
    (re.compile(r"/((?:19|20)\d{2})/([01]\d)([0-3]\d)/"), "day"),
    # /art/2025/11/3/art_1229_5.html (Zhejiang-style, no leading zeros)
    (re.compile(r"/((?:19|20)\d{2})/(1[0-2]|0?[1-9])/([12]\d|3[01]|0?[1-9])/"), "day"),
    # /202511/ and /2019/10/ (month only)
    (re.compile(r"/((?:19|20)\d{2})[-_/]?([01]\d)/"), "month"),
    # /art/2025/ (year only)
    (re.compile(r"/((?:19|20)\d{2})/"), "year"),
]
# Labels that introduce the publication date in visible text, and ones that do not.
_PUB_LABEL = re.compile(r"(?:发布时间|发布日期|发表时间|发表日期|发文日期|公布日期|"
                        r"发表于|发布于|时间|日期|Published(?: on)?|Posted(?: on)?|"
                        r"Release(?:d)?(?: Date)?|Date|Veröffentlicht(?: am)?|Publiziert(?: am)?|"
                        r"Erstellt(?: am)?|Erschienen(?: am)?|Erscheinungsdatum|Datum|Publié le|Publicado(?: el)?|"
                        r"Pubblicato(?: il)?|"
                        r"Opublikowano)\s*[:：]?\s*$", re.I)
# A forum's or blog's post line: "由 user 于 2019-09-07 13:43 发表", "Posted by jane on …".
_POSTED_BY = re.compile(r"(?:由\s*\S{1,20}\s*于|(?:posted|written) by \S.{0,30}? on|"
                        r"von \S.{0,30}? am)\s*$", re.I)
_POST_LINE = re.compile(r"(?:发表于|发布于|posted on|veröffentlicht am)\s*[:：]?\s*$", re.I)
_POSTED_AFTER = re.compile(r"\s*(?:发表|发布|$|[|·,]|\s)", re.I)
# When a document was signed, not published: used only when nothing else is dated.
_SIGNED_LABEL = re.compile(r"(?:成文日期|成文时间|印发日期|签发日期)\s*[:：]?\s*$")
_UPDATED_LABEL = re.compile(r"(?:更新|Updated|Modified|Aktualisiert|Mis à jour|Actualizado|Atualizado|"
                            r"Aggiornato)\s*(?:时间|日期|on|at|am|le|el|em|il)?\s*[:：]?\s*$", re.I)
_PUB_LABEL_START = re.compile(r"^\s*(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]")
_NOT_PUB_LABEL = re.compile(r"(?:(?:更新|修改|修订|Updated|Modified|Aktualisiert|Mis à jour|Actualizado|"
                            r"Atualizado|Aggiornato|Termin|截止|有效期|评论|报名|开幕|举办|注册|"
                            r"Registriert|Mitglied seit|Dabei seit|Joined|Member since|Registered)"
                            r"[^:：]{0,4}[:：]?|今天是|今日是|现在是|当前时间[:：]?)\s*$", re.I)


@dataclass(frozen=True)
class UrlDate:
    """The date a URL carries and how precise it is (``day``, ``month`` or ``year``)."""

    value: date
    precision: str
    text: str


def url_date(url: str) -> UrlDate | None:
    """The date written in a URL's path, the most precise form first."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else ""
    for pattern, precision in _URL_PATTERNS:
        for m in pattern.finditer(path):
            try:
                year, month = int(m.group(1)), int(m.group(2)) if precision != "year" else 1
                day = int(m.group(3)) if precision == "day" else 1
                return UrlDate(date(year, month, day), precision, m.group(0))
            except ValueError:
                continue
    return None


def agrees(value: datetime, ud: UrlDate | None, tz) -> bool:
    """Whether a page date is consistent with the URL date (a day of slack for zones)."""
    if ud is None:
        return True
    local = value.astimezone(tz).date()
    if ud.precision == "day":
        return abs((local - ud.value).days) <= 1
    if ud.precision == "month":
        months = (local.year - ud.value.year) * 12 + local.month - ud.value.month
        return 0 <= months <= 1 or (months == -1 and local.day >= 28)
    return local.year in (ud.value.year, ud.value.year + 1) or (
        local.year == ud.value.year - 1 and local.month == 12)


_DATELINE_NEXT = re.compile(r"^\s*(?:[\d:：]|来源|作者|编辑|责编|记者|发布|浏览|阅读|点击|字号|字体|星期|周|由|"
                            r"[【\[(（|｜/丨·]|分类|出处|稿源|$)")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_dateline(line: str, found: FoundDate) -> bool:
    """A date followed by prose (2009年5月14日在南京逝世) is a fact in the story, not a dateline."""
    after = line[found.start + len(found.text):]
    return not (after.strip() and _HAN.match(after.strip()[0]) and not _DATELINE_NEXT.match(after))


# A date written for machines (2022-12-07T10:10:52+01:00): mostly a hidden microdata
# copy, often of the update time; a dateline only when the lines show no other date.
MACHINE_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# A line that is only a date's label, its date on the next line (label and value in
# separate elements: <dt>Erschienen am</dt><dd>15.12.2022</dd>).
_LABEL_LINE = re.compile(r"^\s*[^\d\s][^\d]*[:：]?\s*$")
# The caption of an embedded Instagram post ("Ein Beitrag geteilt von jane (@jane) am …"):
# the post's date, not the article's.
_EMBEDDED_POST = re.compile(r"(?:Beitrag geteilt von|post shared by|publication partagée par|"
                            r"publicación compartida de)", re.I)
# What follows the first date of a range: a dash and the second date's digits.
_RANGE_NEXT = re.compile(r"\s*(?:[-–—]|bis|to|au|al)\s*\d{1,4}[./-]", re.I)


class _Relative(Exception):
    """The dateline is relative: dates further down are comments or links."""


def _scan(window: list[str], title: str | None, tz, now: datetime, updated: bool,
          stop_on_relative: bool, post_lines: bool = False
          ) -> tuple[FoundDate | None, FoundDate | None, FoundDate | None]:
    """``(labelled, best dateline, signing date)`` among the lines of ``window``; with
    ``post_lines``, only a blog's or forum's post line counts as labelled."""
    best: FoundDate | None = None
    signed: FoundDate | None = None
    machine: FoundDate | None = None  # only when the window shows no other date
    label = ""  # a line that is only a label ("Erschienen am") names the date of the next
    for line in window:
        if len(line) > 200:
            if best is not None:
                break  # the text begins after a dateline: its dates are the story's facts
            label = ""
            continue  # a paragraph, not a date line
        found_here = find_dates(line, tz)
        if any(MACHINE_STAMP.match(f.text) for f in found_here):
            machine = machine or next(f for f in found_here if MACHINE_STAMP.match(f.text))
            found_here = [f for f in found_here if not MACHINE_STAMP.match(f.text)]
        lead, label = label, (line if len(line) <= 40 and _LABEL_LINE.match(line) else "")
        if (stop_on_relative and not found_here and best is None and len(line) <= 60
                and not (title and title.strip()[:12] in line)):
            rel = relative_date(line, now, tz)
            if rel is not None and _is_dateline(line, rel):
                raise _Relative
        for found in found_here:
            before = line[:found.start]
            if lead and not before.strip():
                before = lead + " "
            if updated:
                if _UPDATED_LABEL.search(before):
                    return found, None, None
                continue
            if _NOT_PUB_LABEL.search(before) or _EMBEDDED_POST.search(before):
                continue
            if _SIGNED_LABEL.search(before):
                signed = signed or found
                continue
            after = line[found.start + len(found.text):]
            if _RANGE_NEXT.match(after):
                break  # 28.01.2022 – 29.01.2022: an event's period, not a dateline
            post_line = bool(_POST_LINE.search(before) or (
                _POSTED_BY.search(before) and _POSTED_AFTER.match(after)))
            if post_line or (not post_lines and (_PUB_LABEL.search(before)
                                                 or "来源" in after[:40])):
                return found, None, None
            if not _is_dateline(line, found):
                continue
            if best is None or (found.has_time and not best.has_time):
                best = found
    return None, best or machine, signed


def text_date(lines: list[str], title: str | None, tz, now: datetime,
              relative: bool = False, updated: bool = False,
              labelled_only: bool = False) -> FoundDate | None:
    """The visible publication date: a labelled date near the title, else the first dateline;
    else a dateline just above the headline; else a labelled post line anywhere (a blog's
    or forum's ``发表于 …``, ``由 user 于 … 发表``, ``Posted on …`` under the text).

    With ``relative``, only relative forms (3小时前, 昨天 14:20) are looked for; with
    ``updated``, only dates labelled as updates (a last resort when nothing else is dated);
    with ``labelled_only``, only a date a publication label introduces.
    """
    start = 0
    if title:
        key = title.strip()[:12]
        for i, line in enumerate(lines):
            if key and key in line and len(line) < len(title) * 1.5 + 20:
                start = i
                break
    window = lines[start:start + 25] if start else lines[:80]
    if relative:
        for line in window:
            if len(line) <= 60 and not (title and title.strip()[:12] in line):
                rel = relative_date(line, now, tz)
                if rel is not None and not _is_dateline(line, rel):
                    rel = None
                if rel is None and _PUB_LABEL_START.match(line):
                    rel = month_day(line, now, tz)  # 发布时间：10-08 12:00
                if rel is not None:
                    return rel
        return None
    try:
        labelled, best, signed = _scan(window, title, tz, now, updated, True)
    except _Relative:
        return None
    if labelled or updated:
        return labelled
    if labelled_only:
        return None
    if start:  # a dateline just above the headline: labelled, it beats an unlabelled one below
        above = _scan(lines[max(0, start - 4):start], title, tz, now, False, False)
        if above[0] is not None:
            return above[0]
        best = best or above[1]
    if best is None and signed is None:
        return _scan(lines, title, tz, now, False, False, post_lines=True)[0]
    return best or signed


def near_title_date(lines: list[str], title: str | None, tz, now: datetime,
                    span: int = 8) -> FoundDate | None:
    """The dateline right under the headline (a short line among the next ``span``,
    before the text begins) or just above it: what a reader sees as the article's date.
    None when the headline's own line is not found."""
    start = headline_index(lines, title)
    if start is None:
        return None
    short = [line for line in under_headline(lines, start, span, 120) if not _is_sentence(line)]
    # The lines before the first long one: a dateline there is the article's, and a
    # labelled date past the text that follows it is a fact of the story.
    window = lines[start + 1:start + span + 1]
    head = [line for line in window[:_first_long(window, 120)] if not _is_sentence(line)]
    try:
        labelled, best, _ = _scan(head, title, tz, now, False, True)
        if labelled is None and best is None:
            labelled, best, _ = _scan(short, title, tz, now, False, True)
    except _Relative:
        return None
    if labelled:
        return labelled
    # Just above the headline: labelled, it beats an unlabelled date below.
    above = _scan([line for line in lines[max(0, start - 2):start] if len(line) <= 80],
                  title, tz, now, False, False)
    return above[0] or best or above[1] or _glued_dateline(lines, start, span, tz)


# A dateline that opens the text, before a dash ("Berlin, 29.11.2022 – Die Regierung…",
# "29.11.2022 (dpa) - …") or as a sentence of its own ("31. Oktober 2023. Dragqueens
# sind …"), or that closes the standfirst it is glued to ("…its recovery? Monday,
# 6 January 2020").
_PLACE_LEAD = re.compile(r"^\s*(?:[^\W\d_][\w .'/-]{0,30},\s*)?$")
_DASH_AFTER = re.compile(r"^\s*(?:\([^)]{1,20}\)\s*)?[–—-]\s+\w")
_STOP_AFTER = re.compile(r"^\.\s+[^\W\d_]")  # "31. Oktober 2023. Dragqueens sind …"
_SENTENCE_BEFORE = re.compile(r"[.!?…\"”»]\s*(?:[^\W\d_]+,?\s+)?$")


def _first_long(lines: list[str], longest: int) -> int:
    """The index of the first line longer than ``longest`` (the length when none is)."""
    return next((i for i, line in enumerate(lines) if len(line) > longest), len(lines))


def _glued_dateline(lines: list[str], start: int, span: int, tz) -> FoundDate | None:
    """The dateline glued to the first paragraph or the standfirst under the headline:
    the first long lines ``under_headline`` passes over (a caption, the standfirst, the
    first paragraph)."""
    long_lines = [line for line in lines[start + 1:start + span + 1] if len(line) > 120][:3]
    for line in long_lines:
        found = find_dates(line, tz)
        if not found:
            continue
        first, last = found[0], found[-1]
        before, after = line[:first.start], line[first.start + len(first.text):]
        if _PLACE_LEAD.match(before) and _DASH_AFTER.match(after) or (
                not before.strip() and _STOP_AFTER.match(after)):
            return first
        if (not line[last.start + len(last.text):].strip()
                and _SENTENCE_BEFORE.search(line[:last.start])):
            return last
    return None


_WORD = re.compile(r"[^\W\d_]{2,}")
_BYLINE_LEAD = re.compile(r"^\s*(?:von|by|par|por|door|di)\s", re.I)


def _is_sentence(line: str) -> bool:
    """A short sentence that mentions a date ("Das Urteil vom 24.01.2026 bleibt."), not a
    dateline: it ends as a sentence does and has a few words besides the date. A byline
    that ends with a full stop ("Von Jane Doe 31. Oktober 2023.") is still a dateline, and
    so is one that ends with a clock's ``a.m.``/``p.m.``."""
    return (bool(re.search(r"(?<![ap]\.m)[.!?。！？]\s*$", line, re.I))
            and len(_WORD.findall(line)) >= 4
            and not _BYLINE_LEAD.match(line))


def _fix_year(value: datetime, ud: UrlDate, tz) -> datetime:
    """A wrong year (Buddhist era, a typo) on the URL's month and day takes the URL's year."""
    local = value.astimezone(tz)
    if local.year != ud.value.year and (local.month, local.day) == (ud.value.month, ud.value.day):
        try:
            return local.replace(year=ud.value.year)
        except ValueError:
            return value
    return value


@dataclass
class DateChoice:
    """The chosen date, the text it came from, and where."""

    value: datetime | None = None
    text: str | None = None
    source: str | None = None


_CLOCK = re.compile(r"\d{1,2}\s*[:：时]\s*[0-5]\d|^\s*\d{10}(?:\d{3})?(?:\.\d+)?\s*$")


def _has_time(text: str | datetime, value: datetime) -> bool:
    """Whether a date says its time of day (``2025-11-04 09:30``), not just the day."""
    if isinstance(text, datetime):
        return (value.hour, value.minute, value.second) != (0, 0, 0)
    return bool(_CLOCK.search(text))


def _candidate(source: str, text, ud: UrlDate | None, now: datetime, tz):
    """``(choice, agrees with the URL)`` for a usable candidate, else None."""
    if callable(text):
        text = text()
    if not text:
        return None
    value = text if isinstance(text, datetime) else parse_date(text, now=now, default_tz=tz)
    if value is not None and ud is not None and ud.precision == "day":
        value = _fix_year(value, ud, tz)
    if value is None or value > now + FUTURE_SKEW or value.year < 1990:
        return None
    shown = text if isinstance(text, str) else value.isoformat()
    if value.utcoffset() == timedelta(0) and tz.utcoffset(value.replace(tzinfo=None)) != (
            timedelta(0)):
        value = value.astimezone(tz)  # a UTC stamp: the same instant, the page's day
    return DateChoice(value, shown.strip(), source), agrees(value, ud, tz), _has_time(text, value)


def _same_day_with_time(day: DateChoice, later, ud, now, tz) -> DateChoice:
    """A later candidate that gives the time on the same day, else the day-only one."""
    local_day = day.value.astimezone(tz).date()
    for source, text in later:
        if source in _DAY_ONLY:
            continue  # it never gives a time: not worth its cost here
        found = _candidate(source, text, ud, now, tz)
        if found is not None and found[1] and found[2] and (
                found[0].value.astimezone(tz).date() == local_day):
            return found[0]
    return day


# Layers that give a day and never a time of day (htmldate answers YYYY-MM-DD).
_DAY_ONLY = {"htmldate"}
# Layers whose date the reader does not see: a visible date on another day overrules them.
_UNSEEN = {"meta", "json-ld", "htmldate"}


def _seen(choice: DateChoice, visible, ud, now, tz) -> DateChoice:
    """The first visible date, when it contradicts a metadata winner (a template's
    ``dateModified``, a CMS default); the winner when it agrees or nothing is visible."""
    day = choice.value.astimezone(tz).date()
    for source, text in visible:
        found = _candidate(source, text, ud, now, tz)
        if found is None or not found[1]:
            continue
        if found[0].value.astimezone(tz).date() == day:
            return choice
        return DateChoice(found[0].value, found[0].text, "text" if source == "text" else
                          "time")
    return choice


def choose(candidates: list[tuple], url: str, *, now: datetime, tz,
           visible: list[tuple] = ()) -> DateChoice:
    """Pick the publication date from ``(source, text)`` candidates in order of trust.

    ``text`` may be a callable, called only when needed. A winner that gives only the day
    (a list page's ``2025-11-04``) yields to the first later candidate that gives the time
    on that same day (english.gov.cn prints only an "Updated" time: better than midnight).
    A winner from metadata the reader never sees yields to the first of ``visible`` (the
    page's date element, a labelled dateline) when that names another day.
    """
    choice = _choose(candidates, url, now=now, tz=tz)
    if choice.source in _UNSEEN and visible:
        return _seen(choice, visible, url_date(url), now, tz)
    return choice


def _choose(candidates: list[tuple], url: str, *, now: datetime, tz) -> DateChoice:
    ud = url_date(url)
    first_valid: DateChoice | None = None
    for i, (source, text) in enumerate(candidates):
        found = _candidate(source, text, ud, now, tz)
        if found is None:
            continue
        choice, agreed, has_time = found
        if agreed:
            if has_time:
                return choice
            return _same_day_with_time(choice, candidates[i + 1:], ud, now, tz)
        if first_valid is None:
            first_valid = choice
    if ud is not None and ud.precision == "day":
        value = datetime(ud.value.year, ud.value.month, ud.value.day, tzinfo=tz)
        if value <= now + FUTURE_SKEW:
            return DateChoice(value, ud.text, "url")
    return first_valid or DateChoice()
