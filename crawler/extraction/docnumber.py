"""发文字号: the number a Chinese government document carries, e.g. 工信部联规〔2025〕12号."""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,20}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*号")
_LABELLED = re.compile(r"(?:发文字号|文号|发文号|索\s*引\s*号)\s*[:：]?\s*(" + _NUMBER.pattern + ")")


def _normalise(number: str) -> str:
    number = re.sub(r"\s+", "", number)
    return (number.replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
            .replace("(", "〔").replace(")", "〕").replace("（", "〔").replace("）", "〕")
            .replace("【", "〔").replace("】", "〕"))


def find_doc_number(lines: list[str]) -> str | None:
    """A labelled 发文字号 anywhere, else a line that holds nothing but a document number."""
    for line in lines:
        m = _LABELLED.search(line)
        if m and not line.lstrip().startswith("索"):
            return _normalise(m.group(1))
    for line in lines:
        stripped = line.strip()
        if len(stripped) > 30:
            continue
        m = _NUMBER.search(stripped)
        if m and len(stripped) - len(m.group(0)) <= 4:
            return _normalise(m.group(0))
    return None
