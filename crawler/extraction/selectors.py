"""A source's ``[article]`` selectors applied to the parsed page.

Values are CSS selectors in parsel/Scrapy syntax (``::text``, ``::attr(name)``) or
``xpath:`` followed by an XPath expression. A selector that matches elements yields their
text; one that matches strings (``::text``, ``@href``) yields those strings.
"""

from __future__ import annotations

import re

from parsel import Selector

from .text import element_text


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
