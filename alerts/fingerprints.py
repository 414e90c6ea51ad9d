"""Language-independent fingerprints: what a rewrite or a translation keeps of a story.

Character shingles compare one language's wording; a retelling in other words, or in
another language, keeps the facts instead: its figures, its people, the bodies it names,
the documents it cites. :func:`extract` turns an article into a set of typed tokens that
read the same whichever language or script wrote them:

=========  ===============================================  ==========================
kind       written                                           token
=========  ===============================================  ==========================
``n``      ``9000亿元``, ``900 billion yuan``, ``5000余家``,     ``n:9e+11``, ``n:5e+03``
           ``over 5,000`` (3 significant digits; ``m:`` at 2)
``p``      ``18.5%``, ``18.5 percent``, ``百分之十八点五``        ``p:18.5``
``pp``     ``2.3个百分点``, ``2.3 percentage points``            ``pp:2.3``
``o``      ``第11期``, ``第十一期``, ``11th issue``, ``third batch``  ``o:11``
``d``      ``11月3日``, ``Nov. 3``, ``3 November``               ``d:11-03``
``d``      ``on Thursday``, ``周四``, ``21日`` (against the        ``d:11-21``
           publication day)
``c``      ``八条``, ``eight measures`` (counts under 13)         ``c:8``
``y``      ``2026年``, ``2026``                                ``y:2026``
``doc``    ``工信部联科〔2026〕123号``, ``公告2026年第58号``,         ``doc:2026-123``
           ``No. 123 [2026]``
``q``      ``《党建》``, ``"Party Building"``                    ``q:党建`` / an alias group
``pn``     ``Li Lecheng``; in Chinese, every surname and the       ``pn:li|lecheng``,
           one or two characters after it are guesses (pypinyin)   ``pc:li|lecheng``
``a``      an alias group of ``seeds/aliases.toml`` named        ``a:miit``
``pl``     a place group of it (``kind = "place"``)             ``pl:malaysia``
=========  ===============================================  ==========================

:func:`evidence` weighs what two fingerprint sets share: rare, specific tokens
(a document number, a quoted title, a figure) count for much, the bodies and dates that
every story of a ministry's week shares count for little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

import ahocorasick_rs

from alerts.normalize import normalize

# What one shared token of each kind says about "same story" (a shared figure ≈ 1.5).
WEIGHTS = {"doc": 4.0, "q": 2.0, "n": 1.2, "m": 0.4, "p": 1.4, "pp": 1.4, "o": 1.0,
           "pn": 1.6, "pc": 0.0, "c": 0.5, "pl": 0.8, "d": 0.5, "y": 0.15, "a": 0.35}
# Stored beside each fingerprint: rows made another way are not compared with these.
VERSION = "fp1"
# Kinds specific enough to propose a candidate from the inverted index.
STRONG_KINDS = frozenset({"doc", "q", "n", "p", "pp", "o", "pn", "pc"})
# A token found in more window articles than this stops being evidence of one story:
# its weight falls as DF_FREE / df.
DF_FREE = 6

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千"
_SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "trillion": 1e12, "billion": 1e9,
          "bn": 1e9, "million": 1e6, "mn": 1e6, "thousand": 1e3}
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_ORDINAL_WORDS = {w: i + 1 for i, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
     "seventeenth", "eighteenth", "nineteenth", "twentieth"))}
# Nouns after which an English ordinal names one instalment of a series (第N批/期/届…).
_SERIES = (r"batch(?:es)?|issue|session|plenary|round|edition|group|list|meeting|conference|"
           r"forum|expo|congress|phase|stage|installment|instalment|lot|annual|set|tier|"
           r"quarter|consecutive|straight|time|article|chapter|expedition")

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# Chinese: a figure with its multiplier; what follows decides whether it is a year, a
# date, a document number (handled apart) or a count.
_ZH_FIGURE = re.compile(rf"({_NUM})\s*(万亿|亿|万|千)?(?![\d.])(?=\s*(年|月|日|号|时|点|[%]|个百分点)?)")
_ZH_DATE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})[日号]")
_ZH_PERCENT_WORDS = re.compile(rf"百分之([{_CN_NUM}点]+)")
# 六成 = 60 %, 超三成 = over 30 % (not 成立, 成为…: a digit before 成 and no word after).
_ZH_TENTHS = re.compile(r"(?<![\d一二三四五六七八九十])([一二三四五六七八九])成(?![立为员功果本交就绩熟])")
_ZH_ORDINAL = re.compile(rf"第\s*(\d+|[{_CN_NUM}]+)\s*(?=[期届次批轮号个份项版季年套条章款类阶层站])")
_EN_FIGURE = re.compile(rf"(?<![\w.])({_NUM})(?![\d])\s*(trillion|billion|bn|million|mn|"
                        rf"thousand)?(?![a-z])(\s*(?:%|percentage points?|percent|per cent|pct))?")
_EN_DATE_MD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*"
                         r"(\d{1,2})(?:st|nd|rd|th)?\b")
_EN_DATE_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|"
                         r"oct|nov|dec)[a-z]*\b")
_EN_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_EN_ORDINAL_WORD = re.compile(rf"\b({'|'.join(_ORDINAL_WORDS)})\s+(?:[a-z-]+\s+)?(?:{_SERIES})\b")
# 〔2026〕123号, [2026]123号, (2026)123号 (normalize() turns 〔〕【】 into []).
_ZH_DOC = re.compile(r"[\[(（](\d{4})[\])）]\s*第?\s*(\d{1,5})\s*号|(?<=公告)\s*(\d{4})年第(\d{1,5})号")
_EN_DOC = re.compile(r"\bno\.?\s*(\d{1,5})\s*[\[(](\d{4})[\])]|[\[(](\d{4})[\])]\s*no\.?\s*(\d{1,5})")
_ZH_TITLE = re.compile(r"《([^《》]{2,40})》")
# Straight quotes only: normalize() folds curly ones into them.
_EN_TITLE = re.compile(r'"([^"]{3,80})"')
_EN_NAME = re.compile(r"\b([A-Z][a-z]{0,5})\s+([A-Z][a-z]+(?:-[a-z]+)?)\b")

# The ~130 most common Chinese surnames (single characters). Characters that are far more
# often something else in news prose (如 国, 发, 新, 和, 中…) are left out on purpose.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范廖石贾韦夏付邱秦侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚"
    "文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢骆岳齐沿梅莫庄辛管祝"
    "左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄"
    "单包司柏宁柯阮桂闵解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来缪苟全褚廉")
# Surnames read differently from the character's everyday reading.
_SURNAME_READING = {"曾": "zeng", "单": "shan", "解": "xie", "查": "zha", "仇": "qiu",
                    "朴": "piao", "区": "ou", "盖": "ge", "乐": "yue", "覃": "qin", "尉": "yu",
                    "缪": "miao", "长": "chang", "翟": "zhai", "柏": "bai", "薄": "bo"}


@lru_cache(maxsize=1)
def _pinyin_surnames() -> frozenset[str]:
    return frozenset(_SURNAME_READING.get(s) or _pinyin(s) for s in _SURNAMES)


@lru_cache(maxsize=20000)
def _pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore"))


def _cn_number(text: str) -> float | None:
    """一百三十六 → 136, 十一 → 11, 二〇二六 → 2026, 十八点五 → 18.5; None if not a number."""
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = _cn_number(whole) if whole else 0
        if w is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return float(f"{int(w)}." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:  # 二〇二六: digit by digit
        return float("".join(str(_CN_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def _figure(value: float) -> list[str]:
    return [f"n:{value:.3g}", f"m:{value:.2g}"]


def _plain(value: float) -> str:
    return f"{value:.3g}"


def _is_countless(value: float, digits: str, unit: str) -> bool:
    """Small whole numbers and bare years say nothing about which story it is."""
    return not unit and "." not in digits and (value < 13 or 1900 <= value <= 2100)


class AliasIndex:
    """One automaton over every alias term (normalised), giving the groups a text names.
    Latin terms must stand as whole words."""

    def __init__(self, groups: dict[str, tuple[str, ...]] | None = None,
                 places: frozenset[str] = frozenset()) -> None:
        self.groups = dict(groups or {})
        self.places = frozenset(places)  # the groups that name a place (``pl:`` tokens)
        self.terms: dict[str, set[str]] = {}  # normalised term → group names
        for name, terms in self.groups.items():
            for term in terms:
                t = normalize(term)
                if len(t) >= 2:
                    self.terms.setdefault(t, set()).add(name)
        self._keys = [(t, frozenset(names)) for t, names in self.terms.items()]
        self.automaton = (ahocorasick_rs.AhoCorasick([t for t, _ in self._keys])
                          if self._keys else None)

    def names_in(self, normed: str) -> set[str]:
        """The groups whose terms occur in an already normalised text."""
        if self.automaton is None:
            return set()
        found: set[str] = set()
        size = len(normed)
        for key, start, end in self.automaton.find_matches_as_indexes(normed, overlapping=True):
            term, names = self._keys[key]
            if term[0].isascii() and start > 0 and normed[start - 1].isalnum() \
                    and normed[start - 1].isascii():
                continue
            if term[-1].isascii() and end < size and normed[end].isalnum() \
                    and normed[end].isascii():
                continue
            found |= names
        return found

    def group_of(self, name: str | None) -> set[str]:
        """The groups an outlet or body name belongs to: a term equal to it, or one it
        contains (``证券日报社`` → securities-daily), or a web host it ends with."""
        n = normalize(name or "").strip(" .")
        if not n:
            return set()
        if n in self.terms:
            return set(self.terms[n])
        host = n.removeprefix("www.")
        found = set()
        for term, names in self.terms.items():
            if "." in term and (host == term or host.endswith("." + term)):
                found |= names
        return found or self.names_in(n)


@dataclass(frozen=True)
class Fingerprint:
    """The tokens of one article, and the alias groups its original-source line names."""

    tokens: frozenset[str]
    title_tokens: frozenset[str] = field(default=frozenset())
    credits: frozenset[str] = field(default=frozenset())

    # Split once per article, for evidence(): facts, names, name guesses, kinds of fact.
    @cached_property
    def facts(self) -> frozenset[str]:
        return frozenset(t for t in self.tokens if not t.startswith(("pn:", "pc:")))

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(t[3:] for t in self.tokens if t.startswith("pn:"))

    @cached_property
    def guesses(self) -> frozenset[str]:
        return frozenset(t[3:] for t in self.tokens if t.startswith("pc:"))

    @cached_property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind(t) for t in self.facts)


# `来源：证券日报`, `（来源：新华社）`, `Source: Securities Daily`, `(Source: Xinhua)`.
_SOURCE_LINE = re.compile(
    r"(?:^|\n)\s*[\[(（]?\s*(?:来源|稿件来源|文章来源|本文来源|信息来源|转自|转载自|sources?|"
    r"originally published by|republished from)\s*[:：]\s*([^\n)）\]|｜]{2,40})", re.IGNORECASE)
_SOURCE_SPLIT = re.compile(r"\s*(?:[,，、;；/]|\band\b|\s{2,}|编辑|作者|记者|editor|by\b)\s*",
                           re.IGNORECASE)


def credited_sources(body: str | None, original_source: str | None = None) -> list[str]:
    """The outlets an article credits as its origin: the archive's ``original_source``
    field and the source lines of its body."""
    names = []
    for raw in [original_source or ""] + [m.group(1) for m in _SOURCE_LINE.finditer(body or "")]:
        for part in _SOURCE_SPLIT.split(raw.strip()):
            part = part.strip(" 　.。:：")
            if 2 <= len(part) <= 40 and part not in names:
                names.append(part)
    return names


_WEEKDAYS_EN = {d: i for i, d in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_WEEKDAYS_ZH = {c: i for i, c in enumerate("一二三四五六日")}
_EN_WEEKDAY = re.compile(r"\b(?:on|last|this)\s+(monday|tuesday|wednesday|thursday|friday|"
                         r"saturday|sunday)\b|\b(monday|tuesday|wednesday|thursday|friday|"
                         r"saturday|sunday)\s+(?:said|announced|released|published|issued)\b")
_ZH_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
# Xinhua's "21日" (this month's 21st) after a subject, not after a month or a number.
_ZH_DAY = re.compile(r"(?<![\d月])(?<![\d.])(\d{1,2})日(?![\d])")


def _relative_dates(scan: str, published: date) -> set[str]:
    """Dates written against the publication day: ``on Thursday``, ``周四`` (the last
    such day up to publication), and Xinhua's ``21日`` (this month's, else last month's)."""
    out = set()
    days = [_WEEKDAYS_EN[m.group(1) or m.group(2)] for m in _EN_WEEKDAY.finditer(scan)]
    days += [_WEEKDAYS_ZH.get(m.group(1), 6) for m in _ZH_WEEKDAY.finditer(scan)]
    for wd in days:
        d = published - timedelta(days=(published.weekday() - wd) % 7)
        out.add(f"d:{d.month:02d}-{d.day:02d}")
    for m in _ZH_DAY.finditer(scan):
        day = int(m.group(1))
        if not 1 <= day <= 31:
            continue
        month, year = published.month, published.year
        if day > published.day + 1:  # a day still to come this month: last month's
            month, year = (month - 1, year) if month > 1 else (12, year - 1)
        out.add(f"d:{month:02d}-{day:02d}")
    return out


