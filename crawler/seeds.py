"""Source seeds: one TOML file per source, read with ``tomllib`` and validated on load.

The format is described in ``docs/seeds.md``. :func:`load_source` raises
:class:`SeedError` for the first file's problems (all of them, in one message);
:func:`load_sources` reads a folder and collects every file's errors so that
``newswatch sources check`` can list them all at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler import times

KINDS = ("html", "json", "feed", "sitemap")
LANGUAGES = ("zh", "en")
DEFAULT_MAX_PAGES = 5
DEFAULT_DOWNLOAD_DELAY = 1.0
DEFAULT_TIMEZONE = "Asia/Shanghai"  # every bundled source is a Chinese publisher
ATTACHMENT_KINDS = ("pdf", "doc", "docx", "wps", "xls", "xlsx")  # `attachments` may name
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

LIST_KEYS = {"items", "link", "title", "date", "items_path", "link_path", "title_path",
             "date_path", "link_pattern"}
PAGINATION_KEYS = {"next", "url_template", "first_page", "max_pages"}
ARTICLE_KEYS = {"title", "date", "body", "author", "source", "editor", "doc_number",
                "site_id", "extra"}
TOP_KEYS = {"name", "title", "site", "kind", "language", "start_urls", "allowed_hosts",
            "schedule", "download_delay", "site_id_pattern", "spider", "headers", "list",
            "pagination", "article", "options", "timezone", "warmup", "scheme_fallback",
            "proxy", "render", "attachments", "tags"}
RENDER_MODES = ("never", "auto", "always")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")


class SeedError(Exception):
    """One or more problems in seed files; ``problems`` lists them, each naming the
    file, the field and what was wrong."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Source:
    """A validated source seed (see ``docs/seeds.md``)."""

    name: str
    title: str
    site: str
    kind: str
    language: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    schedule: dict[str, Any]
    download_delay: float
    site_id_pattern: re.Pattern | None
    spider: str
    headers: dict[str, str]
    list: dict[str, str]
    pagination: dict[str, Any]
    article: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)  # free-form, for custom spiders
    path: Path | None = None
    timezone: str = DEFAULT_TIMEZONE  # IANA name: the zone of the site's dates without one
    attachments: tuple[str, ...] = ()  # linked file kinds to download and read (opt-in)
    # Getting through (crawler/access, docs/seeds.md "Getting through"):
    warmup: str = ""  # fetched first; its cookies are kept for the run and the next ones
    scheme_fallback: bool = False  # retry over plain http:// when https:// gets no answer
    proxy: str = ""  # as written: "${ENV}" is expanded in the crawl, never stored
    render: str = "never"  # never | auto (browser on a challenge) | always
    # Where the source may be crawled from, in a cluster (docs/scaling.md): only by a
    # worker started with every one of these tags (e.g. "cn": from inside China).
    tags: tuple[str, ...] = ()

    @property
    def spider_name(self) -> str:
        """The Scrapy spider that crawls this source: its own, else the kind's generic one."""
        return self.spider or self.kind

    @property
    def max_pages(self) -> int:
        return int(self.pagination.get("max_pages", DEFAULT_MAX_PAGES))

    @property
    def link_pattern(self) -> re.Pattern | None:
        pattern = self.list.get("link_pattern")
        return re.compile(pattern) if pattern else None

    @property
    def interval_seconds(self) -> float | None:
        """The schedule's interval in seconds, or None for a cron schedule."""
        value = self.schedule.get("interval")
        if value is None:
            return None
        return times.parse_duration(value, what="schedule.interval")

    def site_id(self, url: str) -> str | None:
        """The stable site id in an article URL (group 1 of ``site_id_pattern``)."""
        if self.site_id_pattern is None:
            return None
        m = self.site_id_pattern.search(url)
        if not m:
            return None
        return m.group(1) if m.groups() else m.group(0)


class _Checker:
    """Collects problems for one file instead of stopping at the first."""

    def __init__(self, path: Path, data: dict):
        self.path, self.data, self.problems = path, data, []

    def bad(self, fieldname: str, problem: str) -> None:
        self.problems.append(f"{self.path}: field {fieldname!r}: {problem}")

    def string(self, key: str, *, required: bool = False, table: dict | None = None,
               prefix: str = "") -> str:
        data = self.data if table is None else table
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.bad(prefix + key, "missing (required)")
            return ""
        if not isinstance(value, str):
            self.bad(prefix + key, f"must be a string, got {value!r}")
            return ""
        return value

    def table(self, key: str, allowed: set[str] | None) -> dict:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.bad(key, f"must be a table ([{key}]), got {value!r}")
            return {}
        if allowed is not None:
            for extra in sorted(set(value) - allowed):
                self.bad(f"{key}.{extra}", f"unknown key (known: {', '.join(sorted(allowed))})")
        return value

    def regex(self, key: str, value: str) -> re.Pattern | None:
        if not value:
            return None
        try:
            return re.compile(value)
        except re.error as exc:
            self.bad(key, f"not a valid regular expression: {exc}")
            return None


