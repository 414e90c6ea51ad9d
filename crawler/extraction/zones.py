"""The page's own time zone when the caller gives none: from the host's country, else the
page's language, else UTC (Beijing time on a Chinese site).

A UTC stamp in the metadata (``2022-11-06T23:00:00Z``) is the same instant as the page's
local midnight of the 7th: the chooser keeps the instant and reads its day in this zone.
"""

from __future__ import annotations

from datetime import timezone
from functools import lru_cache
from urllib.parse import urlsplit

from .dates import BEIJING

# Country-code top-level domains of one zone (or one dominant zone).
_TLD_ZONES = {
    "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "mo": "Asia/Macau", "tw": "Asia/Taipei",
    "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "sg": "Asia/Singapore", "in": "Asia/Kolkata",
    "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "fr": "Europe/Paris", "be": "Europe/Brussels", "nl": "Europe/Amsterdam",
    "lu": "Europe/Luxembourg", "it": "Europe/Rome", "es": "Europe/Madrid",
    "pt": "Europe/Lisbon", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
    "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb", "dk": "Europe/Copenhagen", "se": "Europe/Stockholm",
    "no": "Europe/Oslo", "fi": "Europe/Helsinki", "ee": "Europe/Tallinn", "lv": "Europe/Riga",
    "lt": "Europe/Vilnius", "gr": "Europe/Athens", "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia", "ie": "Europe/Dublin", "uk": "Europe/London", "ua": "Europe/Kyiv",
    "tr": "Europe/Istanbul", "il": "Asia/Jerusalem", "za": "Africa/Johannesburg",
    "nz": "Pacific/Auckland", "ar": "America/Argentina/Buenos_Aires", "cl": "America/Santiago",
    "co": "America/Bogota", "pe": "America/Lima", "ve": "America/Caracas",
    "bo": "America/La_Paz", "ec": "America/Guayaquil", "uy": "America/Montevideo",
    "py": "America/Asuncion",
}
# Languages spoken (almost) only in one zone. English, Spanish, Portuguese and French are
# not here: their pages come from too many zones.
_LANG_ZONES = {
    "zh": "Asia/Shanghai", "de": "Europe/Berlin", "it": "Europe/Rome", "pl": "Europe/Warsaw",
    "nl": "Europe/Amsterdam", "cs": "Europe/Prague", "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest", "da": "Europe/Copenhagen", "sv": "Europe/Stockholm",
    "nb": "Europe/Oslo", "no": "Europe/Oslo", "fi": "Europe/Helsinki", "el": "Europe/Athens",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "uk": "Europe/Kyiv", "tr": "Europe/Istanbul",
    "ja": "Asia/Tokyo", "ko": "Asia/Seoul", "he": "Asia/Jerusalem",
}


@lru_cache(maxsize=64)
def _named(name: str):
    if name == "Asia/Shanghai":
        return BEIJING
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except Exception:  # no tz database: UTC rather than a crash
        return timezone.utc


def page_zone(url: str, lang: str | None, html_lang: str | None = None):
    """The zone of a page's dates when no source says it: the host's country, else the
    language of the text (``zh``) or of the markup, else UTC."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld in _TLD_ZONES:
        return _named(_TLD_ZONES[tld])
    if lang == "zh":
        return BEIJING
    for code in (html_lang, lang):
        code = (code or "").split("-")[0].split("_")[0].lower()
        if code in _LANG_ZONES:
            return _named(_LANG_ZONES[code])
    return timezone.utc
