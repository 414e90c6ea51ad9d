"""URL shapes: which links of a list are alike, and the ``link_pattern`` that finds them.

A URL's shape keeps its literal words and turns numbers and long hex ids into classes
(``/xwfb/202611/t20261126_1401783.html`` → ``/xwfb/D6/tD8_D7.html``); the links of one
article list share a shape. :func:`link_pattern` writes the regular expression a seed keeps.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HEX = re.compile(r"[0-9a-f]{12,}|[0-9A-F]{12,}")
_ID = re.compile(r"[A-Za-z0-9]{10,}")
_TOKEN = re.compile(r"(?P<num>\d+)|(?P<word>[A-Za-z]+)|(?P<other>.)")
# Numbers that are dates or their parts keep their width; others are ids that grow.
_DATE_PART = re.compile(r"^(?:\d{2}|(?:19|20)\d{2}(?:(?:0[1-9]|1[0-2])(?:[0-3]\d)?)?|"
                        r"(?:0[1-9]|1[0-2])[0-3]\d)$")


def _date_part(text: str) -> bool:
    return bool(_DATE_PART.match(text))
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "co", "mil"}


def host_family(url: str) -> str:
    """The registrable part of a URL's host (``www.ndrc.gov.cn`` → ``ndrc.gov.cn``)."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_family(url: str, family: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == family or host.endswith("." + family)


def _is_hex(run: str) -> bool:
    digits = sum(c.isdigit() for c in run)
    return digits >= 2 and len(run) - digits >= 2


def _tokens(segment: str) -> list[tuple[str, str]]:
    """Hex ids (``art_<32 hex>``, ``WS<24 hex>``) first, then mixed letter-and-digit ids
    (``FJ1P0UTC0001899O``), then numbers, words and the rest."""
    out, pos = [], 0
    for m in _HEX.finditer(segment):
        if not _is_hex(m.group(0)):
            continue
        out.extend(_plain(segment[pos:m.start()]))
        out.append(("hex", m.group(0)))
        pos = m.end()
    out.extend(_plain(segment[pos:]))
    return out


def _plain(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    for m in _ID.finditer(text):
        run = m.group(0)
        digits = sum(c.isdigit() for c in run)
        if digits < 2 or len(run) - digits < 2 or run.isdigit():
            continue
        if re.fullmatch(r"[A-Za-z]{1,3}\d+", run):  # A1764008285263: a word and a number
            continue
        out.extend((t.lastgroup, t.group(0)) for t in _TOKEN.finditer(text[pos:m.start()]))
        out.append(("id", run))
        pos = m.end()
    out.extend((t.lastgroup, t.group(0)) for t in _TOKEN.finditer(text[pos:]))
    return out


def url_shape(url: str) -> str:
    """The shape of a URL: host family, then its path and query with numbers generalised."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + "&".join(sorted(p.split("=", 1)[0] for p in parts.query.split("&")))
    out = []
    for kind, text in _tokens(path):
        generic = {"hex": "H", "num": "D", "id": "I"}.get(kind)
        out.append(generic or (text.lower() if kind == "word" else text))
    # Different words in the last segment (a slug) are one shape.
    shape = "".join(out)
    head, _, last = shape.rpartition("/")
    if last.count("-") >= 2:
        last = re.sub(r"[a-z]+", "w", last)
    return f"{host_family(url)}{head}/{last}"


def _segments(url: str) -> list[str]:
    parts = urlsplit(url)
    segments = (parts.path or "/").split("/")[1:]
    if parts.query:
        segments[-1] = segments[-1] + "?" + parts.query
    return segments


def _segment_pattern(values: list[str]) -> str:
    token_lists = [_tokens(v) for v in values]
    if len({tuple(k for k, _ in t) for t in token_lists}) != 1:
        return r"[^/]+"
    out = []
    for column in zip(*token_lists):
        kind = column[0][0]
        texts = [t for _, t in column]
        if kind == "num":
            lengths = {len(t) for t in texts}
            fixed = len(lengths) == 1 and all(_date_part(t) for t in texts)
            out.append(rf"\d{{{lengths.pop()}}}" if fixed else r"\d+")
        elif kind == "hex":
            lengths = {len(t) for t in texts}
            n = f"{{{lengths.pop()}}}" if len(lengths) == 1 else "+"
            out.append(f"[0-9a-f]{n}" if all(t == t.lower() for t in texts) else f"[0-9A-Fa-f]{n}")
        elif kind == "id":
            lengths = {len(t) for t in texts}
            out.append("[0-9A-Za-z]" + (f"{{{lengths.pop()}}}" if len(lengths) == 1 else "+"))
        elif kind == "word" and len(set(texts)) > 1:
            out.append("[A-Za-z]+")
        elif kind == "other" and len(set(texts)) > 1:
            out.append("[^/]")
        else:
            out.append(re.escape(texts[0]).replace("\\-", "-"))
    return "".join(out)


def link_pattern(urls: list[str], depth: int = 3) -> str:
    """A regular expression that matches the article URLs ``urls`` and their kin:
    the last ``depth`` path segments generalised, anchored at the end."""
    if not urls:
        return ""
    split = [_segments(u) for u in urls]
    counts: dict[int, int] = {}
    for s in split:
        counts[len(s)] = counts.get(len(s), 0) + 1
    n = max(counts, key=lambda k: (counts[k], k))
    same = [s for s in split if len(s) == n]
    k = min(depth, n)
    columns = [[s[len(s) - k + i] for s in same] for i in range(k)]
    parts = [_segment_pattern(c) for c in columns]
    # A last segment that varies freely (a slug) needs its parent to say where it lives.
    if parts and parts[-1] == r"[^/]+" and all(p == r"[^/]+" for p in parts):
        return ""
    pattern = "/" + "/".join(parts)
    if not urlsplit(urls[0]).query:
        pattern += "$"
    return pattern
