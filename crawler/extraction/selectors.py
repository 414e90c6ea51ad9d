"""A source's ``[article]`` selectors applied to the parsed page.

Values are CSS selectors in parsel/Scrapy syntax (``::text``, ``::attr(name)``) or
``xpath:`` followed by an XPath expression. A selector that matches elements yields their
text; one that matches strings (``::text``, ``@href``) yields those strings.
"""

from __future__ import annotations

import re

from parsel import Selector

from .docnumber import doc_number_in
from .republication import Credits, clean_value, parse_credit_line
from .text import element_text

KEYS = ("title", "date", "author", "source", "body", "editor", "doc_number")
_LEADING_LABEL = re.compile(r"^\s*[^:：\s]{1,8}\s*[:：]\s*")  # 发文字号： / 责任编辑：


class SelectorError(ValueError):
    """A selector that parsel cannot compile."""


def _select(tree, expr: str):
    sel = Selector(root=tree, type="html")
    expr = expr.strip()
    if expr.startswith("xpath:"):
        return sel.xpath(expr[len("xpath:"):].strip())
    return sel.css(expr)


def select_nodes(tree, expr: str) -> list:
    """The lxml elements or strings ``expr`` matches (raises SelectorError when invalid)."""
    try:
        return [s.root for s in _select(tree, expr)]
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        raise SelectorError(f"invalid selector {expr!r}: {exc}") from None


def select_text(tree, expr: str, *, blocks: bool = False) -> str:
    """The text ``expr`` selects: inline-joined, or paragraph blocks when ``blocks``."""
    parts = []
    for node in select_nodes(tree, expr):
        if isinstance(node, str):
            text = node
        else:
            text = element_text(node, blocks=blocks)
        text = text.strip()
        if text:
            parts.append(text)
    joiner = "\n\n" if blocks else " "
    out = joiner.join(parts)
    return out if blocks else re.sub(r"\s+", " ", out).strip()


def _doc_number(value: str) -> str | None:
    """A selected 发文字号: the number in it (brackets normalised), else the short text."""
    found = doc_number_in(value)
    if found:
        return found
    value = _LEADING_LABEL.sub("", value).strip()
    return value if 0 < len(value) <= 40 else None


def _editor(value: str) -> str | None:
    """A selected credit line's editors (``Edit:A Responsible editor:B`` → ``A / B``)."""
    credits = Credits()
    if parse_credit_line(value, credits) and credits.editor:
        return credits.editor
    value = clean_value(_LEADING_LABEL.sub("", value), stop_at_space=False)
    return value if 0 < len(value) <= 80 else None


_CLEAN = {"doc_number": _doc_number, "editor": _editor}


def selected_fields(tree, selectors, errors: list[str]) -> dict[str, str]:
    """The text each of the source's ``[article]`` selectors picks, by key; an invalid
    selector is added to ``errors`` and left out."""
    out: dict[str, str] = {}
    for key in KEYS:
        expr = selectors.get(key)
        if not expr or not isinstance(expr, str):
            continue
        try:
            value = select_text(tree, expr, blocks=(key == "body"))
        except SelectorError as exc:
            errors.append(f"[article] {key}: {exc}")
            continue
        if value and key in _CLEAN:
            value = _CLEAN[key](value)
        if value:
            out[key] = value
    return out
