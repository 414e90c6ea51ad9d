"""The topic query language: a tokenizer and a recursive-descent parser to a small AST.

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*            # juxtaposition means AND
    unary    := "NOT" unary | "-" primary | primary
    primary  := "(" or_expr ")" | [field ":"] (WORD | "phrase" | /regex/ | @alias | "(" ... ")")
    field    := title | body | attachment | source | site | lang
    scope    := "in:" (title | body | attachment)      # anywhere outside parentheses

``in:attachment`` (or ``in:body``, ``in:title``) gives every text term that names no field
of its own that field: the whole topic looks only there.

Operators are upper case; a WORD ending in ``*`` matches as a prefix. Terms are
normalised (``alerts.normalize``) when parsed, so the AST holds the comparable form.
Errors are :class:`QueryError` with the 0-based ``position`` of the offending character.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Iterator, Mapping, Sequence, Union

import regex

from alerts.normalize import normalize

log = logging.getLogger("newswatch.matcher")

TEXT_FIELDS = ("title", "body", "attachment")
META_FIELDS = ("source", "site", "lang")
FIELDS = TEXT_FIELDS + META_FIELDS
OPERATORS = ("AND", "OR", "NOT")
_ALIAS_NAME = re.compile(r"[\w.+-]+")
_WORD_END = re.compile(r'[\s()"]')


class QueryError(ValueError):
    """A query that does not parse; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at column {position + 1})")
        self.message = message
        self.position = position

    def pointer(self, query: str) -> str:
        """The query with a caret under the error, for terminals (Chinese characters are
        two columns wide)."""
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                    for c in query[:self.position])
        return f"{query}\n{' ' * width}^"


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    field: str | None = None  # title | body | attachment | None (anywhere)
    prefix: bool = False
    raw: str = dc_field(default="", compare=False)


@dataclass(frozen=True)
class Regex:
    pattern: str  # as matched against normalised text
    field: str | None = None
    raw: str = dc_field(default="", compare=False)

    def compiled(self) -> BoundedRegex:
        return _compile_regex(self.pattern)


@dataclass(frozen=True)
class Meta:
    field: str  # source | site | lang
    value: str  # normalised


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


Node = Union[Term, Regex, Meta, And, Or, Not]
Atom = Union[Term, Regex, Meta]


def atoms(node: Node) -> Iterator[Atom]:
    """Every atom of ``node``, depth first."""
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from atoms(child)
    elif isinstance(node, Not):
        yield from atoms(node.child)
    else:
        yield node


def positive_atoms(node: Node, negated: bool = False) -> Iterator[Atom]:
    """Atoms that count for a match when they hit (not under an odd number of NOTs)."""
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_atoms(child, negated)
    elif isinstance(node, Not):
        yield from positive_atoms(node.child, not negated)
    elif not negated:
        yield node


# A /regex/ may spend at most this long on one text: a pattern that backtracks
# catastrophically ((a+)+$ on a long run of a's) gives up, counts as no match, and is
# logged once, instead of stalling the matcher for every topic.
REGEX_TIMEOUT_S = 0.05


