"""Element to plain text: block elements become paragraphs, scripts and styles vanish."""

from __future__ import annotations

import re

_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
         "button", "select", "form", "input", "textarea"}
_BLOCK = {"p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li",
          "ul", "ol", "table", "tr", "blockquote", "pre", "br", "dd", "dt", "dl",
          "figure", "figcaption", "header", "footer", "main", "aside", "center", "hr",
          "address", "tbody", "thead", "nav"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u200b\ufeff]+")


def _walk(el, out: list[str], skip, gap: str) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP or (skip and el in skip):
        if el.tail:
            out.append(el.tail)
        return
    sep = "\n" if tag in _BLOCK else gap
    out.append(sep)
    if tag and el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out, skip, gap)
    out.append(sep)
    if el.tail:
        out.append(el.tail)


def element_text(el, *, blocks: bool = True, skip=None, inline_gap: bool = False) -> str:
    """Text of ``el``; with ``blocks`` one paragraph per block, blank lines between.

    Elements in ``skip`` (a set) are left out, their tail text kept. With ``inline_gap``
    inline elements are set apart by a space (``<span>10-08</span><span>12:00</span>``).
    """
    out: list[str] = []
    tail, el.tail = el.tail, None
    try:
        _walk(el, out, skip, " " if inline_gap else "")
    finally:
        el.tail = tail
    text = "".join(out)
    if not blocks:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def page_lines(tree) -> list[str]:
    """The visible lines of the page body, in document order (for dates, 来源, 作者...)."""
    body = tree.find("body")
    if body is None:
        body = tree
    return element_text(body, inline_gap=True).split("\n\n")


# How a kicker ends before the headline on the same line.
_KICKER_END = re.compile(r"(?:[:|–—·]|\s-)\s*$")


def headline_index(lines: list[str], title: str | None) -> int | None:
    """The index of the headline's own line: one that starts with the title (within a few
    characters, not one that quotes it in a list) and is not much longer than it. A line
    that holds the whole title (also after a kicker: ``"Pure Leere": Headline``,
    ``Kolumne: Queer Royal - Headline``) wins over an earlier one that only starts like
    it: a teaser or "next story" link that cuts the same headline short (``St. Louis
    Park elects a new mayor, apparently…``)."""
    title = (title or "").strip()
    key = title[:12]
    if not key:
        return None
    first = None
    longest = len(title) * 1.5 + 20
    for i, line in enumerate(lines):
        if len(line) < longest and key in line:
            at = line.find(title)
            if 0 <= at and (at <= 10 or _KICKER_END.search(line[:at])):
                return i
            if first is None and line.find(key) <= 10:
                first = i
    return first


def under_headline(lines: list[str], start: int, span: int, longest: int) -> list[str]:
    """The short lines (at most ``longest`` characters) among the ``span`` after the
    headline at ``start``, before the text begins: past one long line (a standfirst),
    never past a second (the text itself)."""
    short, paragraphs = [], 0
    for line in lines[start + 1:start + span + 1]:
        if len(line) > longest:
            paragraphs += 1
            if paragraphs == 2:
                break
            continue
        short.append(line)
    return short
