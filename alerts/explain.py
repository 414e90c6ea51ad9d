"""Why a topic matched: the terms that hit, where (original offsets; in an attachment, the
file and the page), and a snippet with the hits marked ``**like this**``, for stored
matches, alerts and ``--explain``."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.scanned import ATTACHMENT, PART_FIELDS, ScannedArticle
from alerts.topics import Topic

SNIPPET_BEFORE, SNIPPET_AFTER = 40, 100
MARK_OPEN, MARK_CLOSE = "**", "**"
MAX_SPANS_PER_TERM = 20  # a term repeated 300 times in a long report needs no 300 offsets


@dataclass(slots=True)
class Hit:
    term: str  # as the user wrote it (or the /regex/ or field:value)
    field: str  # title | body | doc_number | attachment | source | site | lang
    start: int  # offsets in the original field text (0, 0 for source/site/lang)
    end: int
    # In an attachment: which file (index among the article's readable ones), where its
    # text starts in the attachments part, its name, and the page (or sheet) label.
    file: int = -1
    file_start: int = 0
    name: str | None = None
    page: str | None = None


@dataclass
class Match:
    topic: Topic
    hits: list[Hit]
    snippet: str
    location: dict | None = None  # where the snippet is from, when not the page itself

    def terms_json(self) -> list[dict]:
        """[{"term", "field", "at": [[start, end], ...]}], plus "attachment" (its name)
        and "pages" for hits in an attachment, whose offsets are in that file's text."""
        out: dict[tuple, dict] = {}
        for h in self.hits:
            key = (h.term, h.field, h.file)
            entry = out.get(key)
            if entry is None:
                entry = out[key] = {"term": h.term, "field": h.field, "at": []}
                if h.file >= 0:
                    entry.update(attachment=h.name, pages=[])
            if h.end > h.start:
                entry["at"].append([h.start - h.file_start, h.end - h.file_start])
            if h.page is not None and h.page not in entry.get("pages", [h.page]):
                entry["pages"].append(h.page)
        return list(out.values())


# A plan step: ("t", atom id, parts allowed, label) | ("r", compiled, field, label)
#              | ("m", field, value, label)
PlanStep = tuple


def collect_hits(plan: list[PlanStep], art: ScannedArticle) -> list[Hit]:
    """The positive atoms of a topic that hit ``art`` (and that matching looked at), with
    original offsets."""
    hits: list[Hit] = []
    found = art.hits
    for kind, a, b, label in plan:
        if kind == "t":
            # Spans found so far: the automaton's, and those the evaluation looked up. An
            # OR branch it never needed is not searched for here either.
            spans = found.get(a)
            if not spans:
                continue
            prefix = label.endswith("*")  # a prefix: mark the whole word it starts
            for s, e in spans[:MAX_SPANS_PER_TERM]:
                if art.part_of(s) not in b:
                    continue
                hits.append(_hit(art, label, *art.original_span(
                    s, art.word_end(e) if prefix else e)))
        elif kind == "r":
            for base, text in art.part_texts(b):
                for i, m in enumerate(a.finditer(text)):
                    if i >= 5:
                        break
                    hits.append(_hit(art, label, *art.original_span(base + m.start(),
                                                                    base + m.end())))
        elif b in art.meta[a]:
            hits.append(Hit(label, a, 0, 0))
    return hits


def _hit(art: ScannedArticle, label: str, part: int, start: int, end: int) -> Hit:
    if part != ATTACHMENT or not art.files:
        return Hit(label, PART_FIELDS[part], start, end)
    index, page = art.attachment_at(start)
    file = art.files[index]
    return Hit(label, "attachment", start, end, index, file.start, file.file.get("name"), page)


def snippet_hit(art: ScannedArticle, hits: list[Hit]) -> Hit | None:
    """The hit the snippet is cut around: the earliest in the body, then the document
    number, then the attachments, then the title. A body hit on a line that names one of
    the attachments (the link "附件1：…实施方案") counts after the attachments' own."""
    text_hits = [h for h in hits if h.end > h.start and h.field in _PART_INDEX]
    if not text_hits:
        return None
    if len(text_hits) == 1:
        return text_hits[0]
    stems = [stem for f in art.files
             if len(stem := (f.file.get("name") or "").rsplit(".", 1)[0]) >= 4]

    def order(h: Hit) -> tuple:
        rank = _PART_INDEX[h.field]
        if stems and h.field == "body" and _on_link_line(art.parts[1], h, stems):
            rank = len(_PART_INDEX)
        return (h.field == "title", rank, h.start)
    return min(text_hits, key=order)


def _on_link_line(body: str, h: Hit, stems: list[str]) -> bool:
    start = body.rfind("\n", 0, h.start) + 1
    end = body.find("\n", h.end)
    line = body[start:end if end >= 0 else len(body)]
    return any(stem in line for stem in stems)


def snippet_location(art: ScannedArticle, hits: list[Hit]) -> dict | None:
    """Where the snippet comes from when it is an attachment: its name, URL, type and
    page, and a sentence saying so ("in attachment 《…实施方案》.pdf, page 3")."""
    first = snippet_hit(art, hits)
    if first is None or first.file < 0:
        return None
    f = art.files[first.file].file
    unit = f.get("unit") or "page"
    location = {"attachment": f.get("name"), "label": attachment_label(f.get("name") or ""),
                "url": f.get("url"), "type": f.get("type"), "unit": unit,
                "page": first.page}
    location["text"] = describe(location)
    return location


def attachment_label(name: str) -> str:
    """A file name as a document title: "实施方案.pdf" → "《实施方案》.pdf" (kept as it is
    when it already quotes one, or is not Chinese)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 5:
        stem, ext = name, ""
    if "《" in stem or not any("\u4e00" <= c <= "\u9fff" for c in stem):
        return name
    return f"《{stem}》" + (f".{ext}" if ext else "")


def describe(location: dict, language: str = "en", *, start: bool = False) -> str:
    """The location in words: "in attachment 《…》.pdf, page 3" (``start``: capitalised,
    to open a line), or in Chinese "附件《…》.pdf 第 3 页"."""
    name = location.get("label") or location.get("attachment") or ""
    page, sheet = location.get("page"), location.get("unit") == "sheet"
    if language == "zh":
        where = f"工作表“{page}”" if sheet else f"第 {page} 页"
        return f"附件{name}" + (f" {where}" if page else "")
    text = f"{'In' if start else 'in'} attachment {name}"
    if page:
        text += f", sheet “{page}”" if sheet else f", page {page}"
    return text


_PART_INDEX = {name: i for i, name in enumerate(PART_FIELDS)}


def make_snippet(art: ScannedArticle, hits: list[Hit]) -> str:
    """A short extract around the first text hit (body first), every hit in it marked."""
    text_hits = [h for h in hits if h.end > h.start and h.field in _PART_INDEX]
    first = snippet_hit(art, text_hits)
    if first is None:
        return " ".join(art.parts[0][:SNIPPET_BEFORE + SNIPPET_AFTER].split())
    start, end = first.start, first.end
    text = art.parts[_PART_INDEX[first.field]]
    size = len(text)
    floor, ceiling = 0, size
    if first.file >= 0:  # within that one attachment's text
        floor, ceiling = first.file_start, art.files[first.file].end
    lo = max(floor, start - SNIPPET_BEFORE)
    hi = min(ceiling, end + SNIPPET_AFTER)
    # Do not cut a Latin word in two at either end.
    while floor < lo < start and text[lo - 1].isascii() and text[lo - 1].isalnum():
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
    return ("…" if lo > floor else "") + snippet + ("…" if hi < ceiling else "")
