"""Date text to aware datetimes: every form Chinese and English news pages write.

``parse_date`` reads one date string; ``find_dates`` finds every date in running text.
A date without a zone is read in ``default_tz`` (Beijing time unless told otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def zone_named(name: str):
    """The tzinfo of an IANA zone name (``Asia/Shanghai`` is ``BEIJING``); ValueError if unknown."""
    if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC"):
        return BEIJING
    from crawler import times

    return times.zone(name)

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTHS.update({"sept": 9, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
                "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
                "december": 12})

# Month names of the other languages news is written in (German, French, Spanish,
# Italian, Portuguese, Dutch, Polish genitive), for ``19. Juli 2014``, ``3 mars 2020``,
# ``5 de mayo de 2022``.
_FOREIGN_MONTHS = {name: month for month, names in enumerate((
        "januar jänner janvier enero gennaio janeiro januari stycznia",
        "februar feber février fevrier febrero febbraio fevereiro februari lutego",
        "märz maerz mars marzo março marco maart marca",
        "april avril aprile abril kwietnia",
        "mai mayo maggio maio mei maja",
        "juni juin junio giugno junho czerwca",
        "juli juillet julio luglio julho lipca",
        "august août aout agosto augustus sierpnia",
        "september septembre septiembre setiembre settembre setembro września wrzesnia",
        "oktober octobre octubre ottobre outubro października pazdziernika",
        "november novembre noviembre novembro listopada",
        "dezember décembre decembre diciembre dicembre dezembro grudnia"), 1)
                   for name in names.split()}
_FOREIGN_ABBR = {"jän": 1, "mär": 3, "mrz": 3, "okt": 10, "dez": 12, "janv": 1, "févr": 2,
                 "fevr": 2, "avr": 4, "juil": 7, "déc": 12, "ene": 1, "abr": 4, "ago": 8,
                 "dic": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10}
_FOREIGN_MONTH_RE = ("(?P<mon>" + "|".join(sorted({*_FOREIGN_MONTHS, *_FOREIGN_ABBR}, key=len,
                                                   reverse=True)) + r")\.?")
_MONTHS.update(_FOREIGN_ABBR)
_MONTHS.update(_FOREIGN_MONTHS)
_MONTH_RE = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
             r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# The time after a date: `09:30`, `9:30:0` (a trailing one-digit field), `下午 3:30`,
# `3:30 PM`, `- 13:30`, `um 13:30 Uhr`, `à 14h30`, and a zone.
_TIME = (r"(?:(?:[\sT,，]*|\s*(?:[-–|·]|um|à|a las|at)\s*)(?:(?P<ampm1>上午|下午|晚上)\s*)?"
         r"(?P<H>[012]?\d)\s*(?:[:：时]|h(?=[0-5]\d))\s*(?P<M>[0-5]\d)"
         r"(?:\s*[:：分]\s*(?P<S>[0-5]?\d)(?!\d)(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?"
         r"\s*(?P<tz>Z|(?:UTC|GMT)\s*[+-]\d{1,2}(?::?\d{2})?(?!\d)|[+-]\d{2}:?\d{2}|"
         r"(?:UTC|GMT|CST|CDT|EST|EDT|MST|MDT|PST|PDT|BJT|CET|CEST|MEZ|MESZ|BST)\b|北京时间)?)?")
_SEP = r"[-/.]"

# Numeric forms, most specific first. Each yields groups y, m, d and the time groups.
_NUMERIC = [
    # 2025-11-04-09:30:00 (gov.cn firstpublishedtime), ISO 8601, 2025/11/04, 2025.11.04
    re.compile(r"(?<!\d)(?P<y>(?:19|20|25)\d{2})" + _SEP + r"(?P<m>[01]?\d)" + _SEP
               + r"(?P<d>[0-3]?\d)(?!\d)(?:-(?=\d{1,2}:))?" + _TIME, re.I),
    # 2025年11月04日 09:30, 2025年11月4日
    re.compile(r"(?<!\d)(?P<y>(?:19|20|25)\d{2}|\d{2})\s*年\s*(?P<m>[01]?\d)\s*月\s*"
               r"(?P<d>[0-3]?\d)\s*[日号]?" + _TIME, re.I),
    # 20251104 (compact), with optional time 093000
    re.compile(r"(?<!\d)(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)"
               r"(?:[T\s]?(?P<H>[012]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)?)?(?!\d)"),
    # 19-09-26 12:11 (two-digit year, only with a time to be unambiguous enough)
    re.compile(r"(?<![\d/.-])(?P<y>\d{2})[-/](?P<m>[01]?\d)[-/]"
               r"(?P<d>[0-3]?\d)(?!\d)\s+(?P<H>[012]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?"),
    # 04.05.20 14:50: with dots, a two-digit year comes last (day first), as in Europe
    re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>\d{2})(?![\d.])\s+"
               r"(?P<H>[012]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?"),
    # 26/12/2019 and 12/26/2019: a slash date only where one field cannot be a month
    # (04/11/2025 is ambiguous and left alone)
    re.compile(r"(?<![\d/.-])(?P<d>1[3-9]|2\d|3[01])/(?P<m>0?[1-9]|1[0-2])/"
               r"(?P<y>(?:19|20)\d{2})(?![\d/])" + _TIME, re.I),
    re.compile(r"(?<![\d/.-])(?P<m>0?[1-9]|1[0-2])/(?P<d>1[3-9]|2\d|3[01])/"
               r"(?P<y>(?:19|20)\d{2})(?![\d/])" + _TIME, re.I),
    # 04/11/2025 is ambiguous; only day-first with a dot (04.11.2025) is taken
    re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\.\s?(?P<y>(?:19|20)\d{2})(?!\d)"
               + _TIME, re.I),
]
_MONTH_DAY_YEAR = (_MONTH_RE + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s*(?P<y>(?:19|20)\d{2})"
                   r"(?!\d)")
_DAY_MONTH_YEAR = (r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH_RE
                   + r",?\s+(?P<y>(?:19|20)\d{2})(?!\d)")
# 19. Juli 2014, 3 mars 2020, 5 de mayo de 2022, 12 grudnia 2019
_FOREIGN_DAY_MONTH_YEAR = (r"(?<![\w.])(?P<d>[0-3]?\d)\.?\s*(?:de\s+)?" + _FOREIGN_MONTH_RE
                           + r"\s*(?:de\s+|del\s+)?,?\s*(?P<y>(?:19|20)\d{2})(?!\d)")
_EN_AT = r"(?:\s*(?:,|at|\||·)(?=\s*[012]?\d\s*:))?"  # November 4, 2025 at 9:30 / | 09:30
# A clock before the date (People's Daily English: 09:11, November 26, 2026).
_CLOCK_FIRST = (r"(?<![\d:])(?P<H>[012]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*"
                r"(?P<ampm>[ap]\.?m\.?)?\s*(?P<tz>UTC|GMT|BJT|CST)?\s*,?\s*(?:on\s+)?"
                r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?")
_ENGLISH = [
    # November 4, 2025 09:30 / Nov. 4, 2025 / Tuesday, November 4, 2025 / Nov 4, 2025 at 9:30 PM
    re.compile(r"\b" + _MONTH_DAY_YEAR + _EN_AT + _TIME, re.I),
    # 4 November 2025
    re.compile(r"\b" + _DAY_MONTH_YEAR + _EN_AT + _TIME, re.I),
    re.compile(_FOREIGN_DAY_MONTH_YEAR + _EN_AT + _TIME, re.I),
    # 09:11, November 26, 2026 / 7:21 PM, 25 November 2026
    re.compile(_CLOCK_FIRST + r"\b" + _MONTH_DAY_YEAR, re.I),
    re.compile(_CLOCK_FIRST + r"\b" + _DAY_MONTH_YEAR, re.I),
]
_CN_NUMERAL_DATE = re.compile(r"([〇○零OＯ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月"
                              r"([一二三四五六七八九十]{1,3})日")
_RELATIVE = re.compile(
    r"(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|小时|个小时|天|日|周|星期|个月|seconds?|"
    r"mins?|minutes?|hours?|hrs?|days?|weeks?)\s*(?:前|以前|ago)|(?P<now>刚刚|just now)|"
    r"(?P<day>今天|今日|昨天|昨日|前天|yesterday|today)\s*(?P<h>[012]?\d)?[:：]?(?P<mi>[0-5]\d)?",
    re.I)
_MONTH_DAY = re.compile(r"(?<![\d/.-])(?P<m>[01]?\d)(?:[-/.]|月)(?P<d>[0-3]?\d)日?(?![\d/.-])"
                        r"(?:\s*(?P<H>[012]?\d)[:：](?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?)?")
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})(?:\.\d+)?\s*$")

def _fixed(hours: int, name: str):
    return timezone(timedelta(hours=hours), name)


# "CST" is China Standard Time only on a Chinese page or site (whose default zone is
# Beijing time); elsewhere it is US Central Standard Time, as are its neighbours here.
_TZ_NAMES = {"Z": timezone.utc, "UTC": timezone.utc, "GMT": timezone.utc,
             "BJT": BEIJING, "北京时间": BEIJING, "CST": _fixed(-6, "CST"),
             "CDT": _fixed(-5, "CDT"), "EST": _fixed(-5, "EST"), "EDT": _fixed(-4, "EDT"),
             "MST": _fixed(-7, "MST"), "MDT": _fixed(-6, "MDT"), "PST": _fixed(-8, "PST"),
             "PDT": _fixed(-7, "PDT"), "CET": _fixed(1, "CET"), "MEZ": _fixed(1, "MEZ"),
             "CEST": _fixed(2, "CEST"), "MESZ": _fixed(2, "MESZ"), "BST": _fixed(1, "BST")}
_EIGHT_HOURS = timedelta(hours=8)


def is_beijing(tz) -> bool:
    """Whether a zone is Beijing time (China has one zone, UTC+8 all year)."""
    return tz is BEIJING or getattr(tz, "key", None) in ("Asia/Shanghai", "PRC") or (
        tz.utcoffset(None) == _EIGHT_HOURS if isinstance(tz, timezone) else False)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the value, the exact text, where it started, whether it had a time."""

    value: datetime
    text: str
    start: int
    has_time: bool


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS[s]