_EN_NUMBER_WORDS = {w: i for i, w in enumerate(
    ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
     "fifteen sixteen seventeen eighteen nineteen twenty").split())}
# Counted things: a number and what it counts (条, 项, 家… / measures, tasks, firms…).
_ZH_COUNT = re.compile(rf"(\d+|[{_CN_NUM}]+)\s*(?:个|条|项|家|名|类|批|款|部门|方面|省|座|艘|架|"
                       rf"支|只|所|种|位|台|辆|篇|部|层|套)(?!月|百分点)")
_EN_COUNT = re.compile(r"\b(\d+|" + "|".join(list(_EN_NUMBER_WORDS)[2:]) + r")\s+(?:[a-z-]+\s+){0,2}"
                       r"(?:measures|tasks|items|areas|aspects|departments|ministries|agencies|"
                       r"provinces|cities|companies|firms|enterprises|institutions|categories|"
                       r"types|kinds|projects|platforms|cases|articles|chapters|points|steps|"
                       r"regions|countries|ships|aircraft|members|teams|nodes|batches)\b")


def _counts(scan: str) -> set[str]:
    """``c:8`` for 八条 and "eight measures": small counts of things, which the figures
    leave out (and Chinese numerals, which they cannot read: 十八项 → ``n:18`` too)."""
    out = set()
    for m in _ZH_COUNT.finditer(scan):
        n = m.group(1)
        value = float(n) if n.isdigit() else _cn_number(n)
        if value is None or value < 2:
            continue
        if value < 13:
            out.add(f"c:{int(value)}")
        elif not n.isdigit():
            out.update(_figure(value))
    for m in _EN_COUNT.finditer(scan):
        n = m.group(1)
        value = int(n) if n.isdigit() else _EN_NUMBER_WORDS[n]
        if 2 <= value < 13:
            out.add(f"c:{value}")
    return out


