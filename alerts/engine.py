"""The matching engine: every term of every topic in one Aho-Corasick automaton.

An article is normalised once and scanned once (title, body and document number joined
by NUL, which no term contains); each automaton hit is checked for Latin word boundaries
and recorded by atom. Only the topics indexed under a hit (or under one of the article's
``source:``/``site:``/``lang:`` values) are evaluated, so the cost of an article does not
grow with the number of topics; a topic whose query can be true with no positive term at
all (``NOT x``, or a regex with no literal to index) is evaluated on every article.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own regex parser, for required literals
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import ahocorasick

from alerts import query as q
from alerts.normalize import WORD_CHARS, normalize, normalize_with_offsets
from alerts.topics import Topic, fingerprint

_WORDSET = frozenset(c for c in map(chr, range(0x250)) if re.fullmatch(f"[{WORD_CHARS}]", c))
SNIPPET_BEFORE, SNIPPET_AFTER = 40, 100
MARK_OPEN, MARK_CLOSE = "**", "**"


@dataclass
class Hit:
    term: str  # as the user wrote it (or the regex / field:value)
    field: str  # title | body | doc_number | source | site | lang
    start: int  # offsets in the original field text
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


@dataclass
class _Article:
    """One article, normalised once; what the compiled queries read."""

    raw: dict
    parts: list[str]  # original title, body, doc_number
    scan: str
    bounds: list[int]  # start of each part in ``scan``
    hits: dict[int, list[tuple[int, int]]]
    meta: dict[str, set[str]]
    regex_cache: dict[int, bool] = field(default_factory=dict)
    _offsets: list | None = None

    def part_of(self, pos: int) -> int:
        return 0 if pos < self.bounds[1] else (1 if pos < self.bounds[2] else 2)

    def field_text(self, fld: str | None) -> str:
        if fld == "title":
            return self.scan[:self.bounds[1] - 1]
        if fld == "body":
            return self.scan[self.bounds[1]:]
        return self.scan

    def original_span(self, start: int, end: int) -> tuple[int, int, int]:
        """(part, start, end) in the original text of the part holding ``start``."""
        if self._offsets is None:
            self._offsets = [normalize_with_offsets(p)[1] for p in self.parts]
        part = self.part_of(start)
        offs = self._offsets[part]
        base = self.bounds[part]
        s, e = start - base, min(end - base, len(offs) - 1)
        return part, offs[s], (offs[e - 1] + 1 if e > s else offs[s])


_PART_FIELDS = ("title", "body", "doc_number")


def required_literal(pattern: str) -> str | None:
    """The longest literal every match of ``pattern`` contains (2+ chars), if any."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:  # pragma: no cover - patterns are validated when parsed
        return None
    best, run = "", []

    def walk(items):
        nonlocal best, run
        for op, arg in items:
            if op is sre_parse.LITERAL:
                run.append(chr(arg).lower())
                continue
            if op is sre_parse.SUBPATTERN and arg[1] == 0 and arg[2] == 0:
                walk(arg[3])  # a plain group in the sequence: its literals are required
                continue
            best = max(best, "".join(run), key=len)
            run = []

    walk(parsed)
    best = max(best, "".join(run), key=len)
    return best if len(normalize(best)) >= 2 and normalize(best) == best else None