def _zone(label: str | None, default_tz):
    if not label:
        return default_tz
    if label.upper() == "CST" and is_beijing(default_tz):
        return BEIJING
    if label.upper() in _TZ_NAMES or label in _TZ_NAMES:
        return _TZ_NAMES.get(label.upper(), _TZ_NAMES.get(label))
    m = re.search(r"([+-])\s*(\d{1,2})(?::?(\d{2}))?$", label)  # +0800, +08:00, GMT+8
    if not m:
        return default_tz
    sign = -1 if m.group(1) == "-" else 1
    offset = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return timezone(sign * offset) if offset < timedelta(hours=15) else default_tz


def _build(g: dict, default_tz) -> datetime | None:
    year = int(g["y"])
    if year < 100:
        year += 2000 if year < 70 else 1900
    if g.get("mon"):
        key = g["mon"].lower().rstrip(".")
        month = _MONTHS.get(key) or _MONTHS[key[:3]]
    else:
        month = int(g["m"])
    hour = int(g["H"]) if g.get("H") else 0
    minute = int(g["M"]) if g.get("M") else 0
    second = int(g["S"]) if g.get("S") else 0
    ampm = (g.get("ampm") or g.get("ampm1") or "").lower().replace(".", "")
    if ampm in ("pm", "下午", "晚上") and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, int(g["d"]), hour, minute, second,
                        tzinfo=_zone(g.get("tz"), default_tz))
    except (ValueError, KeyError):
        return None


