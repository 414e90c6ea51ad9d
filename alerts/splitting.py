"""Split a rendered message into parts that fit a channel's size limit.

Parts break between paragraphs (blank lines), else between lines, else inside a line,
so a digest of many alerts is cut between alerts and never inside a link if avoidable.
"""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(text: str, limit: int, measure: Measure) -> list[str]:
    parts, current = [], ""
    for ch in text:
        if current and measure(current + ch) > limit:
            parts.append(current)
            current = ""
        current += ch
    return parts + ([current] if current else [])


def _pack(pieces: list[str], sep: str, limit: int, measure: Measure) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = piece
    if current:
        parts.append(current)
    return parts


def split_text(text: str, limit: int, *, measure: Measure = len) -> list[str]:
    """Parts of ``text``, each ``measure(part) <= limit``, in order, nothing dropped."""
    if measure(text) <= limit:
        return [text]
    out: list[str] = []
    for para in _pack(text.split("\n\n"), "\n\n", limit, measure):
        if measure(para) <= limit:
            out.append(para)
            continue
        for line in _pack(para.split("\n"), "\n", limit, measure):
            out.extend([line] if measure(line) <= limit else _hard_cut(line, limit, measure))
    return out