class Engine:
    """Matches articles against a fixed set of topics; build a new one when topics change."""

    def __init__(self, topics: list[Topic]):
        self.topics = list(topics)
        self.fingerprint = fingerprint(self.topics)
        self._atom_ids: dict[tuple, int] = {}
        self._keys: dict[str, list[tuple[int, bool, bool]]] = {}
        self._regexes: list[re.Pattern] = []
        self._by_trigger: dict[object, list[int]] = {}
        self._always: list[int] = []
        self._compiled = []
        for index, topic in enumerate(self.topics):
            self._compiled.append(self._compile(topic.query))
            trig = self._triggers(topic.query)
            if trig is None:
                self._always.append(index)
            else:
                for key in trig:
                    self._by_trigger.setdefault(key, []).append(index)
        self._automaton = ahocorasick.Automaton()
        for key, variants in self._keys.items():
            self._automaton.add_word(key, (len(key), tuple(variants)))
        if self._keys:
            self._automaton.make_automaton()

    # -- building ---------------------------------------------------------------
    def _term_atom(self, text: str, prefix: bool, raw_literal: bool = False) -> int:
        ident = ("lit" if raw_literal else "term", text, prefix)
        if ident in self._atom_ids:
            return self._atom_ids[ident]
        atom = len(self._atom_ids)
        self._atom_ids[ident] = atom
        check_start = not raw_literal and text[0] in _WORDSET
        check_end = not raw_literal and not prefix and text[-1] in _WORDSET
        self._keys.setdefault(text, []).append((atom, check_start, check_end))
        return atom

    def _triggers(self, node) -> frozenset | None:
        if isinstance(node, q.Term):
            return frozenset([self._term_atom(node.text, node.prefix)])
        if isinstance(node, q.Regex):
            literal = required_literal(node.pattern)
            return frozenset([self._term_atom(literal, False, True)]) if literal else None
        if isinstance(node, q.Meta):
            return frozenset([(node.field, node.value)])
        if isinstance(node, q.Not):
            return None
        sets = [self._triggers(c) for c in node.children]
        if isinstance(node, q.And):
            known = [s for s in sets if s is not None]
            return min(known, key=len) if known else None
        return None if any(s is None for s in sets) else frozenset().union(*sets)

    def _compile(self, node):
        """The node as a function of an :class:`_Article`."""
        if isinstance(node, q.Term):
            atom = self._term_atom(node.text, node.prefix)
            if node.field is None:
                return lambda a: atom in a.hits
            want = (0,) if node.field == "title" else (1, 2)
            return lambda a: any(a.part_of(s) in want for s, _ in a.hits.get(atom, ()))
        if isinstance(node, q.Regex):
            rx_id = len(self._regexes)
            self._regexes.append(node.compiled())
            rx, fld = self._regexes[rx_id], node.field
            key = (rx_id, fld)

            def regex(a):
                if key not in a.regex_cache:
                    a.regex_cache[key] = rx.search(a.field_text(fld)) is not None
                return a.regex_cache[key]
            return regex
        if isinstance(node, q.Meta):
            fld, value = node.field, node.value
            return lambda a: value in a.meta[fld]
        if isinstance(node, q.Not):
            inner = self._compile(node.child)
            return lambda a: not inner(a)
        parts = [self._compile(c) for c in node.children]
        if isinstance(node, q.And):
            return lambda a: all(p(a) for p in parts)
        return lambda a: any(p(a) for p in parts)

    def every_article_topics(self) -> list[str]:
        """Names of the topics evaluated on every article (no positive term to index)."""
        return [self.topics[i].name for i in self._always]

    # -- matching ---------------------------------------------------------------
    def prepare(self, article: dict) -> _Article:
        """Normalise and scan an article once."""
        parts = [article.get("title") or "", article.get("body") or "",
                 article.get("doc_number") or ""]
        normed = [normalize(p) for p in parts]
        scan = "\x00".join(normed)
        bounds = [0, len(normed[0]) + 1, len(normed[0]) + len(normed[1]) + 2]
        hits: dict[int, list[tuple[int, int]]] = {}
        if self._keys:
            words, n = _WORDSET, len(scan)
            for end, (length, variants) in self._automaton.iter(scan):
                start = end - length + 1
                for atom, check_start, check_end in variants:
                    if check_start and start and scan[start - 1] in words:
                        continue
                    if check_end and end + 1 < n and scan[end + 1] in words:
                        continue
                    hits.setdefault(atom, []).append((start, end + 1))
        return _Article(article, parts, scan, bounds, hits, _meta(article))

    def candidates(self, art: _Article) -> list[int]:
        found = set(self._always)
        by = self._by_trigger
        for atom in art.hits:
            found.update(by.get(atom, ()))
        for fld, values in art.meta.items():
            for value in values:
                found.update(by.get((fld, value), ()))
        return sorted(found)

    def match(self, article: dict, *, now: datetime | None = None,
              explain: bool = True) -> list[Match]:
        """The topics ``article`` matches, each with its hits and snippet."""
        art = self.prepare(article)
        out = []
        for index in self.candidates(art):
            topic = self.topics[index]
            if not _passes_filters(topic, art, now) or not self._compiled[index](art):
                continue
            hits = self.explain(topic, art) if explain else []
            out.append(Match(topic, hits, make_snippet(art, hits) if explain else ""))
        return out

    def explain(self, topic: Topic, art: _Article) -> list[Hit]:
        """The positive atoms of ``topic`` that hit ``art``, with original offsets."""
        hits: list[Hit] = []
        for atom in dict.fromkeys(q.positive_atoms(topic.query)):
            label = atom.raw if not isinstance(atom, q.Meta) else f"{atom.field}:{atom.value}"
            if isinstance(atom, q.Term):
                spans = art.hits.get(self._atom_ids[("term", atom.text, atom.prefix)], ())
                for s, e in spans:
                    part, os_, oe = art.original_span(s, e)
                    if atom.field == "title" and part != 0 or atom.field == "body" and part == 0:
                        continue
                    hits.append(Hit(label, _PART_FIELDS[part], os_, oe))
            elif isinstance(atom, q.Regex):
                text, base = art.field_text(atom.field), (art.bounds[1] if atom.field == "body" else 0)
                for m in list(atom.compiled().finditer(text))[:5]:
                    part, os_, oe = art.original_span(base + m.start(), base + m.end())
                    hits.append(Hit("/" + atom.raw + "/", _PART_FIELDS[part], os_, oe))
            elif atom.value in art.meta[atom.field]:
                hits.append(Hit(label, atom.field, 0, 0))
        return hits

    def atom_states(self, topic: Topic, art: _Article) -> list[tuple[str, bool, bool]]:
        """Every atom of ``topic``: (label, negated, true on ``art``), for ``--explain``."""
        out = []
        for atom, negated in _atoms_with_sign(topic.query):
            label = q.to_text(atom)
            out.append((label, negated, bool(self._compile(atom)(art))))
        return list(dict.fromkeys(out))


