"""List inference for JSON answers: a JSON list of records, or HTML carried in JSON.

A JSON list (gov.cn's ``ZUIXINZHENGCE.json``, Xinhua's ``ds_<id>.json``, a search API)
becomes ``kind = "json"`` paths: ``items_path`` to the array, ``link_path``,
``title_path`` and ``date_path`` inside each record. An answer that carries a page of
HTML (MIIT's unit API: ``{"data": {"html": "<ul>...</ul>"}}``) is read as that HTML.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from crawler.extraction.dates import parse_date
from crawler.list_inference import InferredItem, ListGuess, article_like, infer_html, sample
from crawler.list_pagination import query_pagination
from crawler.list_shapes import link_pattern
from crawler.list_text import news_length

_MAX_DEPTH = 6
_URL_KEY = re.compile(r"url|link|href|path", re.I)
_TITLE_KEY = re.compile(r"title|name|headline|subject", re.I)
_DATE_KEY = re.compile(r"time|date|pub|day|created|modified", re.I)


def load(text: str):
    """Parse JSON, also when padded or wrapped in a JavaScript callback (``cb({...})``)."""
    text = text.strip().lstrip("\ufeff")
    if text and text[0] not in "[{" and "(" in text and text.rstrip(";").endswith(")"):
        text = text[text.index("(") + 1:text.rstrip(";").rindex(")")]
    return json.loads(text)


def infer_json(text: str, url: str, *, min_items: int = 2) -> ListGuess | None:
    try:
        data = load(text)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
        return None
    best = None
    for path, records in _arrays(data, ""):
        guess = _records_guess(records, path, url)
        if guess is not None and (best is None or guess.score > best.score):
            best = guess
    html_guess = None
    for path, html in _html_strings(data, ""):
        guess = infer_html(html, url, min_items=min_items)
        if guess is not None and (html_guess is None or guess.score > html_guess.score):
            guess.wrapper = path
            guess.notes.append(f"the list is HTML inside the JSON answer, at {path!r}")
            html_guess = guess
    if html_guess is not None and len(html_guess.items) >= min_items:
        return html_guess
    # Records with a link and a title are a list even when this page holds only one.
    if best is not None and best.items and (len(best.items) >= min_items
                                            or "title_path" in best.list):
        return best
    return None


def _arrays(value, path: str, depth: int = 0):
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        records = [v for v in value if isinstance(v, dict)]
        if records:
            yield path, records
        for i, v in enumerate(value[:1]):
            yield from _arrays(v, _join(path, str(i)), depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _arrays(v, _join(path, str(k)), depth + 1)


def _html_strings(value, path: str, depth: int = 0):
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        if "<a " in value and "href" in value:
            yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _html_strings(v, _join(path, str(k)), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _html_strings(v, _join(path, str(i)), depth + 1)


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _flatten(record, prefix: str = "", depth: int = 0) -> dict:
    out = {}
    if depth > 4:
        return out
    if isinstance(record, dict):
        for k, v in record.items():
            out.update(_flatten(v, _join(prefix, str(k)), depth + 1))
    elif isinstance(record, list):
        if record:
            out.update(_flatten(record[0], _join(prefix, "0"), depth + 1))
    else:
        out[prefix] = record
    return out


def _looks_url(value) -> bool:
    if not isinstance(value, str):
        return False
    v = value.strip()
    return bool(re.match(r"^(https?:)?//|^\.{0,2}/\S", v)) and " " not in v


def _records_guess(records: list[dict], items_path: str, url: str) -> ListGuess | None:
    every = records
    flat = [_flatten(r) for r in sample(records)]  # the fields are judged on a sample
    keys: dict[str, int] = {}
    for f in flat:
        for k in f:
            keys[k] = keys.get(k, 0) + 1
    common = [k for k, n in keys.items() if n >= 0.8 * len(flat)]
    best_link = None
    for k in common:
        values = [f.get(k) for f in flat]
        urls = [urljoin(url, v.strip()) for v in values if _looks_url(v)]
        if len(urls) < 0.8 * len(flat) or len(set(urls)) < 0.8 * len(urls):
            continue
        like = sum(article_like(u) for u in urls) / len(urls)
        rank = like + (0.3 if _URL_KEY.search(k.rsplit(".", 1)[-1]) else 0)
        if like > 0 and (best_link is None or rank > best_link[0]):
            best_link = (rank, k, urls)
    if best_link is None:
        return None
    _, link_key, _ = best_link
    prefix = link_key.rsplit(".", 1)[0] + "." if "." in link_key else ""
    title_key = _pick(common, flat, prefix, _title_value, _TITLE_KEY)
    date_key = _pick(common, flat, prefix, _date_value, _DATE_KEY)
    items = []
    for f in (flat if len(every) == len(flat) else [_flatten(r) for r in every]):
        link = f.get(link_key)
        if not _looks_url(link):
            continue
        title = f.get(title_key) if title_key else None
        date = f.get(date_key) if date_key else None
        link = link.strip()
        items.append(InferredItem(link if link.startswith(("http://", "https://"))
                                  else urljoin(url, link),
                                  str(title).strip() if title not in (None, "") else None,
                                  str(date).strip() if date not in (None, "") else None,
                                  "list" if date not in (None, "") else None))
    spec = {"items_path": items_path, "link_path": link_key}
    if title_key:
        spec["title_path"] = title_key
    if date_key:
        spec["date_path"] = date_key
    pattern = link_pattern([i.url for i in sample(items) if article_like(i.url)])
    if pattern:
        spec["link_pattern"] = pattern
        compiled = re.compile(pattern)
        items = [i for i in items if compiled.search(i.url)]
    score = len(items) * (1.0 if title_key else 0.5) * (1.0 if date_key else 0.7)
    host = urlsplit(url).hostname or ""
    notes = [] if date_key else [f"no date field in the records of {host}'s list"]
    return ListGuess("json", items, spec, query_pagination(url), score=round(score, 2),
                     notes=notes)


def _title_value(value) -> float:
    return news_length(value) if isinstance(value, str) and not _looks_url(value) else 0.0


def _date_value(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str) or len(value) > 40:
        return 0.0
    return 1.0 if parse_date(value) is not None else 0.0


def _pick(common, flat, prefix, judge, key_re) -> str | None:
    best = None
    for k in common:
        value = sum(judge(f.get(k)) for f in flat) / len(flat)
        if value < 0.6:
            continue
        rank = value + (0.3 if key_re.search(k.rsplit(".", 1)[-1]) else 0) + (
            0.1 if k.startswith(prefix) else 0)
        if best is None or rank > best[0]:
            best = (rank, k)
    return best[1] if best else None
