"""The matching engine: every term of every topic in one Aho-Corasick automaton.

An article is normalised once and scanned once (``alerts.scanned``); each automaton hit is
checked for Latin word boundaries and recorded by atom. Only the topics indexed under a
hit (or under one of the article's ``source:``/``site:``/``lang:`` values) are evaluated,
so the cost of an article does not grow with the number of topics; a topic whose query
can be true with no positive term at all (``NOT x``, or a regex with no literal to index)
is evaluated on every article.
"""

from __future__ import annotations

import gc
import re
import re._parser as sre_parse  # the stdlib's own regex parser, for required literals
from datetime import datetime, timezone

import ahocorasick_rs

from alerts import query as q
from alerts.explain import Hit, Match, collect_hits, make_snippet, snippet_location
from alerts.normalize import WORDSET, normalize
from alerts.scanned import ScannedArticle, find_spans
from alerts.topics import Topic
from crawler.times import article_time

_TITLE, _BODY, _ATTACHMENT = frozenset([0]), frozenset([1, 2]), frozenset([3])
_ANY = frozenset([0, 1, 2, 3])
_PARTS = {"title": _TITLE, "body": _BODY, "attachment": _ATTACHMENT, None: _ANY}

__all__ = ["Engine", "Hit", "Match", "engine_for", "required_literal"]


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
        self._atom_ids: dict[tuple, int] = {}
        self._atom_info: list[tuple[str, bool, bool]] = []  # text, check start, check end
        self._regexes: list[re.Pattern] = []
        self._by_trigger: dict[object, list[int]] = {}
        self._always: list[int] = []
        self._plans = []  # per topic: how to explain a match (alerts.explain.collect_hits)
        self._filters = []  # per topic: (normalised sources, languages, max_age) or None
        for index, topic in enumerate(self.topics):
            self._plans.append(self._plan(topic.query))
            has_filter = topic.sources or topic.languages or topic.max_age is not None
            self._filters.append((frozenset(normalize(x) for x in topic.sources),
                                  frozenset(topic.languages), topic.max_age)
                                 if has_filter else None)
            trig = self._triggers(topic.query)
            if trig is None:
                self._always.append(index)
            else:
                for key in trig:
                    self._by_trigger.setdefault(key, []).append(index)
        # Only atoms that make a topic a candidate go into the automaton; the others (the
        # second half of an AND, a NOT) are looked for in the few candidates' articles.
        # Compiled once that is known: an automaton atom's test is then a dict lookup.
        self._scanned = scanned = {k for k in self._by_trigger if isinstance(k, int)}
        # A term, or an OR of terms, is true exactly when the topic is a candidate (one of
        # its terms hit): None, nothing to evaluate.
        self._compiled = [None if _is_trigger_only(topic.query) else self._compile(topic.query)
                          for topic in self.topics]
        self._lazy = {atom: info for atom, info in enumerate(self._atom_info)
                      if atom not in scanned}
        self._keys: dict[str, list[tuple[int, bool, bool]]] = {}
        for atom in sorted(scanned):
            text, check_start, check_end = self._atom_info[atom]
            self._keys.setdefault(text, []).append((atom, check_start, check_end))
        self._automaton = _automaton_of(self._keys)

    # -- building ---------------------------------------------------------------
    def _term_atom(self, text: str, prefix: bool, raw_literal: bool = False) -> int:
        ident = ("lit" if raw_literal else "term", text, prefix)
        if ident in self._atom_ids:
            return self._atom_ids[ident]
        atom = len(self._atom_ids)
        self._atom_ids[ident] = atom
        check_start = not raw_literal and text[0] in WORDSET
        check_end = not raw_literal and not prefix and text[-1] in WORDSET
        self._atom_info.append((text, check_start, check_end))
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
            # Index under the rarest child: any term set before lang:/source:/site:, which
            # hold for a large share of all articles; then fewer terms; then longer ones.
            return min(known, key=self._rarity, default=None)
        return None if any(s is None for s in sets) else frozenset().union(*sets)

    def _rarity(self, keys: frozenset) -> tuple:
        if any(isinstance(k, tuple) for k in keys):
            return (1, len(keys), 0)
        return (0, len(keys), -min(len(self._atom_info[k][0]) for k in keys))

    def _plan(self, node) -> list[tuple]:
        steps = []
        for atom in dict.fromkeys(q.positive_atoms(node)):
            if isinstance(atom, q.Term):
                parts = _PARTS[atom.field]
                steps.append(("t", self._term_atom(atom.text, atom.prefix), parts, atom.raw))
            elif isinstance(atom, q.Regex):
                steps.append(("r", atom.compiled(), atom.field, "/" + atom.raw + "/"))
            else:
                steps.append(("m", atom.field, atom.value, f"{atom.field}:{atom.value}"))
        return steps

    def _compile(self, node):
        """The node as a function of a :class:`ScannedArticle`."""
        if isinstance(node, q.Term):
            atom = self._term_atom(node.text, node.prefix)
            if node.field == "title":  # a span starting before the body's start
                return lambda a: any(s < a.bounds[1] for s, _ in a.spans(atom))
            if node.field == "body":  # body or document number, not the attachments
                return lambda a: any(a.bounds[1] <= s < a.bounds[3] for s, _ in a.spans(atom))
            if node.field:
                return lambda a: any(s >= a.bounds[3] for s, _ in a.spans(atom))
            if atom in self._scanned:  # the automaton recorded it, or it is absent
                return lambda a: atom in a.hits
            info = self._atom_info[atom]
            text = info[0]

            def lazy(a):
                got = a.hits.get(atom)
                if got is None:  # most companions are absent: one C-level test says so
                    got = a.hits[atom] = find_spans(a.scan, *info) if text in a.scan else []
                return bool(got)
            return lazy
        if isinstance(node, q.Regex):
            rx_id = len(self._regexes)
            self._regexes.append(node.compiled())
            rx, fld = self._regexes[rx_id], node.field
            key = (rx_id, fld)

            def regex(a):
                if key not in a.regex_cache:
                    a.regex_cache[key] = any(rx.search(text) for _, text in a.part_texts(fld))
                return a.regex_cache[key]
            return regex
        if isinstance(node, q.Meta):
            fld, value = node.field, node.value
            return lambda a: value in a.meta[fld]
        if isinstance(node, q.Not):
            inner = self._compile(node.child)
            return lambda a: not inner(a)
        parts = [self._compile(c) for c in node.children]
        # Two or three children (nearly every query): no generator per evaluation.
        if isinstance(node, q.And):
            if len(parts) == 2:
                p0, p1 = parts
                return lambda a: p0(a) and p1(a)
            if len(parts) == 3:
                p0, p1, p2 = parts
                return lambda a: p0(a) and p1(a) and p2(a)

            def all_of(a):
                for p in parts:
                    if not p(a):
                        return False
                return True
            return all_of
        if len(parts) == 2:
            p0, p1 = parts
            return lambda a: p0(a) or p1(a)
        if len(parts) == 3:
            p0, p1, p2 = parts
            return lambda a: p0(a) or p1(a) or p2(a)

        def any_of(a):  # an alias group: often four or five terms
            for p in parts:
                if p(a):
                    return True
            return False
        return any_of

    def every_article_topics(self) -> list[str]:
        """Names of the topics evaluated on every article (no positive term to index)."""
        return [self.topics[i].name for i in self._always]

    # -- matching ---------------------------------------------------------------
    def prepare(self, article: dict) -> ScannedArticle:
        """Normalise and scan an article once."""
        art = ScannedArticle.of(article)
        art.lazy = self._lazy
        if self._automaton is None:
            return art
        automaton, values = self._automaton
        scan, words, hits = art.scan, WORDSET, art.hits
        size = len(scan)
        for key, start, end in automaton.find_matches_as_indexes(scan, overlapping=True):
            atom, check_start, check_end, more = values[key]
            if not ((check_start and start and scan[start - 1] in words)
                    or (check_end and end < size and scan[end] in words)):
                if atom in hits:
                    hits[atom].append((start, end))
                else:
                    hits[atom] = [(start, end)]
            if more is None:
                continue
            for atom, check_start, check_end in more:
                if check_start and start and scan[start - 1] in words:
                    continue
                if check_end and end < size and scan[end] in words:
                    continue
                hits.setdefault(atom, []).append((start, end))
        return art

    def candidates(self, art: ScannedArticle) -> set[int]:
        found = set(self._always)
        by = self._by_trigger
        for atom in art.hits:
            topics = by.get(atom)
            if topics:
                found.update(topics)
        for fld, values in art.meta.items():
            for value in values:
                topics = by.get((fld, value))
                if topics:
                    found.update(topics)
        return found

    def match(self, article: dict, *, now: datetime | None = None,
              explain: bool = True) -> list[Match]:
        """The topics ``article`` matches (in topic order), each with hits and snippet."""
        art = self.prepare(article)
        out = []
        when: list = []  # the article's time, parsed once if a topic has a max_age
        filters, compiled = self._filters, self._compiled
        for index in sorted(self.candidates(art)):
            limits = filters[index]
            if limits is not None and not _passes(limits, art, now, when):
                continue
            check = compiled[index]
            if check is not None and not check(art):
                continue
            topic = self.topics[index]
            if explain:
                hits = collect_hits(self._plans[index], art)
                out.append(Match(topic, hits, make_snippet(art, hits),
                                 snippet_location(art, hits)))
            else:
                out.append(Match(topic, [], ""))
        return out

    def explain(self, topic: Topic, art: ScannedArticle) -> list[Hit]:
        """The positive atoms of ``topic`` (one of this engine's) that hit ``art``."""
        return collect_hits(self._plans[self.topics.index(topic)], art)

    def atom_states(self, topic: Topic, art: ScannedArticle) -> list[tuple[str, bool, bool]]:
        """Every atom of ``topic``: (label, negated, true on ``art``), for ``--explain``."""
        out = []
        for atom, negated in _atoms_with_sign(topic.query):
            label = q.to_text(atom)
            out.append((label, negated, bool(self._compile(atom)(art))))
        return list(dict.fromkeys(out))


