"""Turn a parsed query into an SQLite FTS5 (trigram) expression that every matching
article satisfies, so that a search reads a few candidates instead of the archive.

The expression may let through articles the query rejects (the matcher decides), but it
must not drop one the query accepts. Trigrams need three characters: a branch with no term
of 3+ characters cannot narrow, and then neither can the query (None: scan instead).
Terms are split at punctuation and spaces (the index sees the raw text, where "AI +
manufacturing" may be spaced out); Chinese segments also look for their traditional form.
Known gap: full-width Latin letters in the raw text (ＡＩ) are not found through the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

from alerts import query as q
from alerts.engine import required_literal

_SEGMENT = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _s2t():
    from opencc import OpenCC

    return OpenCC("s2t")


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _segment_expr(seg: str) -> str:
    variants = [seg]
    if _CJK.search(seg):
        trad = _s2t().convert(seg)
        if trad != seg:
            variants.append(trad)
    if len(variants) == 1:
        return _phrase(seg)
    return "(" + " OR ".join(_phrase(v) for v in variants) + ")"


def _text_expr(text: str) -> str | None:
    segments = [s for s in _SEGMENT.findall(text) if len(s) >= 3]
    if not segments:
        return None
    parts = [_segment_expr(s) for s in dict.fromkeys(segments)]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def fts_expression(node: q.Node) -> str | None:
    """An FTS5 MATCH expression implied by ``node``, or None if none narrows."""
    if isinstance(node, q.Term):
        return _text_expr(node.text)
    if isinstance(node, q.Regex):
        literal = required_literal(node.pattern)
        return _text_expr(literal) if literal else None
    if isinstance(node, (q.Meta, q.Not)):
        return None
    parts = [fts_expression(c) for c in node.children]
    if isinstance(node, q.And):
        known = [p for p in parts if p is not None]
        if not known:
            return None
        return known[0] if len(known) == 1 else "(" + " AND ".join(known) + ")"
    if any(p is None for p in parts):
        return None
    return "(" + " OR ".join(parts) + ")"
