"""The language of a text, from its characters: ``zh``, ``ja``, ``ko`` or ``en``."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, fallback: str | None = None) -> str | None:
    """Han characters outweighing Latin words means Chinese (kana: Japanese, hangul: Korean)."""
    sample = text[:3000]
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    words = len(_LATIN_WORD.findall(sample))
    if kana > 20 and kana > han * 0.1:
        return "ja"
    if hangul > 20 and hangul > han:
        return "ko"
    # One Chinese character carries about as much as one English word.
    if han >= 20 and han > words * 0.5:
        return "zh"
    if words >= 10:
        return "en"
    if han:
        return "zh"
    if fallback:
        return fallback.split("-")[0].split("_")[0].lower() or None
    return "en" if words else None