_YEAR_DIGITS = re.compile(r"\d\d")


def _iter_matches(text: str, default_tz):
    if _YEAR_DIGITS.search(text):  # every numeric and named form has a year's digits
        yield from _numeric_and_named(text, default_tz)
    for m in _CN_NUMERAL_DATE.finditer(text):
        try:
            year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
            value = datetime(year, _cn_number(m.group(2)), _cn_number(m.group(3)),
                             tzinfo=default_tz)
        except (ValueError, KeyError):
            continue
        yield FoundDate(value, m.group(0), m.start(), False)


def _numeric_and_named(text: str, default_tz):
    for pattern in _NUMERIC + _ENGLISH:
        for m in pattern.finditer(text):
            g = m.groupdict()
            value = _build(g, default_tz)
            if value is not None:
                yield FoundDate(value, m.group(0).strip(), m.start(), bool(g.get("H")))


def relative_date(text: str, now: datetime, default_tz=BEIJING) -> FoundDate | None:
    """``3小时前``, ``昨天 14:20``, ``2 hours ago`` against ``now``."""
    m = _RELATIVE.search(text)
    if not m:
        return None
    local_now = now.astimezone(default_tz)
    if m.group("now"):
        return FoundDate(local_now, m.group(0), m.start(), True)
    if m.group("day"):
        back = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1,
                "前天": 2}[m.group("day").lower()]
        day = local_now - timedelta(days=back)
        hour = int(m.group("h")) if m.group("h") else 0
        minute = int(m.group("mi")) if m.group("mi") else 0
        try:
            value = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError:
            return None
        return FoundDate(value, m.group(0).strip(), m.start(), m.group("h") is not None)
    n = {"半": 0.5, "一": 1, "两": 2, "几": 3}.get(m.group("n")) or float(m.group("n"))
    unit = m.group("unit").lower()
    if unit.startswith(("秒", "sec")):
        delta = timedelta(seconds=n)
    elif unit.startswith(("分", "min")):
        delta = timedelta(minutes=n)
    elif unit.startswith(("小", "个小", "hour", "hr")):
        delta = timedelta(hours=n)
    elif unit.startswith(("周", "星期", "week")):
        delta = timedelta(weeks=n)
    elif unit == "个月":
        delta = timedelta(days=30 * n)
    else:
        delta = timedelta(days=n)
    return FoundDate(local_now - delta, m.group(0).strip(), m.start(), True)


