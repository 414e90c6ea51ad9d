"""``newswatch extract``: run the crawler's extraction on saved files or live URLs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newswatch.cli import pass_app

_USER_AGENT = "Mozilla/5.0 (compatible; newswatch extract)"
# crawler.extraction.selectors.KEYS, without importing the extraction stack for --help.
SELECTOR_KEYS = ("title", "date", "body", "author", "source", "editor", "doc_number")


def _parse_selectors(values: tuple[str, ...]) -> dict[str, str]:
    selectors = {}
    for value in values:
        key, sep, expr = value.partition("=")
        key = key.strip()
        if not sep or key not in SELECTOR_KEYS or not expr:
            raise click.BadParameter(
                f"{value!r}: expected KEY=SELECTOR with KEY one of {', '.join(SELECTOR_KEYS)}",
                param_hint="--select")
        selectors[key] = expr
    return selectors


def _fetch(client, url: str):
    """(raw, final URL, headers) for a URL; raises click.ClickException naming the URL.

    The page is read up to the crawler's own cap (``DOWNLOAD_MAXSIZE``), never more."""
    import httpx

    from crawler.settings import DOWNLOAD_MAXSIZE

    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise click.ClickException(f"{url}: HTTP {response.status_code}")
            raw = bytearray()
            for chunk in response.iter_bytes():
                raw += chunk
                if len(raw) > DOWNLOAD_MAXSIZE:
                    raise click.ClickException(
                        f"{url}: page larger than the {DOWNLOAD_MAXSIZE // (1024 * 1024)} MB "
                        f"cap the crawler uses; save it and pass the file instead")
            return bytes(raw), str(response.url), dict(response.headers)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"{url}: fetch failed: {type(exc).__name__}: {exc}") from None


def _seed_selectors(app, name: str) -> tuple[dict, dict, str]:
    """A seed's ``[article]`` selectors, request headers and time zone, or a clear error."""
    from crawler.page_fields import extraction_selectors
    from crawler.seeds import SeedError, find_source

    try:
        seed = find_source(app.config.sources_dir, name)
    except SeedError as exc:
        raise click.ClickException("; ".join(exc.problems)) from None
    return extraction_selectors(seed.article or {}), dict(seed.headers or {}), seed.timezone


def _zone(name: str | None):
    """The tzinfo for ``--timezone``, or a usage error naming the option."""
    from crawler.extraction.dates import zone_named

    if not name:
        return None
    try:
        return zone_named(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from None


def _read(source: str, url: str | None, client_holder: list, headers: dict):
    if source.startswith(("http://", "https://")):
        if not client_holder:
            import httpx

            client_holder.append(httpx.Client(follow_redirects=True, timeout=30.0,
                                              headers={"User-Agent": _USER_AGENT, **headers}))
        return _fetch(client_holder[0], source)
    path = Path(source)
    try:
        raw = sys.stdin.buffer.read() if source == "-" else path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{source}: cannot read: {exc.strerror or exc}") from None
    return raw, url or (path.resolve().as_uri() if source != "-" else "about:stdin"), None


def _summary(label: str, item: dict) -> str:
    lines = [click.style(f"== {label}", bold=True)]
    if item.get("error"):
        lines.append(click.style(f"error:        {item['error']}", fg="red"))
    published = item.get("published") or "-"
    if item.get("published_text"):
        published += f"  ({item.get('date_source')}: {item['published_text']!r})"
    for key, value in (("url", item.get("url")), ("title", item.get("title")),
                       ("published", published), ("author", item.get("author")),
                       ("editor", item.get("editor")), ("site", item.get("site")),
                       ("source", item.get("original_source")),
                       ("doc number", item.get("doc_number")), ("lang", item.get("lang")),
                       ("encoding", item.get("encoding"))):
        if value:
            lines.append(f"{key + ':':13} {value}")
    for link in item.get("attachments") or []:
        lines.append(f"{'attachment:':13} {link}")
    body = item.get("body") or ""
    lines.append(f"{'body:':13} {len(body)} characters")
    preview = body[:400] + ("…" if len(body) > 400 else "")
    lines.extend("    " + p for p in preview.split("\n") if p)
    return "\n".join(lines)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option("--url", "page_url", metavar="URL", default=None,
              help="The page's address for FILE inputs (for dates in the URL and absolute "
                   "attachment links). Default: the file's file:// URI.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per input and line, in input order (with an `error` "
                   "key when an input fails).")
@click.option("--select", "select", multiple=True, metavar="KEY=SELECTOR",
              help="A source-style article selector (title, date, body, author, source, "
                   "editor, doc_number; CSS, or xpath:...). Repeatable; overrides --source's.")
@click.option("--source", "source_name", metavar="NAME", default=None,
              help="Use this seed's [article] selectors, its time zone (and its request "
                   "headers for URLs), from the sources folder (setting sources_dir).")
@click.option("--timezone", "zone_name", metavar="ZONE", default=None,
              help="IANA zone (e.g. Asia/Shanghai) of dates the page writes without one. "
                   "Default: --source's, else Beijing time on a .cn host or Chinese page, "
                   "else the zone of the host's country or the page's language, else UTC.")
@pass_app
def command(app, inputs, page_url, as_json, select, source_name, zone_name):
    """Extract articles from saved pages (FILE, read as raw bytes) or URLs.

    Runs exactly the extraction the crawler uses, in one process for all inputs. A URL
    is fetched with its HTTP headers (for the charset), up to the crawler's 10 MB cap.
    Exits 1 when any input could not be read or its extraction reported an error (no
    article text found, a bad selector, an unknown time zone).
    """
    from crawler.extraction import Extracted, extract

    zone = _zone(zone_name)
    selectors, headers, seed_zone = (_seed_selectors(app, source_name) if source_name
                                     else ({}, {}, None))
    selectors.update(_parse_selectors(select))
    zone = zone or seed_zone
    client_holder: list = []
    failed = False
    try:
        for source in inputs:
            try:
                raw, url, response_headers = _read(source, page_url, client_holder, headers)
                result = extract(raw, url, headers=response_headers, selectors=selectors,
                                 timezone=zone)
            except click.ClickException as exc:
                result = Extracted(url=source, error=exc.message)
            item = result.to_dict()
            if result.error:
                failed = True
            if as_json:
                click.echo(json.dumps(item, ensure_ascii=False))
            else:
                click.echo(_summary(source, item))
                click.echo()
    finally:
        if client_holder:
            client_holder[0].close()
    if failed:
        sys.exit(1)
