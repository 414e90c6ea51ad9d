"""发文字号: the number a Chinese government document carries.

Two families: the bracketed year (工信部联规〔2025〕12号, 国办发[2025]3号, 财税（2025）10号)
and the announcement or order with a written year (工业和信息化部公告2026年第27号,
国家发展改革委令2025年第12号, 工业和信息化部令 第65号). A bare 第3号 is never one.
"""

from __future__ import annotations

import re

_OPEN, _CLOSE = r"[〔\[［(（【]", r"[〕\]］)）】]"
# The issuer: Han characters, joint issuers spaced or listed with 、 (财政部 税务总局).
_ISSUER = r"[\u4e00-\u9fff](?:[\u4e00-\u9fff、 ]{0,28}[\u4e00-\u9fff])?"
_BRACKETED = (r"[\u4e00-\u9fff]{1,20}\s*" + _OPEN + r"\s*(?:19|20)\d{2}\s*" + _CLOSE
              + r"\s*第?\s*\d{1,5}\s*号")
# 公告/通告 need their year (公告第3号 is too common in prose); an order (令) may omit it
# but must follow a body's name (…部令, …总局令, 国务院令), so 命令第3号 is not one.
_ANNOUNCED = (_ISSUER + r"(?:\s*(?:公告|通告)\s*(?:19|20)\d{2}\s*年|(?<=[部委局署院行会办厅府])\s*令\s*"
              r"(?:(?:19|20)\d{2}\s*年)?)\s*第\s*\d{1,5}\s*号")
_NUMBER = re.compile(f"{_BRACKETED}|{_ANNOUNCED}(?![\u4e00-\u9fff])")
_LABELLED = re.compile(r"(?:发文字号|文号|发文号|索\s*引\s*号)\s*[:：]?\s*(" + _NUMBER.pattern + ")")
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕"})
_STANDALONE_SLACK = 4  # characters around a number on its own line (（）, 。, a label)
_LOOSE_SPACE = re.compile(r"\s+(?=[第\d〔\[［(（【]|(?:公告|通告|令)\s*[\d第])|(?<=[\d号〕\]］)）】令告])\s+")


def normalise(number: str) -> str:
    """Brackets as 〔〕, spaces only between joint issuers: 国办发 [2025] 3号 → 国办发〔2025〕3号."""
    return re.sub(r"\s+", " ", _LOOSE_SPACE.sub("", number.strip())).translate(_BRACKETS)


def doc_number_in(text: str) -> str | None:
    """The first document number anywhere in ``text`` (for a selector's short value)."""
    m = _NUMBER.search(text or "")
    return normalise(m.group(0)) if m else None


def find_doc_number(lines: list[str]) -> str | None:
    """A labelled 发文字号 anywhere, else a line that holds nothing but a document number."""
    for line in lines:
        m = _LABELLED.search(line)
        if m and not line.lstrip().startswith("索"):
            return normalise(m.group(1))
    for line in lines:
        stripped = line.strip()
        if len(stripped) > 40:
            continue
        m = _NUMBER.search(stripped)
        if m and len(stripped) - len(m.group(0)) <= _STANDALONE_SLACK:
            return normalise(m.group(0))
    return None
