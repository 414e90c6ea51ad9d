"""Cross-language links (experimental): an English republication ↔ its Chinese original.

Character shingles cannot compare two languages. What a translation keeps is its figures
and its names: the same numbers once units are read (``1.2万亿元`` = ``1.2 trillion``,
``3,896亿块`` = ``389.6 billion``), the same bodies (alias groups from issue 5:
``工业和信息化部`` = ``MIIT``), on or about the same day. Not used by ``cluster_new`` yet:
``bench/clustering.py`` measures it.
"""

from __future__ import annotations

import re
from datetime import datetime

_ZH_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d.,])\s*(万亿|亿|万|千)?(?!\s*[月日年])")
_EN_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d.,])\s*"
                        r"(trillion|billion|million|thousand)?", re.IGNORECASE)
_EN_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
                      r"\s+\d{1,2}\b", re.IGNORECASE)
_SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "trillion": 1e12, "billion": 1e9,
          "million": 1e6, "thousand": 1e3}
# Shared figures from which an English text is taken for a version of a Chinese one.
MIN_SHARED_FIGURES = 3
MAX_DAYS = 2.0


def figures(text: str, lang: str) -> set[str]:
    """The text's figures as values to 3 significant digits, without years and without
    small whole numbers (days, months, counts that every story has)."""
    pattern = _ZH_NUMBER if lang == "zh" else _EN_NUMBER
    text = (text or "") if lang == "zh" else _EN_DATE.sub(" ", text or "")
    found = set()
    for m in pattern.finditer(text):
        digits, unit = m.group(1).replace(",", ""), (m.group(2) or "").lower()
        value = float(digits) * _SCALE.get(unit, 1.0)
        if not unit and "." not in digits and (value < 13 or 1990 <= value <= 2100):
            continue
        found.add(f"{value:.3g}")
    return found


def _has_term(text: str, term: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", term):
        return term in text
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


def entities(text: str, alias_groups: dict[str, tuple[str, ...]]) -> set[str]:
    """The alias groups (ministries, agencies, …) the text names in either language."""
    return {name for name, terms in alias_groups.items()
            if any(_has_term(text or "", t) for t in terms)}


def _time(article: dict) -> datetime | None:
    for key in ("published", "fetched"):
        try:
            return datetime.fromisoformat(article[key])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def link_score(english: dict, chinese: dict, alias_groups: dict) -> tuple[int, float]:
    """(shared figures, shared share of the English figures) when the two name a common
    body and appeared within MAX_DAYS of each other; (0, 0.0) otherwise."""
    t_en, t_zh = _time(english), _time(chinese)
    if t_en is None or t_zh is None or abs((t_en - t_zh).total_seconds()) > MAX_DAYS * 86400:
        return 0, 0.0
    text_en = f"{english.get('title') or ''}\n{english.get('body') or ''}"
    text_zh = f"{chinese.get('title') or ''}\n{chinese.get('body') or ''}"
    if not entities(text_en, alias_groups) & entities(text_zh, alias_groups):
        return 0, 0.0
    fig_en, fig_zh = figures(text_en, "en"), figures(text_zh, "zh")
    shared = len(fig_en & fig_zh)
    return shared, shared / len(fig_en) if fig_en else 0.0


def best_original(english: dict, candidates: list[dict], alias_groups: dict) -> dict | None:
    """The Chinese article ``english`` most likely translates, or None."""
    best, best_key = None, (0, 0.0)
    for chinese in candidates:
        key = link_score(english, chinese, alias_groups)
        if key[0] >= MIN_SHARED_FIGURES and key > best_key:
            best, best_key = chinese, key
    return best
