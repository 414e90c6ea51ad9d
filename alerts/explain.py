"""Why a topic matched: the terms that hit, where (original offsets), and a snippet with
the hits marked ``**like this**``, for stored matches, alerts and ``--explain``."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.scanned import PART_FIELDS, ScannedArticle
from alerts.topics import Topic

SNIPPET_BEFORE, SNIPPET_AFTER = 40, 100
MARK_OPEN, MARK_CLOSE = "**", "**"
MAX_SPANS_PER_TERM = 20  # a term repeated 300 times in a long report needs no 300 offsets


@dataclass(slots=True)
class Hit:
    term: str  # as the user wrote it (or the /regex/ or field:value)
    field: str  # title | body | doc_number | source | site | lang
    start: int  # offsets in the original field text (0, 0 for source/site/lang)
    end: int


@dataclass
class Match:
    topic: Topic
    hits: list[Hit]
    snippet: str

    def terms_json(self) -> list[dict]:
        out: dict[tuple[str, str], dict] = {}
        for h in self.hits:
            entry = out.setdefault((h.term, h.field), {"term": h.term, "field": h.field, "at": []})
            if h.end > h.start:
                entry["at"].append([h.start, h.end])
        return list(out.values())


# A plan step: ("t", atom id, parts allowed, label) | ("r", compiled, field, label)
#              | ("m", field, value, label)
PlanStep = tuple


def collect_hits(plan: list[PlanStep], art: ScannedArticle) -> list[Hit]:
    """The positive atoms of a topic that hit ``art`` (and that matching looked at), with
    original offsets."""
    hits: list[Hit] = []
    found = art.hits
    body_start, number_start = art.bounds[1], art.bounds[2]
    for kind, a, b, label in plan:
        if kind == "t":
            # Spans found so far: the automaton's, and those the evaluation looked up. An
            # OR branch it never needed is not searched for here either.
            spans = found.get(a)
            if not spans:
                continue
            prefix = label.endswith("*")  # a prefix: mark the whole word it starts
            for s, e in spans[:MAX_SPANS_PER_TERM]:
                if (0 if s < body_start else 1 if s < number_start else 2) not in b:
                    continue
                part, os_, oe = art.original_span(s, art.word_end(e) if prefix else e)
                hits.append(Hit(label, PART_FIELDS[part], os_, oe))
        elif kind == "r":
            for base, text in art.part_texts(b):
                for i, m in enumerate(a.finditer(text)):
                    if i >= 5:
                        break
                    part, os_, oe = art.original_span(base + m.start(), base + m.end())
                    hits.append(Hit(label, PART_FIELDS[part], os_, oe))
        elif b in art.meta[a]:
            hits.append(Hit(label, a, 0, 0))
    return hits


_PART_INDEX = {name: i for i, name in enumerate(PART_FIELDS)}


def _snippet_order(h: Hit) -> tuple:
    """Which hit the snippet is cut around: the earliest in the body, else elsewhere."""
    return (h.field == "title", _PART_INDEX[h.field], h.start)


def make_snippet(art: ScannedArticle, hits: list[Hit]) -> str:
    """A short extract around the first text hit (body first), every hit in it marked."""
    text_hits = [h for h in hits if h.end > h.start and h.field in _PART_INDEX]
    if not text_hits:
        return " ".join(art.parts[0][:SNIPPET_BEFORE + SNIPPET_AFTER].split())
    first = text_hits[0] if len(text_hits) == 1 else min(text_hits, key=_snippet_order)
    start, end = first.start, first.end
    text = art.parts[_PART_INDEX[first.field]]
    size = len(text)
    lo = max(0, start - SNIPPET_BEFORE)
    hi = min(size, end + SNIPPET_AFTER)
    # Do not cut a Latin word in two at either end.
    while 0 < lo < start and text[lo - 1].isascii() and text[lo - 1].isalnum():
        lo += 1
    while end < hi < size and text[hi].isascii() and text[hi].isalnum():
        hi -= 1
    if len(text_hits) == 1:  # the usual case: one mark
        marked = "".join((text[lo:start], MARK_OPEN, text[start:end], MARK_CLOSE,
                          text[end:hi]))
    else:
        spans = sorted((h.start, h.end) for h in text_hits
                       if h.field == first.field and h.start >= lo and h.end <= hi)
        merged: list[list[int]] = []
        for s, e in spans:  # overlapping or touching hits become one mark
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out, pos = [], lo
        for s, e in merged:
            out += [text[pos:s], MARK_OPEN, text[s:e], MARK_CLOSE]
            pos = e
        out.append(text[pos:hi])
        marked = "".join(out)
    snippet = " ".join(marked.split())
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < size else "")