def _quoted(inner: str, aliases: AliasIndex, *, han: bool) -> str:
    """One token per quoted title, in a form both languages can reach: its alias group
    (《求是》, "Qiushi Journal" → ``q:@qiushi``), else for a short Chinese title its
    pinyin (《党建》 → ``q:dangjian``, as an English text spells it), else the title."""
    groups = sorted(aliases.terms.get(inner, ()))
    if groups:
        return f"q:@{groups[0]}"
    if han and len(inner) <= 6 and all("\u4e00" <= c <= "\u9fff" for c in inner):
        return "q:" + "".join(_pinyin(c) for c in inner)
    return "q:" + (inner if han else re.sub(r"[^a-z0-9]", "", inner))


# A body line with no sentence in it (no full stop, question or exclamation mark, short):
# a heading, a navigation link naming another article, a credit: not the story's facts.
_SENTENCE_END = re.compile(r"[。！？；!?;]|\.(?:\s|$)|\.\"")
HEADING_LINE = 60


def body_facts(body: str) -> str:
    """The lines of a body that hold sentences (see HEADING_LINE)."""
    return "\n".join(line for line in body.split("\n")
                     if len(line.strip()) > HEADING_LINE or _SENTENCE_END.search(line))


def _tokens(text: str, aliases: AliasIndex, published: date | None = None) -> set[str]:
    """The fingerprint tokens of one piece of text (title or body), any language."""
    normed = normalize(text)
    if not normed:
        return set()
    out: set[str] = set()
    # Document numbers first, and blanked, so their digits are not read as figures.
    for m in _ZH_DOC.finditer(normed):
        year, num = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.add(f"doc:{year}-{int(num)}")
    for m in _EN_DOC.finditer(normed):
        year, num = (m.group(2), m.group(1)) if m.group(1) else (m.group(3), m.group(4))
        out.add(f"doc:{year}-{int(num)}")
    scan = _EN_DOC.sub(" ", _ZH_DOC.sub(" ", normed))
    for m in _ZH_TITLE.finditer(scan):
        inner = m.group(1).strip()
        out.add(_quoted(inner, aliases, han=True))
    for m in _EN_TITLE.finditer(scan):
        inner = m.group(1).strip()
        if inner[:1].isalpha() and not any("\u4e00" <= c <= "\u9fff" for c in inner):
            out.add(_quoted(inner, aliases, han=False))
    for m in _ZH_DATE.finditer(scan):
        month, day = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.add(f"d:{month:02d}-{day:02d}")
    for rx, mi, di in ((_EN_DATE_MD, 1, 2), (_EN_DATE_DM, 2, 1)):
        for m in rx.finditer(scan):
            day = int(m.group(di))
            if 1 <= day <= 31:
                out.add(f"d:{_MONTHS[m.group(mi)[:3]]:02d}-{day:02d}")
        scan = rx.sub(" ", scan)
    if published is not None:
        out |= _relative_dates(scan, published)
    for m in _ZH_ORDINAL.finditer(scan):
        n = m.group(1)
        value = float(n) if n.isdigit() else _cn_number(n)
        if value is not None and value >= 2:
            out.add(f"o:{int(value)}")
    for m in _EN_ORDINAL.finditer(scan):
        if int(m.group(1)) >= 2:
            out.add(f"o:{int(m.group(1))}")
    for m in _EN_ORDINAL_WORD.finditer(scan):
        if _ORDINAL_WORDS[m.group(1)] >= 2:
            out.add(f"o:{_ORDINAL_WORDS[m.group(1)]}")
    for m in _ZH_TENTHS.finditer(scan):
        out.add(f"p:{_CN_DIGITS[m.group(1)] * 10}")
    for m in _ZH_PERCENT_WORDS.finditer(scan):
        value = _cn_number(m.group(1))
        if value is not None:
            out.add(f"p:{_plain(value)}")
    out |= _counts(scan)
    han = any("\u4e00" <= c <= "\u9fff" for c in scan)
    if han:
        for m in _ZH_FIGURE.finditer(scan):
            digits, scale, after = m.group(1).replace(",", ""), m.group(2), m.group(3)
            value = float(digits) * _SCALE.get(scale or "", 1.0)
            if after == "年":
                if not scale and 1900 <= value <= 2100 and "." not in digits:
                    out.add(f"y:{int(value)}")
                continue
            if after in ("月", "日", "号", "时", "点"):
                continue
            if after == "%":
                out.add(f"p:{_plain(value)}")
            elif after == "个百分点":
                out.add(f"pp:{_plain(value)}")
            elif not _is_countless(value, digits, scale or ""):
                out.update(_figure(value))
            elif 1900 <= value <= 2100 and "." not in digits:
                out.add(f"y:{int(value)}")
    # English figures (also the Latin stretches of a Chinese text).
    for m in _EN_FIGURE.finditer(scan):
        digits, scale, pct = m.group(1).replace(",", ""), m.group(2) or "", m.group(3) or ""
        if han and not pct and not scale:
            continue  # read above, with the Chinese units
        value = float(digits) * _SCALE.get(scale, 1.0)
        if "point" in pct:
            out.add(f"pp:{_plain(value)}")
        elif pct:
            out.add(f"p:{_plain(value)}")
        elif not _is_countless(value, digits, scale):
            out.update(_figure(value))
        elif 1900 <= value <= 2100 and "." not in digits:
            out.add(f"y:{int(value)}")
    out.update(f"pl:{n}" if n in aliases.places else f"a:{n}" for n in aliases.names_in(normed))
    return out