def _check_url(c: _Checker, key: str, url: Any) -> str | None:
    if not isinstance(url, str):
        c.bad(key, f"must be a URL string, got {url!r}")
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        c.bad(key, f"must be an absolute http(s) URL, got {url!r}")
        return None
    return url


def _check_schedule(c: _Checker) -> dict:
    schedule = c.data.get("schedule", {"interval": "1h"})
    if not isinstance(schedule, dict) or len(schedule) != 1 or not (
            set(schedule) <= {"interval", "cron"}):
        c.bad("schedule", f"must be {{ interval = \"30m\" }} or {{ cron = \"*/30 * * * *\" }}, "
                          f"got {schedule!r}")
        return {"interval": "1h"}
    if "interval" in schedule:
        try:
            times.parse_duration(schedule["interval"], what="")
        except ValueError as exc:
            c.bad("schedule.interval", str(exc))
    if "cron" in schedule and (not isinstance(schedule["cron"], str)
                               or len(schedule["cron"].split()) != 5):
        c.bad("schedule.cron", f"must have five fields (minute hour day month weekday), "
                               f"got {schedule['cron']!r}")
    return schedule


def _check_timezone(c: _Checker) -> str:
    name = c.string("timezone") or DEFAULT_TIMEZONE
    try:
        times.zone(name)
    except ValueError:
        c.bad("timezone", f"must be an IANA time zone name such as \"Asia/Shanghai\" or "
                          f"\"UTC\", got {name!r}")
        return DEFAULT_TIMEZONE
    return name