def _atoms_with_sign(node, negated: bool = False):
    if isinstance(node, (q.And, q.Or)):
        for child in node.children:
            yield from _atoms_with_sign(child, negated)
    elif isinstance(node, q.Not):
        yield from _atoms_with_sign(node.child, not negated)
    else:
        yield node, negated


def _meta(article: dict) -> dict[str, set[str]]:
    source = normalize(article.get("source") or "")
    sites = {normalize(article.get("site") or "")}
    host = (urlsplit(article.get("url") or article.get("canonical_url") or "").hostname or "")
    labels = host.lower().split(".")
    sites.update(".".join(labels[i:]) for i in range(len(labels)) if labels[i:] != [""])
    lang = normalize(article.get("lang") or "")
    langs = {lang, lang.split("-")[0]}
    return {"source": {source} - {""}, "site": sites - {""}, "lang": langs - {""}}


def article_time(article: dict) -> datetime | None:
    """When an article appeared: ``published``, else ``fetched`` (UTC), if parseable."""
    for key in ("published", "fetched"):
        value = article.get(key)
        if value:
            try:
                when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return None


def _passes_filters(topic: Topic, art: _Article, now: datetime | None) -> bool:
    if topic.sources:
        names = art.meta["source"] | art.meta["site"]
        if not any(normalize(s) in names for s in topic.sources):
            return False
    if topic.languages and art.meta["lang"]:
        if not art.meta["lang"] & set(topic.languages):
            return False
    if topic.max_age is not None:
        when = article_time(art.raw)
        now = now or datetime.now(timezone.utc)
        if when is not None and now - when > topic.max_age:
            return False
    return True


def make_snippet(art: _Article, hits: list[Hit]) -> str:
    """A short extract around the first text hit, every hit in it marked **like this**."""
    text_hits = [h for h in hits if h.field in _PART_FIELDS and h.end > h.start]
    if not text_hits:
        return art.parts[0][:SNIPPET_BEFORE + SNIPPET_AFTER]
    first = min(text_hits, key=lambda h: (h.field == "title", _PART_FIELDS.index(h.field), h.start))
    part = _PART_FIELDS.index(first.field)
    text = art.parts[part]
    lo = max(0, first.start - SNIPPET_BEFORE)
    hi = min(len(text), first.end + SNIPPET_AFTER)
    spans = sorted({(h.start, h.end) for h in text_hits if h.field == first.field
                    and h.start >= lo and h.end <= hi}, key=lambda se: (se[0], -se[1]))
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
    snippet = " ".join("".join(out).split())
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")


_cache: tuple[tuple, Engine] | None = None


def engine_for(topics: list[Topic]) -> Engine:
    """The engine for ``topics``, rebuilt only when the topic set changed."""
    global _cache
    key = tuple(topics)  # frozen dataclasses: equal when nothing changed
    if _cache is None or _cache[0] != key:
        _cache = (key, Engine(topics))
    return _cache[1]