# Where Chinese news writes a person: after a title or role, or before what people do.
_ROLE_BEFORE = re.compile(
    r"(?:部长|副部长|主任|副主任|总理|副总理|书记|记者|通讯员|发言人|局长|司长|院长|院士|教授|"
    r"董事长|总经理|总裁|主席|经济学家|研究员|分析师|负责人|省长|市长|区长|县长|会长|行长|委员|"
    r"大使|总监|所长|专家|学者|代表|队长|部长助理|秘书长|署长|总经济师|总工程师|主编|编辑|作者)"
    r"[\s　]*$")
_DEED_AFTER = re.compile(r"^[\s　]*(?:表示|指出|说|介绍|称|强调|主持|出席|会见|认为|提出|透露|"
                         r"发表|撰文|在|同志|一行|接受|答|宣布|谈|建议|预计|坦言|告诉|解释|分析|"
                         r"[，,、）)])")


def _person_tokens(text: str) -> set[str]:
    """Names as pinyin: ``Li Lecheng`` in English (``pn:``); in Chinese (``pc:``) every
    surname with the one or two characters after it, where a title or role stands
    before it or a verb of speech or presence after it (the English side then decides
    which of the guesses is a name)."""
    out: set[str] = set()
    surnames = _pinyin_surnames()
    for m in _EN_NAME.finditer(text):
        family, given = m.group(1).lower(), m.group(2).lower().replace("-", "")
        if family in surnames and given.isascii():
            out.add(f"pn:{family}|{given}")
    for i, ch in enumerate(text):
        if ch not in _SURNAMES:
            continue
        titled = _ROLE_BEFORE.search(text[max(0, i - 8):i]) is not None
        for size in (2, 3):
            given = text[i + 1:i + size]
            if len(given) != size - 1 or not all("\u4e00" <= c <= "\u9fff" for c in given):
                break
            if titled or _DEED_AFTER.match(text[i + size:i + size + 3]):
                family = _SURNAME_READING.get(ch) or _pinyin(ch)
                out.add(f"pc:{family}|{''.join(_pinyin(c) for c in given)}")
    return out