def month_day(text: str, now: datetime, default_tz=BEIJING) -> FoundDate | None:
    """``10-08 12:00`` or ``11月4日``: a date without its year, in the latest year not ahead of now."""
    m = _MONTH_DAY.search(text)
    if not m:
        return None
    local_now = now.astimezone(default_tz)
    # The latest year not ahead of now in which the day exists: 02-29 needs a leap year.
    for year in range(local_now.year, local_now.year - 8, -1):
        try:
            value = datetime(year, int(m.group("m")), int(m.group("d")), int(m.group("H") or 0),
                             int(m.group("M") or 0), int(m.group("S") or 0), tzinfo=default_tz)
        except ValueError:
            if (int(m.group("m")), int(m.group("d"))) == (2, 29):
                continue
            return None
        if value <= local_now + timedelta(days=1):
            return FoundDate(value, m.group(0).strip(), m.start(), m.group("H") is not None)
    return None


def find_dates(text: str, default_tz=BEIJING) -> list[FoundDate]:
    """Every absolute date in ``text``, in order of position, overlaps resolved to the longest."""
    found = sorted(_iter_matches(text, default_tz), key=lambda f: (f.start, -len(f.text)))
    out: list[FoundDate] = []
    end = -1
    for f in found:
        if f.start < end:
            continue
        out.append(f)
        end = f.start + len(f.text)
    return out


def parse_date(text: str | None, *, now: datetime | None = None,
               default_tz=BEIJING) -> datetime | None:
    """Parse one date string (ISO 8601, RFC 822, epoch seconds/ms, Chinese, relative...)."""
    if not text:
        return None
    text = str(text).strip()
    if not text:
        return None
    m = _EPOCH.match(text)
    if m:
        stamp = int(m.group(1))
        return datetime.fromtimestamp(stamp / 1000 if len(m.group(1)) == 13 else stamp,
                                      timezone.utc)
    if "," in text[:5] or re.search(r"\d{2}:\d{2}(:\d{2})? [+-]\d{4}$|GMT$", text):
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = None
        if value is not None:
            return value if value.tzinfo else value.replace(tzinfo=default_tz)
    found = find_dates(text, default_tz)
    if found:
        return found[0].value
    if now is not None:
        rel = relative_date(text, now, default_tz) or month_day(text, now, default_tz)
        if rel is not None:
            return rel.value
    return None