def _is_trigger_only(node) -> bool:
    """Terms anywhere (no field), alone or under OR: all in the automaton, any one true."""
    if isinstance(node, q.Term):
        return node.field is None
    return isinstance(node, q.Or) and all(_is_trigger_only(c) for c in node.children)


def _automaton_of(keys: dict[str, list[tuple[int, bool, bool]]]):
    """One automaton over ``keys`` and, per key index, what a hit on it records:
    (first variant's atom and checks, further variants). None without any key.

    ahocorasick_rs (Rust's aho-corasick crate) looks a transition up in constant time;
    pyahocorasick, used before, looked a node's children up one by one, so a watch list of
    company names with hundreds of distinct first characters slowed every article down.
    """
    if not keys:
        return None
    values = []
    for variants in keys.values():
        # One key nearly always has one variant, so the per-hit loop in prepare() rarely loops.
        atom, check_start, check_end = variants[0]
        values.append((atom, check_start, check_end, tuple(variants[1:]) or None))
    automaton = ahocorasick_rs.AhoCorasick(list(keys), matchkind=ahocorasick_rs.MatchKind.Standard)
    return automaton, values


def _passes(limits: tuple, art: ScannedArticle, now: datetime | None, when: list) -> bool:
    """A topic's source, language and age filters (``limits``) hold for ``art``."""
    sources, languages, max_age = limits
    if sources and not (sources & (art.meta["source"] | art.meta["site"])):
        return False
    if languages and art.meta["lang"] and not (languages & art.meta["lang"]):
        return False
    if max_age is not None:
        if not when:
            when.append(article_time(art.raw))
        if when[0] is not None and (now or datetime.now(timezone.utc)) - when[0] > max_age:
            return False
    return True


def _atoms_with_sign(node, negated: bool = False):
    if isinstance(node, (q.And, q.Or)):
        for child in node.children:
            yield from _atoms_with_sign(child, negated)
    elif isinstance(node, q.Not):
        yield from _atoms_with_sign(node.child, not negated)
    else:
        yield node, negated


_cache: tuple[tuple, Engine] | None = None


def engine_for(topics: list[Topic]) -> Engine:
    """The engine for ``topics``, rebuilt only when the topic set changed."""
    global _cache
    key = tuple(topics)  # frozen dataclasses: equal when nothing changed
    if _cache is None or _cache[0] != key:
        gc.unfreeze()  # the engine being replaced may now be collected
        _cache = None
        engine = Engine(topics)
        settle_gc()
        _cache = (key, engine)
    return _cache[1]


def settle_gc() -> None:
    """Move everything alive (above all a freshly built engine: millions of objects at
    10,000 topics) out of the cyclic collector's sight. Otherwise every full collection
    walks the whole engine again, a cost that grows with the number of topics (a quarter
    of the matching time at 10,000)."""
    gc.collect()
    gc.freeze()