def extract(title: str | None, body: str | None, aliases: AliasIndex, *,
            doc_number: str | None = None, original_source: str | None = None,
            published: datetime | date | None = None) -> Fingerprint:
    """The fingerprint of an article (see the module docstring). ``published`` (its
    publication time, in the zone it was written in) dates ``on Thursday`` and ``21日``."""
    day = published.date() if isinstance(published, datetime) else published
    title_tokens = _tokens(title or "", aliases, day) | _person_tokens(title or "")
    facts = body_facts(body or "")
    tokens = set(title_tokens) | _tokens(facts, aliases, day) | _person_tokens(facts)
    if doc_number:
        tokens |= {t for t in _tokens(doc_number, aliases) if t.startswith("doc:")}
    credits = set()
    for name in credited_sources(body, original_source):
        credits |= aliases.group_of(name)
    return Fingerprint(frozenset(tokens), frozenset(title_tokens), frozenset(credits))


def kind(token: str) -> str:
    return token[:token.find(":")]


def weight(token: str, df: int = 1) -> float:
    """What one shared token is worth, less when many window articles hold it."""
    w = WEIGHTS.get(kind(token), 0.5)
    return w if df <= DF_FREE else w * DF_FREE / df


@dataclass(frozen=True)
class Evidence:
    shared: float  # weight of the tokens both hold
    coverage: float  # shared / the lighter side's total weight (0-1)
    tokens: tuple[str, ...]  # the shared tokens, heaviest first


