"""`newswatch sources doctor`: what a source's pages answer, and what to change in its seed.

Per start URL: the status and the challenge kind (``fetch.challenge_kind``), the
list items the seed's selectors find and those list inference finds on the same page;
then three sample articles with every field and where extraction found it. When the
seed's selectors find nothing, or far fewer links than inference, the report names the
exact ``[list]`` lines to put in the seed.
"""

from __future__ import annotations

import json

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin

from crawler.list_inference import InferredItem, ListGuess, apply_list, infer_list
from newswatch.sources.add import _shell_guess, _toml
from newswatch.sources.articles import SEED_KEY, sample_articles
from newswatch.sources.fetch import Fetcher, challenge_kind

FEW_SHARE = 0.5  # the seed finds fewer than half of what inference finds: it is broken


@dataclass
class DoctorReport:
    source: str
    path: str = ""
    urls: list[dict] = field(default_factory=list)
    samples: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # seed lines to write instead

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def seed_items(source, body: bytes, url: str) -> list[InferredItem]:
    """The links the seed's ``[list]`` finds in one list answer, as its spider reads it."""
    spec = source.list
    if source.kind == "feed":
        from crawler.spiders.feed import feed_entries

        entries = [(urljoin(url, e.url), e.title, e.date) for e in feed_entries(body)]
    elif source.kind == "sitemap":
        from crawler.spiders.sitemap import parse_sitemap

        entries = [(e.url, e.title, e.date) for e in parse_sitemap(body.lstrip())[0]]
    elif source.kind == "json":
        from crawler.spiders.json_list import dig, load_json

        records = dig(load_json(body), spec.get("items_path", "")) or []
        entries = []
        for r in records if isinstance(records, list) else []:
            link = dig(r, spec.get("link_path", ""))
            if isinstance(link, str) and link.strip():
                entries.append((urljoin(url, link.strip()), dig(r, spec.get("title_path")),
                                dig(r, spec.get("date_path"))))
    else:
        from parsel import Selector

        text = body.decode("utf-8", "replace")
        if source.spider == "miit_columns" and text.lstrip().startswith("{"):
            text = ((json.loads(text).get("data") or {}).get("html")) or ""
        if not spec.get("link"):
            return []
        entries = apply_list(Selector(text=text, base_url=url), spec, url)
    pattern = source.link_pattern
    return [InferredItem(u, t if isinstance(t, str) else None,
                         str(d) if d not in (None, "") else None)
            for u, t, d in entries if not pattern or pattern.search(u)]


def diagnose(source, fetcher: Fetcher) -> DoctorReport:
    report = DoctorReport(source.name, str(source.path or ""))
    best: tuple[ListGuess, int] | None = None
    sample_from: list[InferredItem] = []
    for url in source.start_urls:
        row = {"url": url, "status": 0, "error": "", "challenge": None, "seed_items": 0,
               "inferred_items": 0}
        report.urls.append(row)
        page = fetcher.get(url, headers=source.headers)
        row["status"], row["error"] = page.status, page.error
        row["challenge"] = challenge_kind(page.status, page.body, page.headers, page.url) if page.status else None
        if row["challenge"]:
            report.problems.append(f"{url}: blocked ({row['challenge']})")
            continue
        if not page.ok:
            report.problems.append(f"{url}: {page.error or 'no answer'}")
            continue
        body, list_url = page.body, url
        if source.spider in ("miit_columns", "xinhua_channels"):
            guess, _ = _shell_guess(page, fetcher)
            inner = _inner_list(source, page, fetcher)
            if inner is not None:
                body, list_url = inner.body, inner.url
        else:
            guess = infer_list(page.body, url, headers=page.headers)
        try:
            found = seed_items(source, body, list_url)
        except Exception as exc:  # a seed that cannot read the page is the finding
            found = []
            report.problems.append(f"{url}: the seed's [list] cannot read the page: "
                                   f"{type(exc).__name__}: {exc}")
        row["seed_items"] = len(found)
        row["inferred_items"] = len(guess.items) if guess else 0
        sample_from = sample_from or found or (guess.items if guess else [])
        if not found:
            report.problems.append(f"{url}: the seed's selectors find no article link")
        elif guess and len(found) < FEW_SHARE * len(guess.items):
            report.problems.append(f"{url}: the seed's selectors find {len(found)} links, "
                                   f"inference {len(guess.items)}")
        if guess and (not found or len(found) < FEW_SHARE * len(guess.items)):
            if best is None or len(guess.items) > best[1]:
                best = (guess, len(found))
    if best is not None:
        report.changes = _changes(source, best[0])
    from crawler.page_fields import extraction_selectors

    report.samples = sample_articles(fetcher, sample_from, limit=3,
                                     selectors=extraction_selectors(source.article),
                                     timezone=source.timezone, headers=source.headers)
    article = _article_changes(source, report.samples)
    report.changes += article
    broken = [line.split(" ", 1)[0].lstrip("# ") for line in article[1:]]
    if broken:
        report.problems.append(f"[article] selectors that match nothing: {', '.join(broken)}")
    for s in report.samples:
        for name, where in s.sources.items():
            key = SEED_KEY.get(name)
            if where == "selector" and key in source.article:
                s.selectors[key] = source.article[key]
        if s.error:
            report.problems.append(f"article {s.url}: {s.error}")
        else:
            missing = [f for f in ("title", "body", "published") if f not in s.fields]
            if missing:
                report.problems.append(f"article {s.url}: no {', '.join(missing)}")
    return report


