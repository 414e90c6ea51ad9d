"""A slow, obviously-right evaluator of parsed queries, to check the engine against.

It shares only ``alerts.normalize.normalize`` with the engine (normalisation is tested on
its own against NFKC and OpenCC) and finds terms with ``str.find`` and a regex for word
characters, instead of an automaton, an index and compiled closures.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from alerts import query as q
from alerts.normalize import normalize

WORD = re.compile(r"[0-9a-z\u00b5\u00df-\u00f6\u00f8-\u024f]")


def _is_word(ch: str) -> bool:
    return bool(ch) and WORD.fullmatch(ch) is not None


def term_in(term: str, text: str, prefix: bool = False) -> bool:
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        ok_start = not (_is_word(term[0]) and _is_word(before))
        ok_end = prefix or not (_is_word(term[-1]) and _is_word(after))
        if ok_start and ok_end:
            return True
        start = text.find(term, start + 1)
    return False


def fields_of(article: dict) -> dict[str, str]:
    title = normalize(article.get("title") or "")
    body = normalize(article.get("body") or "") + "\x00" + normalize(article.get("doc_number") or "")
    return {"title": title, "body": body, None: title + "\x00" + body}


def meta_holds(field: str, value: str, article: dict) -> bool:
    if field == "source":
        return normalize(article.get("source") or "") == value
    if field == "lang":
        lang = normalize(article.get("lang") or "")
        return value in (lang, lang.split("-")[0]) and bool(lang)
    host = (urlsplit(article.get("url") or "").hostname or "").lower()
    return (normalize(article.get("site") or "") == value or host == value
            or host.endswith("." + value))


def evaluate(node, article: dict) -> bool:
    texts = fields_of(article)
    if isinstance(node, q.Term):
        return term_in(node.text, texts[node.field], node.prefix)
    if isinstance(node, q.Regex):  # on each part alone: a regex never spans two fields
        parts = texts[node.field].split("\x00")
        return any(re.search(node.pattern, p, re.IGNORECASE) for p in parts)
    if isinstance(node, q.Meta):
        return meta_holds(node.field, node.value, article)
    if isinstance(node, q.Not):
        return not evaluate(node.child, article)
    results = [evaluate(c, article) for c in node.children]
    return all(results) if isinstance(node, q.And) else any(results)
