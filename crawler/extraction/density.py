"""Text-density body finding for Chinese pages, where trafilatura keeps navigation.

The article is the element with the most plain (non-link) text per tag, weighted by
Chinese sentence punctuation, which navigation and link lists lack (the idea of
GeneralNewsExtractor, Hong Kong Polytechnic's "text density" papers). One bottom-up
pass over the tree computes every element's counts.
"""

from __future__ import annotations

import re

from .text import element_text

_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
         "head", "select", "textarea", "button", "input", "nav", "footer", "header"}
# Formatting tags say nothing about structure (Word exports wrap every run in a span).
_INLINE = {"span", "font", "b", "strong", "i", "em", "u", "br", "sup", "sub", "small", "img"}
# A block that opens like this is a disclaimer or a footer, however sentence-like.
_NOTICE = re.compile(r"^\W{0,3}(?:免责声明|特别声明|版权声明|声明[:：]|版权所有|Copyright|©|"
                     r"主办单位|违法和不良信息)", re.I)
_CANDIDATES = {"div", "article", "section", "td", "main", "center"}
_PARTS = ("div", "ul", "ol", "dl", "table", "section", "p")
_CONTAINERS = _CANDIDATES | set(_PARTS)
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
# Boxes whose class or id says they are not the article (readability's "unlikely
# candidates"), unless they also say they are (article-footer is still article-ish).
_UNLIKELY = re.compile(r"^(?:comments?|cmt|related|relate|relevant|recommend\w*|slider|sidebar|"
                       r"side|aside|footer|foot|hot|hotnews|rank\w*|ad|ads|advert\w*|banner|"
                       r"breadcrumbs?|crumbs?|nav|navbar|menu|copyright|disclaimer|statement|"
                       r"pagination|pager|subscribe|popup|modal|feedback|report|qrcode|ewm|"
                       r"login|toolbar)$")
_LIKELY = re.compile(r"^(?:article\w*|artical\w*|body|content|main|text|detail|artibody|post|"
                     r"entry|story|zoom|trs_editor|con)$")
_TOKENS = re.compile(r"[\s_\-]+")


def unlikely(el) -> bool:
    """A box classed or id'd as comments, related links, sharing, ads, navigation..."""
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if not names.strip():
        return False
    tokens = [t for t in _TOKENS.split(names) if t]
    return (any(_UNLIKELY.match(t) for t in tokens)
            and not any(_LIKELY.match(t) for t in tokens))


_PUNCT_CHARS = "，。！？；、“”"
_DROP_PUNCT = str.maketrans("", "", _PUNCT_CHARS)


def _measure(s: str | None) -> tuple[int, int]:
    """(characters without whitespace, sentence punctuation marks) of a text node."""
    if not s:
        return 0, 0
    compact = "".join(s.split())
    return len(compact), len(compact) - len(compact.translate(_DROP_PUNCT))


def _count(el, in_link: bool, table: dict) -> tuple[int, int, int, int]:
    """(text, link text, tags, punctuation) of ``el``'s subtree; containers go in ``table``."""
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP or (
            "style" in el.attrib and _HIDDEN.search(el.get("style"))) or (
            tag != "body" and unlikely(el)):
        table[el] = None  # left out of its container's counts and of the body text
        return 0, 0, 0, 0
    link = in_link or tag == "a"
    text, punct = _measure(el.text)
    tags, links = (0 if tag in _INLINE else 1), 0
    for child in el:
        c_text, c_links, c_tags, c_punct = _count(child, link, table)
        text += c_text
        links += c_links
        tags += c_tags
        punct += c_punct
        if child.tail:
            n, p = _measure(child.tail)
            text += n
            punct += p
            if link:
                links += n
    if link:
        links = text
    if tag in _CONTAINERS:
        table[el] = (text, links, tags, punct)
    return text, links, tags, punct


def _score(text: int, links: int, tags: int, punct: int) -> float:
    """Plain text that reads like sentences, minus link text and markup weight."""
    plain = text - links
    if plain < 40 or punct < 2:
        return 0.0
    sentence_like = min(1.0, 12.0 * punct / plain)
    return plain * sentence_like - 1.5 * links - 2.0 * tags


def best_node(tree):
    """The element most likely to hold the article text and the per-element counts."""
    body = tree.find("body")
    if body is None:
        body = tree
    table: dict = {}
    _count(body, False, table)
    scored = sorted(((_score(*counts), i, el) for i, (el, counts) in enumerate(table.items())
                     if counts and el.tag in _CANDIDATES), reverse=True)  # not parts, not junk
    for score, _, el in scored[:5]:
        if score <= 0:
            break
        if not _NOTICE.match(el.text_content()[:40].strip()):
            return _tighten(el, score, scored), table
    return None, table


def _tighten(best, best_score: float, scored):
    """A descendant scoring nearly as well holds the same text without the header around it."""
    for score, _, el in scored:
        if score < 0.9 * best_score:
            break
        if el is not best and best in el.iterancestors():
            best = el  # scored is best-first, so descending keeps only close runners-up
    return best


def density_body(tree) -> str:
    """The text of the densest element, link lists inside it left out."""
    node, table = best_node(tree)
    if node is None:
        return ""
    skip = set()
    for el in node.iter():
        if el is node or el not in table:
            continue
        counts = table[el]
        if counts is None or (counts[0] and counts[1] / counts[0] > 0.6):
            skip.add(el)
    return element_text(node, skip=skip)
