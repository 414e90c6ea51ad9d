"""Sample articles for `sources add` and `sources doctor`: every field, where it came from,
and the ``[article]`` selectors that would find it.

Extraction says which layer found each field (``field_sources``: ``meta``, ``cms``,
``heading``, ``text``, ``trafilatura``, ``selector``...). A field found in the page's meta
tags needs no selector. For the others, the element holding the value is looked up and
named (``h1#con_title``, ``div.TRS_Editor``); a selector that names the same element on
every sampled article is proposed as verified, one that does not as unverified.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newswatch.sources.fetch import Fetcher

FIELDS = ("title", "published", "author", "editor", "original_source", "doc_number", "body")
SEED_KEY = {"title": "title", "published": "date", "author": "author", "editor": "editor",
            "original_source": "source", "doc_number": "doc_number", "body": "body"}
NO_SELECTOR = {"meta", "json-ld", "url", "hint", "list", "selector"}


@dataclass
class Sample:
    url: str
    status: int = 0
    error: str = ""
    fields: dict = field(default_factory=dict)  # field → value (text, shortened)
    sources: dict = field(default_factory=dict)  # field → where extraction found it
    selectors: dict = field(default_factory=dict)  # seed key → selector naming the element


def sample_articles(fetcher: Fetcher, items, *, limit: int = 3, selectors=None,
                    timezone=None, headers=None) -> list[Sample]:
    from crawler.extraction import extract

    samples = []
    for item in list(items)[:limit]:
        page = fetcher.get(item.url, headers=headers)
        s = Sample(item.url, page.status, page.error)
        samples.append(s)
        if not page.ok:
            continue
        try:
            ex = extract(page.body, item.url, headers=page.headers, selectors=selectors or None,
                         hints={"title": item.title, "date": item.date}, timezone=timezone)
        except Exception as exc:  # one bad page must not stop the proposal
            s.error = f"extraction failed: {type(exc).__name__}: {exc}"
            continue
        s.sources = dict(ex.field_sources or {})
        for name in FIELDS:
            value = getattr(ex, name, None)
            if value:
                s.fields[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if ex.published_text:
            s.fields["published_text"] = ex.published_text
        s.selectors = locate(page.body, page.headers, s)
    return samples


def locate(raw: bytes, headers, s: Sample) -> dict:
    """The selector of the element holding each field extraction found outside the meta."""
    from parsel import Selector

    from crawler.extraction.decoding import decode
    from crawler.list_selectors import simple_selector

    text = decode(raw, headers)[0]
    root = Selector(text=text).root
    found = {}
    for name, key in SEED_KEY.items():
        if s.sources.get(name) in NO_SELECTOR or name not in s.fields:
            continue
        want = s.fields.get("published_text") if name == "published" else s.fields[name]
        want = " ".join(str(want).split())
        if not want:
            continue
        probe = want[:30] if name == "body" else want
        best = None
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("html", "head", "script", "style",
                                                           "title", "meta"):
                continue
            content = " ".join("".join(el.itertext()).split())
            if probe not in content:
                continue
            if name != "body" and len(content) > max(3 * len(want), len(want) + 40):
                continue
            best = el  # iter() is document order: the last hit is the innermost one
        if best is None:
            continue
        if name == "body":  # the body is the block around the first lines, not a <p>
            while best.getparent() is not None and best.tag in ("p", "span", "font", "strong"):
                best = best.getparent()
        name_sel = simple_selector(best)
        if name_sel == best.tag:  # a bare tag: name it by its nearest named ancestor
            parent = best.getparent()
            while _plain_tag(parent):
                parent = parent.getparent()
            if parent is not None and isinstance(parent.tag, str) and \
                    parent.tag not in ("body", "html"):
                name_sel = f"{simple_selector(parent)} {best.tag}"
        found[key] = name_sel
    return found


def _plain_tag(el) -> bool:
    from crawler.list_selectors import simple_selector

    return (el is not None and isinstance(el.tag, str) and el.tag not in ("body", "html")
            and simple_selector(el) == el.tag)


def proposed_selectors(samples: list[Sample]) -> dict[str, tuple[str, int, int]]:
    """seed key → (selector, articles it named, articles sampled)."""
    good = [s for s in samples if s.fields]
    out = {}
    for key in SEED_KEY.values():
        votes = Counter(s.selectors[key] for s in good if key in s.selectors)
        if votes:
            selector, n = votes.most_common(1)[0]
            out[key] = (selector, n, len(good))
    return out