def evidence(a: Fingerprint, b: Fingerprint, df=None) -> Evidence:
    """How much of the lighter fingerprint the other holds, in weight. ``df`` maps each
    token to its number of window articles (absent: 1). A Chinese text's name guesses
    (``pc:``) count only where the other side writes that name in Latin letters (``pn:``)."""
    w = getattr(df, "weight", None) or (
        (lambda t: weight(t, df.get(t, 1))) if df is not None else weight)
    names = (a.names & b.names) | (a.names & b.guesses) | (a.guesses & b.names)
    shared_facts = a.facts & b.facts
    kinds_a, kinds_b = a.kinds, b.kinds

    def total(facts: frozenset[str], other_kinds: frozenset[str]) -> float:
        # A kind of fact the other text has none of (no document number, no quoted
        # title) is neutral: a short or translated telling leaves such things out.
        # Names count where shared, so a text full of people is not diluted.
        return sum(w(t) for t in facts if t in shared_facts or kind(t) in other_kinds)

    named = [f"pn:{n}" for n in names]
    names_weight = sum(w(t) for t in named)
    s = sum(w(t) for t in shared_facts) + names_weight
    lighter = min(total(a.facts, kinds_b), total(b.facts, kinds_a)) + names_weight
    cov = s / lighter if lighter > 0 else 0.0
    ranked = tuple(sorted([*shared_facts, *named], key=lambda t: (-w(t), t)))
    return Evidence(round(s, 4), round(min(cov, 1.0), 4), ranked)


