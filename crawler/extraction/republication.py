"""Credit lines: who edited the page and which outlet it republishes.

English republications end with ``Edit:<name> Responsible editor:<name>`` and
``Source:<outlet>``; Chinese pages write ``责任编辑：<name>`` and ``来源：<outlet>``. The
names go to ``editor`` and ``original_source`` and the lines leave the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_EDITOR_LABEL = (r"(?:Responsible\s+editors?|Chief\s+editors?|Executive\s+editors?|Editors?|"
                 r"Edited\s+by|Edit|责任编辑|责编|编辑|值班编辑|审核|审校|校对|终审|监制)")
_OTHER_LABEL = (r"(?:Source|Author|Reporter|Photo|Translator|Translated\s+by|Proofread(?:er)?|"
                r"(?:本文|文章|稿件|信息|新闻)?来源|作者|记者|通讯员|摄影|出处|字号|浏览|点击|发布时间|"
                r"时间|日期)")
_LABEL_SPLIT = re.compile(
    r"(?P<label>" + _EDITOR_LABEL + r"|" + _OTHER_LABEL + r")\s*[:：]\s*", re.I)
# An editor-only line: every label on it is an editor label.
_EDITOR_LINE = re.compile(r"^[\s(（\[【]*" + _EDITOR_LABEL + r"\s*[:：]", re.I)
_SOURCE_LINE = re.compile(r"^[\s(（\[【]*(?:Source|来源|稿件来源|文章来源|信息来源|出处)\s*[:：]\s*"
                          r"(?P<value>.+?)[\s)）\]】]*$", re.I)
_CN_VALUE_END = re.compile(r"\s|[|｜【\[]")
_MAX_CREDIT_LINE = 120
_PERSON_ROLES = ("责任编辑", "责编", "编辑", "值班编辑", "edit", "editor", "editors", "edited by",
                 "responsible editor", "responsible editors", "chief editor", "executive editor")


@dataclass
class Credits:
    """Names found in credit lines."""

    editors: list[str] = field(default_factory=list)
    source: str | None = None
    author: str | None = None

    @property
    def editor(self) -> str | None:
        return " / ".join(dict.fromkeys(self.editors)) or None


def clean_value(value: str, *, stop_at_space: bool | None = None) -> str:
    """Trim a credited name: brackets, trailing punctuation, a following label."""
    value = value.strip().strip("()（）[]【】<>《》\"'“”").strip()
    m = _LABEL_SPLIT.search(value)
    if m:
        value = value[:m.start()].strip()
    if stop_at_space is None:
        stop_at_space = bool(re.match(r"[\u4e00-\u9fff]", value))
    if stop_at_space:
        value = _CN_VALUE_END.split(value, 1)[0]
    return value.strip(" ,，;；。.|｜-—").strip()


def parse_credit_line(line: str, credits: Credits) -> bool:
    """Read a credit line into ``credits``; True when the line is only credits."""
    text = line.strip()
    if not text or len(text) > _MAX_CREDIT_LINE:
        return False
    parts = list(_LABEL_SPLIT.finditer(text))
    if not parts or text[:parts[0].start()].strip(" (（[【") != "":
        return False
    found = False
    for i, m in enumerate(parts):
        end = parts[i + 1].start() if i + 1 < len(parts) else len(text)
        value = clean_value(text[m.end():end], stop_at_space=False)
        label = re.sub(r"\s+", " ", m.group("label").lower())
        if not value:
            continue
        if label in _PERSON_ROLES:
            # Portals append a staff code to the name (杨倩_NF4425): keep the name.
            credits.editors.extend(re.sub(r"_[A-Z]{1,4}\d+$", "", v.strip())
                                   for v in re.split(r"[、,，/]", value) if v.strip())
            found = True
        elif (label == "source" or label.endswith("来源") or label == "出处") and not credits.source:
            credits.source = clean_value(value)
            found = True
        elif label in ("author", "作者", "reporter", "记者") and not credits.author:
            credits.author = value
            found = True
        elif label in ("审核", "审校", "校对", "终审", "监制", "photo", "translator",
                       "translated by", "proofread", "proofreader", "摄影", "通讯员"):
            found = True
    return found


def strip_credits(paragraphs: list[str], credits: Credits) -> list[str]:
    """Remove credit lines from the end of a body (and editor lines anywhere), reading them."""
    kept = list(paragraphs)
    # Footer credits: walk back from the end while lines are credits.
    while kept and parse_credit_line(kept[-1], credits):
        kept.pop()
    out = []
    pending_label = False
    for para in kept:
        if pending_label and len(para) <= 20:
            credits.editors.append(para.strip())  # "责任编辑：" with the name on the next line
            pending_label = False
            continue
        pending_label = False
        if _EDITOR_LINE.match(para) and re.fullmatch(r"[\s(（\[【]*" + _EDITOR_LABEL + r"\s*[:：]\s*",
                                                     para, re.I):
            pending_label = True
            continue
        if _EDITOR_LINE.match(para) and parse_credit_line(para, credits):
            continue
        # "（责任编辑：张三）" glued to the end of the last paragraph
        m = re.search(r"[(（\[【]\s*(?:责任编辑|责编|编辑)\s*[:：]\s*([^)）\]】]{1,30})[)）\]】]\s*$", para)
        if m:
            credits.editors.append(m.group(1).strip())
            para = para[:m.start()].rstrip()
            if not para:
                continue
        out.append(para)
    return out


_SOURCE_LABEL = re.compile(r"(?:(?:本文|文章|稿件|信息|新闻)?来源于?|稿源|出处|Source)\s*[:：]\s*", re.I)
# Where a credited outlet ends when no label follows: a byline word (证券日报 记者 张三).
_BYLINE_START = re.compile(r"\s*(?:记者|通讯员|实习生)|\s+(?:作者|编辑|责编|责任编辑|摄影)|"
                           r"\s+(?:By|Reporter|Author|Editor|Writer)\b", re.I)


def source_in_selected(text: str, dates) -> str:
    """The outlet a ``source`` selector's text credits, whatever else the element holds.

    ``2026-11-25 09:30 来源：证券日报 记者 张三`` gives ``证券日报``: what follows the label, up
    to the next label or byline word; without a label, the text less any date (``dates``
    finds them).
    """
    m = _SOURCE_LABEL.search(text)
    if m:
        value = text[m.end():]
    else:
        value = text
        for found in reversed(dates(text)):
            value = value[:found.start] + " " + value[found.start + len(found.text):]
        value = re.sub(r"^\s*(?:发布时间|发布日期|时间|日期)\s*[:：]?", "", value.strip())
    value = _LABEL_SPLIT.split(value, 1)[0]
    m = _BYLINE_START.search(value)
    if m and m.start() > 0:
        value = value[:m.start()]
    return clean_value(value)


def find_source(lines: list[str]) -> str | None:
    """``来源：X`` / ``Source: X`` in page lines (header area), cleaned."""
    for line in lines:
        m = re.search(r"(?:^|[\s|｜　])(?:来源于?|稿件来源|文章来源|信息来源|稿源|Source)\s*[:：]\s*"
                      r"(\S.{0,60})",
                      line, re.I)
        if m and len(line) <= _MAX_CREDIT_LINE:
            value = clean_value(m.group(1))
            if value and not value.startswith("http"):
                return value
    return None
