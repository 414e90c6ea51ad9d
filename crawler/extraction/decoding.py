"""Bytes to text: BOM, HTTP header, ``<meta charset>``, then detection.

A declared charset is a claim, not a fact: every declaration is checked by decoding
strictly, and a page that declares GBK but is valid UTF-8 (or the reverse) is read as
what it really is. GB2312 and GBK are always read as GB18030, their superset.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

# Labels browsers treat as their superset (WHATWG Encoding Standard).
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
    "big5": "big5hkscs", "x-sjis": "shift_jis",
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def normalise_encoding(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return _SUPERSETS.get(label)
    return _SUPERSETS.get(label, _SUPERSETS.get(name, name))


def header_charset(headers: Mapping | None) -> str | None:
    """The charset named by a Content-Type header, if any (keys and values str or bytes)."""
    if not headers:
        return None
    for key, value in headers.items():
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() != "content-type":
            continue
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        m = _HEADER_CHARSET.search(value or "")
        return m.group(1) if m else None
    return None


def declared_charset(raw: bytes) -> str | None:
    """The charset the document declares in its first 16 KB (meta or XML declaration)."""
    head = raw[:16384]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore") if m else None


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_ascii(raw: bytes) -> bool:
    try:
        raw.decode("ascii")
    except UnicodeDecodeError:
        return False
    return True


# The 300 commonest characters of written Chinese: in real Chinese text about half of all
# Han characters are among them; in Latin-1 bytes misread as GB18030 (``für`` and ``üß``
# are valid GB18030 pairs) almost none are.
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之"
    "过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前"
    "所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声"
    "全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使"
    "教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑"
    "性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果"
    "亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让"
    "认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留"
    "红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息"
    "写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则"
    "首单省县局网据称")
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _looks_cjk(text: str) -> bool:
    """Real evidence of Chinese text, not noise: most non-ASCII characters are CJK, enough
    Han characters, a fair share of the visible letters, and common ones among them."""
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if not non_ascii or len(_CJK.findall(text)) / non_ascii <= 0.8:
        return False
    visible = _MARKUP.sub(" ", text[:200_000])
    han = _HAN_ONLY.findall(visible)
    if len(han) < 10:
        return False
    latin = len(_LATIN_LETTER.findall(visible))
    if len(han) < 0.05 * latin:  # a handful of "characters" in a page of Latin prose
        return False
    common = sum(1 for ch in han if ch in _COMMON_HAN)
    return common >= 0.2 * len(han)


def _errors(raw: bytes, encoding: str) -> int:
    """How many characters a lenient decoding had to replace."""
    try:
        return raw.decode(encoding, "replace").count("\ufffd")
    except LookupError:
        return len(raw)


# Letters of the European languages single-byte pages are written in: a reading that
# puts them between Latin letters is more plausible than one that puts ³ ¹ ¿ there.
_EUROPEAN_LETTERS = frozenset(
    "äöüÄÖÜßéèêëàâçîïôûùœñáíóúÉÈÀÇÑÁÍÓÚãõÃÕ"
    "ąćęłńśźżĄĆĘŁŃŚŹŻčďěňřšťůýžČĎĚŇŘŠŤŮÝŽőűŐŰ")
_SINGLE_BYTE = ("cp1252", "cp1250", "iso8859-15", "iso8859-2")
_GB = ("gb18030", "gbk", "gb2312", "cp936", "hz")


def _letter_score(text: str) -> int:
    return sum(1 for ch in text if ch in _EUROPEAN_LETTERS)


def _single_byte(raw: bytes, guess: str | None) -> tuple[str, str]:
    """The most plausible single-byte reading: cp1252 (what browsers assume), cp1250
    (Central Europe), or the detector's guess, by how many real letters each yields."""
    options = list(dict.fromkeys(["cp1252"] + [e for e in (guess,) if e] + list(_SINGLE_BYTE)))
    best_text, best_enc, best_score = "", "cp1252", -1
    for encoding in options:
        text = _strict(raw, encoding)
        if text is None:
            continue
        score = _letter_score(text)
        if score > best_score:
            best_text, best_enc, best_score = text, encoding, score
    if best_score < 0:
        return raw.decode("cp1252", "replace"), "cp1252"
    return best_text, best_enc


def _detect(raw: bytes) -> tuple[str, str] | None:
    """charset-normalizer's verdict; a Chinese codec only with real evidence of Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:65536]).best()
    if best is None:
        return None
    encoding = normalise_encoding(best.encoding) or best.encoding
    if encoding in _GB:
        text = raw.decode(encoding, "replace")
        return (text, "gb18030") if _looks_cjk(text) else _single_byte(raw, None)
    if encoding.startswith(("cp12", "iso8859", "latin", "mac", "cp8", "windows")):
        return _single_byte(raw, encoding)
    return raw.decode(encoding, "replace"), encoding


def decode(raw: bytes, headers: Mapping | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a page's raw bytes.

    A Chinese codec is chosen only with evidence of Chinese: the page declares it (and
    the bytes decode), or the GB18030 reading is real Chinese text (``_looks_cjk``). A
    Latin-1 or cp1252 page whose umlaut pairs happen to be valid GB18030 stays Latin.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, "replace"), encoding
    if _is_ascii(raw):
        return raw.decode("ascii"), "ascii"
    declared = [normalise_encoding(header_charset(headers)),
                normalise_encoding(declared_charset(raw))]
    utf8 = _strict(raw, "utf-8")
    if utf8 is not None:
        # Valid UTF-8 with non-ASCII bytes is almost never an accident of another charset.
        return utf8, "utf-8"
    for encoding in declared:
        if not encoding or encoding.startswith("utf-8"):
            continue
        text = _strict(raw, encoding)
        if text is None:
            continue
        if encoding == "cp1252" or encoding.startswith(("iso8859", "latin")):
            # Single-byte charsets decode anything: check the bytes are not GB18030.
            gb = _strict(raw, "gb18030")
            if gb is not None and _looks_cjk(gb):
                return gb, "gb18030"
        return text, encoding
    gb = _strict(raw, "gb18030")
    if gb is not None and _looks_cjk(gb):
        return gb, "gb18030"
    # Nothing decodes cleanly. A few bad bytes in UTF-8 are damage, not another charset
    # (GB18030 would read UTF-8 bytes as plausible-looking nonsense without errors).
    non_ascii = sum(1 for b in raw if b > 127)
    allowed = max(3, non_ascii // 200)
    if _errors(raw, "utf-8") <= allowed:
        return raw.decode("utf-8", "replace"), "utf-8"
    candidates = list(dict.fromkeys([e for e in declared if e] + ["gb18030"]))
    best = min(candidates, key=lambda e: _errors(raw, e))
    if _errors(raw, best) <= allowed and (
            best not in _GB or _looks_cjk(raw.decode(best, "replace"))):
        return raw.decode(best, "replace"), best
    detected = _detect(raw)
    if detected is not None:
        return detected
    return _single_byte(raw, None)