def candidate_keys(token: str) -> tuple[str, ...]:
    """The index keys a token finds candidates under: a name guess finds the Latin
    spelling of the name and the other way round."""
    if token.startswith("pc:"):
        return ("pn:" + token[3:],)
    if token.startswith("pn:"):
        return (token, "pc:" + token[3:])
    return (token,)


_TITLE_STOP = frozenset("the a an of and in on for to with by at from as is are its it new "
                        "china chinas chinese says said".split())


def title_similarity(a: str | None, b: str | None) -> float:
    """Dice similarity of two titles in one language: character bigrams for Chinese,
    words (minus the commonest) for the rest."""
    na, nb = normalize(a or ""), normalize(b or "")
    if not na or not nb:
        return 0.0
    if any("\u4e00" <= c <= "\u9fff" for c in na + nb):
        ca = re.sub(r"[^\w]", "", na)
        cb = re.sub(r"[^\w]", "", nb)
        sa = {ca[i:i + 2] for i in range(len(ca) - 1)}
        sb = {cb[i:i + 2] for i in range(len(cb) - 1)}
    else:
        sa = {w for w in re.findall(r"[a-z0-9]+", na) if w not in _TITLE_STOP}
        sb = {w for w in re.findall(r"[a-z0-9]+", nb) if w not in _TITLE_STOP}
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def encode(fp: Fingerprint) -> str:
    """The stored form: tokens, then title tokens, then credits, one line each."""
    return "\n".join(["\t".join(sorted(fp.tokens)), "\t".join(sorted(fp.title_tokens)),
                      "\t".join(sorted(fp.credits))])


def decode(text: str | None) -> Fingerprint:
    parts = (text or "").split("\n")
    parts += [""] * (3 - len(parts))
    sets = [frozenset(p for p in part.split("\t") if p) for part in parts[:3]]
    return Fingerprint(*sets)
