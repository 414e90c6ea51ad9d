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


def _looks_cjk(text: str) -> bool:
    """Most non-ASCII characters are CJK: a plausible GB18030 reading, not noise."""
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if not non_ascii:
        return False
    return len(_CJK.findall(text)) / non_ascii > 0.8


def _errors(raw: bytes, encoding: str) -> int:
    """How many characters a lenient decoding had to replace."""
    try:
        return raw.decode(encoding, "replace").count("\ufffd")
    except LookupError:
        return len(raw)


def _detect(raw: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:65536]).best()
    if best is None:
        return None
    encoding = normalise_encoding(best.encoding) or best.encoding
    return raw.decode(encoding, "replace"), encoding


def decode(raw: bytes, headers: Mapping | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a page's raw bytes."""
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
    if _errors(raw, best) <= allowed:
        return raw.decode(best, "replace"), best
    detected = _detect(raw)
    if detected is not None:
        return detected
    return raw.decode(best, "replace"), best