def _inner_list(source, page, fetcher: Fetcher):
    from scrapy.http import HtmlResponse

    from crawler.spiders.miit import shell_query, unit_url
    from crawler.spiders.xinhua import datasource_ids

    response = HtmlResponse(url=page.url, body=page.body, encoding="utf-8")
    if source.spider == "miit_columns" and (found := shell_query(response)):
        return fetcher.get(unit_url(found[0], found[1], 1), headers={"Referer": page.url})
    if source.spider == "xinhua_channels" and (ids := datasource_ids(response)):
        return fetcher.get(urljoin(page.url, f"ds_{ids[0]}.json"),
                           headers={"Referer": page.url})
    return None


def _article_changes(source, samples) -> list[str]:
    """``[article]`` selectors of the seed that matched on no sampled article, and the
    element that holds the field now (when the same one does on every sample)."""
    read = [s for s in samples if s.fields]
    lines = []
    for name, key in SEED_KEY.items():
        old = source.article.get(key)
        if not isinstance(old, str) or not read:
            continue
        if any(s.sources.get(name) == "selector" for s in read):
            continue  # it still works
        found = {s.selectors.get(key) for s in read}
        if len(found) == 1 and None not in found:
            lines.append(f"{key} = {_toml(found.pop())}  # was {_toml(old)}, which matched "
                         f"nothing on {len(read)} articles")
        else:
            lines.append(f"# {key} = {_toml(old)} matched nothing on {len(read)} articles; "
                         f"extraction found the field without it")
    return ["[article]", *lines] if lines else []


def _changes(source, guess: ListGuess) -> list[str]:
    lines = ["[list]"]
    for key, value in guess.list.items():
        old = source.list.get(key)
        if key == "link_pattern" and old and all(re.search(old, i.url) for i in guess.items):
            continue  # the seed's pattern still matches every link: keep it
        if old != value:
            was = f"  # was {_toml(old)}" if old else "  # new"
            lines.append(f"{key} = {_toml(value)}{was}")
    for key in source.list:
        if key not in guess.list and key in ("items", "title", "date", "items_path",
                                             "title_path", "date_path"):
            lines.append(f"# remove: {key} = {_toml(source.list[key])}")
    pagination = {k: v for k, v in guess.pagination.items()
                  if source.pagination.get(k) != v}
    if pagination and not any(k in source.pagination for k in ("next", "url_template")):
        lines.append("[pagination]")
        lines += [f"{k} = {_toml(v)}" for k, v in pagination.items()]
    return lines if len(lines) > 1 else []


