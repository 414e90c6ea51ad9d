"""A small, fast site of several HTML news sources on a replay folder, and their seeds.

Each source is one host with a list page (``/``) and article pages (``/news/<slug>.html``).
``publish`` adds an article and rewrites the list while the replay server runs; ``break_``
turns a source into a 500, a hang or a challenge page (replay sidecars).

    site = NewsSite(tmp_path / "site", tmp_path / "sources")
    site.add_source("alpha")
    site.publish("alpha", "a1", "Chip output rises", "The ministry said ...")
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

BEIJING = timezone(timedelta(hours=8))


@dataclass
class _Source:
    name: str
    host: str
    language: str
    articles: list[tuple[str, str, str]] = field(default_factory=list)  # slug, title, date


class NewsSite:
    def __init__(self, root: Path, sources_dir: Path, *, interval: str = "1h"):
        self.root, self.sources_dir, self.interval = Path(root), Path(sources_dir), interval
        self.root.mkdir(parents=True, exist_ok=True)
        self.sources_dir.mkdir(parents=True, exist_ok=True)
        self.sources: dict[str, _Source] = {}

    def host(self, name: str) -> str:
        return self.sources[name].host

    def add_source(self, name: str, *, language: str = "en", site: str | None = None) -> Path:
        src = _Source(name, f"{name}.news.test", language)
        self.sources[name] = src
        seed = self.sources_dir / f"{name}.toml"
        seed.write_text(f'''name = "{name}"
title = "{name.title()} News"
site = "{site or name.title()}"
kind = "html"
language = "{language}"
start_urls = ["https://{src.host}/"]
schedule = {{ interval = "{self.interval}" }}
download_delay = 0

[list]
items = "ul.news li"
link = "a::attr(href)"
title = "a::attr(title)"
date = "span::text"

[article]
title = "h1"
date = ".date"
body = "div.body"
source = ".source"
''', encoding="utf-8")
        self._write_list(src)
        return seed

    def url(self, name: str, slug: str) -> str:
        return f"https://{self.sources[name].host}/news/{slug}.html"

    def publish(self, name: str, slug: str, title: str, body: str, *,
                credit: str = "", when: datetime | None = None) -> str:
        """Add an article to ``name``'s site; returns its real URL."""
        src = self.sources[name]
        when = (when or datetime.now(timezone.utc)).astimezone(BEIJING)
        date = when.strftime("%Y-%m-%d %H:%M")
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
        credit_html = f'<div class="source">来源：{html.escape(credit)}</div>' if credit else ""
        page = (f'<!doctype html><html lang="{src.language}"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
                f'<div class="date">{date}</div>{credit_html}<div class="body">{paras}</div>'
                f"</body></html>")
        path = self.root / src.host / "news" / f"{slug}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        src.articles.insert(0, (slug, title, date[:10]))
        self._write_list(src)
        return self.url(name, slug)

    def _write_list(self, src: _Source) -> None:
        items = "".join(
            f'<li><a href="/news/{slug}.html" title="{html.escape(title)}">'
            f"{html.escape(title)}</a><span>{date}</span></li>"
            for slug, title, date in src.articles)
        page = (f'<!doctype html><html><head><meta charset="utf-8"><title>{src.name}</title>'
                f'</head><body><ul class="news">{items}</ul></body></html>')
        index = self.root / src.host / "index.html"
        index.parent.mkdir(parents=True, exist_ok=True)
        tmp = index.with_suffix(".tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(index)  # a crawl never reads half a list

    def break_(self, name: str, how: str) -> None:
        """Make the list page answer ``500``, ``hang`` (60 s delay) or ``challenge``."""
        index = self.root / self.sources[name].host / "index.html"
        meta = index.with_name("index.html.meta.toml")
        if how == "500":
            meta.write_text("status = 500\n", encoding="utf-8")
        elif how == "hang":
            meta.write_text("delay = 60\n", encoding="utf-8")
        elif how == "challenge":
            meta.unlink(missing_ok=True)
            index.write_text('<html><head><script>document.cookie="__jsl_clearance=1";'
                             "location.reload();</script></head><body></body></html>",
                             encoding="utf-8")
        else:
            raise ValueError(f"unknown breakage {how!r}")

    def repair(self, name: str) -> None:
        src = self.sources[name]
        (self.root / src.host / "index.html.meta.toml").unlink(missing_ok=True)
        self._write_list(src)