def _check_attachments(c: _Checker) -> tuple[str, ...]:
    value = c.data.get("attachments", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.bad("attachments", f"must be a list of file kinds such as [\"pdf\", \"docx\"], "
                             f"got {value!r}")
        return ()
    unknown = [v for v in value if v.lower() not in ATTACHMENT_KINDS]
    if unknown:
        c.bad("attachments", f"unknown kind {unknown[0]!r} (known: {', '.join(ATTACHMENT_KINDS)})")
        return ()
    return tuple(dict.fromkeys(v.lower() for v in value))


def _check_tags(c: _Checker) -> tuple[str, ...]:
    value = c.data.get("tags", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.bad("tags", f"must be a list of names such as [\"cn\"], got {value!r}")
        return ()
    bad = [v for v in value if not _NAME.match(v)]
    if bad:
        c.bad("tags", f"use lower-case letters, digits, '-' and '_', got {bad[0]!r}")
        return ()
    return tuple(sorted(set(value)))


def _check_access(c: _Checker) -> dict:
    """warmup, scheme_fallback, proxy and render (see docs/seeds.md, "Getting through")."""
    out: dict[str, Any] = {}
    warmup = c.data.get("warmup")
    if warmup is not None and _check_url(c, "warmup", warmup):
        out["warmup"] = warmup
    fallback = c.data.get("scheme_fallback", False)
    if not isinstance(fallback, bool):
        c.bad("scheme_fallback", f"must be true or false, got {fallback!r}")
    else:
        out["scheme_fallback"] = fallback
    proxy = c.data.get("proxy")
    if proxy is not None:
        if not isinstance(proxy, str) or not proxy.strip():
            c.bad("proxy", f"must be a proxy URL or \"${{ENV_NAME}}\", got {proxy!r}")
        elif "${" not in proxy and urlsplit(proxy).scheme not in PROXY_SCHEMES:
            c.bad("proxy", f"must start with one of {', '.join(s + '://' for s in PROXY_SCHEMES)}"
                           f" (or be \"${{ENV_NAME}}\"), got a {urlsplit(proxy).scheme or 'bare'}"
                           f" address")
        else:
            out["proxy"] = proxy.strip()
    render = c.data.get("render", "never")
    if render not in RENDER_MODES:
        c.bad("render", f"must be one of {', '.join(repr(m) for m in RENDER_MODES)}, got {render!r}")
    else:
        out["render"] = render
    return out


def _check_sections(c: _Checker, kind: str) -> tuple[dict, dict, dict]:
    lst = c.table("list", LIST_KEYS)
    for key, value in lst.items():
        if not isinstance(value, str):
            c.bad(f"list.{key}", f"must be a string, got {value!r}")
    if kind == "html" and not lst.get("link"):
        c.bad("list.link", "missing (required for kind = \"html\")")
    if kind == "json" and "link_path" not in lst:
        c.bad("list.link_path", "missing (required for kind = \"json\")")
    c.regex("list.link_pattern", lst.get("link_pattern") if isinstance(
        lst.get("link_pattern"), str) else "")
    pagination = c.table("pagination", PAGINATION_KEYS)
    for key in ("first_page", "max_pages"):
        if key in pagination and (not isinstance(pagination[key], int)
                                  or isinstance(pagination[key], bool)
                                  or pagination[key] < (1 if key == "max_pages" else 0)):
            c.bad(f"pagination.{key}", f"must be a positive integer, got {pagination[key]!r}")
    template = pagination.get("url_template")
    if template is not None and (not isinstance(template, str) or "{page}" not in template):
        c.bad("pagination.url_template", f"must contain {{page}}, got {template!r}")
    article = c.table("article", ARTICLE_KEYS)
    for key, value in article.items():
        if key == "extra":  # [article.extra]: name = selector, stored in the article's extra
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                c.bad("article.extra", f"must be a table of name = \"selector\", got {value!r}")
        elif not isinstance(value, str):
            c.bad(f"article.{key}", f"must be a string, got {value!r}")
    return lst, pagination, article


def _validate(path: Path, data: dict) -> Source:
    c = _Checker(path, data)
    for extra in sorted(set(data) - TOP_KEYS):
        c.bad(extra, f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    name = c.string("name", required=True)
    if name and not _NAME.match(name):
        c.bad("name", f"use lower-case letters, digits, '-' and '_', got {name!r}")
    elif name and name != path.stem:
        c.bad("name", f"must equal the file name without .toml ({path.stem!r}), got {name!r}")
    title = c.string("title", required=True)
    site = c.string("site", required=True)
    kind = c.string("kind", required=True)
    if kind and kind not in KINDS:
        c.bad("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    language = c.string("language", required=True)
    if language and language not in LANGUAGES:
        c.bad("language", f"must be one of {', '.join(LANGUAGES)}, got {language!r}")
    urls = data.get("start_urls")
    start_urls: list[str] = []
    if not urls:
        c.bad("start_urls", "missing (required): a list of absolute http(s) URLs")
    elif not isinstance(urls, list):
        c.bad("start_urls", f"must be a list of URLs, got {urls!r}")
    else:
        start_urls = [u for i, u in enumerate(urls) if _check_url(c, f"start_urls[{i}]", u)]
    hosts = data.get("allowed_hosts")
    if hosts is None:
        hosts = sorted({urlsplit(u).hostname for u in start_urls})
    elif not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        c.bad("allowed_hosts", f"must be a list of host names, got {hosts!r}")
        hosts = []
    schedule = _check_schedule(c)
    delay = data.get("download_delay", DEFAULT_DOWNLOAD_DELAY)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        c.bad("download_delay", f"must be a number of seconds >= 0, got {delay!r}")
        delay = DEFAULT_DOWNLOAD_DELAY
    site_id_pattern = c.regex("site_id_pattern", c.string("site_id_pattern"))
    spider = c.string("spider")
    headers = c.table("headers", None)
    for key, value in headers.items():
        if not isinstance(value, str):
            c.bad(f"headers.{key}", f"must be a string, got {value!r}")
    options = c.table("options", None)
    zone = _check_timezone(c)
    attachments = _check_attachments(c)
    access = _check_access(c)
    tags = _check_tags(c)
    lst, pagination, article = _check_sections(c, kind)
    if c.problems:
        raise SeedError(c.problems)
    return Source(name=name, title=title, site=site, kind=kind, language=language,
                  start_urls=tuple(start_urls), allowed_hosts=tuple(hosts),
                  schedule=schedule, download_delay=float(delay),
                  site_id_pattern=site_id_pattern, spider=spider, headers=dict(headers),
                  list=dict(lst), pagination=dict(pagination), article=dict(article),
                  options=dict(options), path=path, timezone=zone,
                  attachments=attachments, tags=tags, **access)


def load_source(path: str | Path) -> Source:
    """Read and validate one seed file; raise :class:`SeedError` listing its problems."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError([f"{path}: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise SeedError([f"{path}: not UTF-8 text: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError([f"{path}: not valid TOML: {exc}"]) from None
    return _validate(path, data)


def load_sources(folder: str | Path, *, strict: bool = True) -> list[Source]:
    """Every ``*.toml`` source in ``folder``, sorted by name.

    With ``strict`` (the default) any problem in any file raises one :class:`SeedError`
    listing them all; without it, bad files are left out (see :func:`check_sources`).
    """
    sources, problems = check_sources(folder)
    if strict and problems:
        raise SeedError(problems)
    return sources


def check_sources(folder: str | Path) -> tuple[list[Source], list[str]]:
    """The valid sources of ``folder`` and the problems of the others."""
    folder = Path(folder)
    if not folder.is_dir():
        return [], [f"{folder}: sources folder not found"]
    sources: list[Source] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            sources.append(load_source(path))
        except SeedError as exc:
            problems.extend(exc.problems)
    return sorted(sources, key=lambda s: s.name), problems


def find_source(folder: str | Path, name: str) -> Source:
    """The source called ``name`` in ``folder``; a clear error lists the known names."""
    path = Path(folder) / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in Path(folder).glob("*.toml"))
        raise SeedError([f"unknown source {name!r} in {folder} "
                         f"(known: {', '.join(known) or 'none'})"])
    return load_source(path)