class BoundedRegex:
    """A compiled /regex/ (the ``regex`` module, ``re``-compatible syntax) whose every
    search is bounded in time by :data:`REGEX_TIMEOUT_S`."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._rx = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
        self.timeouts = 0

    def _gave_up(self, text: str) -> None:
        self.timeouts += 1
        if self.timeouts == 1:
            log.warning("regex /%s/ gave up after %.0f ms on a text of %d characters "
                        "(catastrophic backtracking?): counted as no match; simplify it",
                        self.pattern, REGEX_TIMEOUT_S * 1000, len(text))

    def search(self, text: str):
        try:
            return self._rx.search(text, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            self._gave_up(text)
            return None

    def finditer(self, text: str, limit: int = 50):
        """The first ``limit`` matches (drained here, so the time bound covers them)."""
        try:
            return iter(list(itertools.islice(
                self._rx.finditer(text, timeout=REGEX_TIMEOUT_S), limit)))
        except TimeoutError:
            self._gave_up(text)
            return iter(())


def _compile_regex(pattern: str) -> BoundedRegex:
    re.compile(pattern, re.IGNORECASE)  # the stdlib's verdict (and position) on the syntax
    return BoundedRegex(pattern)


def _normalize_regex(source: str) -> str:
    """Fold the non-ASCII literals of a pattern like text is folded (〔 → \\[, 製 → 制)."""
    out = []
    for ch in source:
        if ch.isascii():
            out.append(ch)
        else:
            folded = normalize(ch) or ch
            out.append(ch if folded == ch else re.escape(folded))
    return "".join(out)


@dataclass
class _Token:
    kind: str  # ( ) AND OR NOT - FIELD IN WORD PHRASE REGEX ALIAS END
    value: str
    pos: int


def tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while j < n and query[j] != '"':
                if query[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(query[j])
                j += 1
            if j >= n:
                raise QueryError("unterminated quoted phrase", i)
            tokens.append(_Token("PHRASE", "".join(buf), i))
            i = j + 1
        elif ch == "/":
            j, buf = i + 1, []
            while j < n and query[j] != "/":
                if query[j] == "\\" and j + 1 < n and query[j + 1] == "/":
                    j += 1
                elif query[j] == "\\" and j + 1 < n:
                    buf.append(query[j])
                    j += 1
                buf.append(query[j])
                j += 1
            if j >= n:
                raise QueryError("unterminated /regex/", i)
            tokens.append(_Token("REGEX", "".join(buf), i))
            i = j + 1
        elif ch == "@":
            m = _ALIAS_NAME.match(query, i + 1)
            if not m:
                raise QueryError("expected an alias name after @", i)
            tokens.append(_Token("ALIAS", m.group().lower(), i))
            i = m.end()
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            tokens.append(_Token("-", ch, i))
            i += 1
        else:
            m = _WORD_END.search(query, i)
            j = m.start() if m else n
            word = query[i:j]
            head, colon, rest = word.partition(":")
            if colon and head.lower() == "in":
                if rest.lower() not in TEXT_FIELDS:
                    raise QueryError(f"in: takes {', '.join(TEXT_FIELDS)}, got {rest!r}", i)
                tokens.append(_Token("IN", rest.lower(), i))
                i = j
                continue
            if colon and head.lower() in FIELDS:
                tokens.append(_Token("FIELD", head.lower(), i))
                if rest or (j < n and query[j] in '("'):
                    i += len(head) + 1  # the value is tokenized on its own
                    continue
                raise QueryError(f"{head}: needs a value right after the colon", i)
            if word == "-":
                raise QueryError("'-' must touch the term it excludes, as in -手机", i)
            kind = word if word in OPERATORS else "WORD"
            tokens.append(_Token(kind, word, i))
            i = j
    tokens.append(_Token("END", "", n))
    return tokens


class _Parser:
    def __init__(self, query: str, aliases: Mapping[str, Sequence[str]] | None):
        self.query = query
        self.tokens, self.scope = _take_scope(tokenize(query))
        self.i = 0
        self.aliases = aliases or {}

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "END":
            if self.scope:
                raise QueryError(f"in:{self.scope[0]} needs terms to look for", self.scope[1])
            raise QueryError("empty query", 0)
        node = self.or_expr()
        if self.tok.kind != "END":
            what = "unbalanced ')'" if self.tok.kind == ")" else f"unexpected {self.tok.value!r}"
            raise QueryError(what, self.tok.pos)
        return _scope_unfielded(node, self.scope[0]) if self.scope else node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.tok.kind == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while True:
            if self.tok.kind == "AND":
                self.take()
                items.append(self.unary())
            elif self.tok.kind in ("(", "NOT", "-", "FIELD", "WORD", "PHRASE", "REGEX", "ALIAS"):
                items.append(self.unary())
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.tok.kind == "NOT":
            self.take()
            return Not(self.unary())
        if self.tok.kind == "-":
            self.take()
            return Not(self.primary())
        return self.primary()

    def primary(self, field: str | None = None) -> Node:
        tok = self.take()
        if tok.kind == "(":
            node = self.or_expr() if field is None else self._scoped(field)
            if self.tok.kind != ")":
                raise QueryError("missing ')' for the '(' here", tok.pos)
            self.take()
            return node
        if tok.kind == "FIELD":
            if field is not None:
                raise QueryError(f"field {tok.value}: inside {field}:", tok.pos)
            if tok.value in META_FIELDS:
                return self._meta(tok.value)
            return self.primary(tok.value)
        if tok.kind in ("WORD", "PHRASE"):
            return self._term(tok, field)
        if tok.kind == "REGEX":
            return self._regex(tok, field)
        if tok.kind == "ALIAS":
            return self._alias(tok, field)
        if tok.kind == "END":
            raise QueryError("expected a term at the end of the query", tok.pos)
        raise QueryError(f"expected a term, got {tok.value!r}", tok.pos)

    def _scoped(self, field: str) -> Node:
        """``title:( ... )``: parse the group, then scope every text atom to ``field``."""
        start = self.tok.pos
        node = self.or_expr()
        return _scope(node, field, start)

    def _term(self, tok: _Token, field: str | None) -> Node:
        raw = tok.value
        prefix = tok.kind == "WORD" and raw.endswith("*")
        text = normalize(raw[:-1] if prefix else raw)
        if not text:
            raise QueryError("empty term", tok.pos)
        return Term(text, field, prefix, raw)

    def _regex(self, tok: _Token, field: str | None) -> Node:
        if not tok.value:
            raise QueryError("empty /regex/", tok.pos)
        pattern = _normalize_regex(tok.value)
        try:
            _compile_regex(tok.value)  # first as written, so error positions are the user's
            compiled = _compile_regex(pattern)
        except re.error as exc:
            raise QueryError(f"bad regex: {exc.msg}", tok.pos + 1 + (exc.pos or 0)) from None
        if compiled.search(""):
            raise QueryError("regex matches the empty string", tok.pos)
        return Regex(pattern, field, tok.value)

    def _alias(self, tok: _Token, field: str | None) -> Node:
        group = self.aliases.get(tok.value)
        if group is None:
            raise QueryError(f"unknown alias @{tok.value}", tok.pos)
        terms = []
        for phrase in group:
            text = normalize(phrase)
            if text:
                terms.append(Term(text, field, False, phrase))
        return terms[0] if len(terms) == 1 else Or(tuple(dict.fromkeys(terms)))

    def _meta(self, name: str) -> Node:
        tok = self.take()
        if tok.kind not in ("WORD", "PHRASE"):
            raise QueryError(f"{name}: takes a word or a quoted value", tok.pos)
        value = normalize(tok.value)
        if not value:
            raise QueryError(f"{name}: empty value", tok.pos)
        return Meta(name, value)


def _scope(node: Node, field: str, pos: int) -> Node:
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_scope(c, field, pos) for c in node.children))
    if isinstance(node, Not):
        return Not(_scope(node.child, field, pos))
    if isinstance(node, Meta):
        raise QueryError(f"{node.field}: inside {field}:( )", pos)
    if node.field not in (None, field):
        raise QueryError(f"field {node.field}: inside {field}:( )", pos)
    return type(node)(**{**node.__dict__, "field": field})


def _take_scope(tokens: list[_Token]) -> tuple[list[_Token], tuple[str, int] | None]:
    """The tokens without their ``in:`` scope, and the scope (field, position)."""
    kept, scope, depth = [], None, 0
    for n, tok in enumerate(tokens):
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
        if tok.kind != "IN":
            kept.append(tok)
            continue
        if depth > 0:
            raise QueryError(f"in:{tok.value} applies to the whole query: put it outside "
                             f"the parentheses", tok.pos)
        if n and tokens[n - 1].kind in ("NOT", "-", "FIELD"):
            raise QueryError(f"in:{tok.value} cannot be negated or given a field", tok.pos)
        if scope and scope[0] != tok.value:
            raise QueryError(f"in:{tok.value} after in:{scope[0]}: one scope per query",
                             tok.pos)
        scope = scope or (tok.value, tok.pos)
    return kept, scope


def _scope_unfielded(node: Node, field: str) -> Node:
    """``node`` with ``field`` on every text atom that names no field (``in:``)."""
    if isinstance(node, (And, Or)):
        return type(node)(tuple(dict.fromkeys(_scope_unfielded(c, field)
                                              for c in node.children)))
    if isinstance(node, Not):
        return Not(_scope_unfielded(node.child, field))
    if isinstance(node, (Term, Regex)) and node.field is None:
        return type(node)(**{**node.__dict__, "field": field})
    return node


def parse(query: str, aliases: Mapping[str, Sequence[str]] | None = None) -> Node:
    """Parse ``query`` into an AST; ``aliases`` maps a name to its phrases (``@name``)."""
    return _Parser(query, aliases).parse()


def to_text(node: Node) -> str:
    """A canonical, re-parseable rendering of ``node`` (aliases expanded)."""
    if isinstance(node, Or):
        return "(" + " OR ".join(to_text(c) for c in node.children) + ")"
    if isinstance(node, And):
        return "(" + " AND ".join(to_text(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return "NOT " + to_text(node.child)
    prefix = f"{node.field}:" if node.field else ""
    if isinstance(node, Meta):
        return prefix + _quote(node.value)
    if isinstance(node, Regex):
        return prefix + "/" + node.pattern.replace("/", "\\/") + "/"
    return prefix + (node.text + "*" if node.prefix else _quote(node.text))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["QueryError", "Term", "Regex", "Meta", "And", "Or", "Not", "Node", "parse",
           "tokenize", "atoms", "positive_atoms", "to_text"]
