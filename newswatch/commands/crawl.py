"""``newswatch crawl``: crawl sources now, with live progress and a summary table."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from crawler.database import redacted
from crawler.seeds import SeedError, check_sources, find_source
from newswatch.cli import db_option, pass_app
from newswatch.crawl.runner import CrawlOptions, CrawlResult, crawl_sources, stop_all


def _select(sources_dir: Path, names: tuple[str, ...]):
    """The sources to crawl, and results for those whose seed is invalid."""
    invalid: list[CrawlResult] = []
    if not names:
        sources, problems = check_sources(sources_dir)
        by_file: dict[str, list[dict]] = {}
        for problem in problems:  # "path/name.toml: field ...": one row per file
            name = Path(problem.split(":", 1)[0]).stem
            by_file.setdefault(name, []).append({"url": "", "error": problem})
        invalid = [CrawlResult(name, "invalid", errors=errors)
                   for name, errors in by_file.items()]
        return sources, invalid
    known = sorted(p.stem for p in sources_dir.glob("*.toml"))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(f"unknown source(s) {', '.join(unknown)} in {sources_dir}; "
                               f"known: {', '.join(known) or 'none'}")
    sources = []
    for name in dict.fromkeys(names):
        try:
            sources.append(find_source(sources_dir, name))
        except SeedError as exc:
            invalid.append(CrawlResult(name, "invalid", errors=[
                {"url": "", "error": problem} for problem in exc.problems]))
    return sources, invalid


class ProgressBoard:
    """Live per-source counts, fed by the child processes' events."""

    def __init__(self, names: list[str]):
        self.rows = {n: {"state": "waiting"} for n in names}
        self.lock = threading.Lock()

    def update(self, event: dict) -> None:
        with self.lock:
            row = self.rows.setdefault(event.get("source", "?"), {})
            kind = event.get("event")
            if kind == "start":
                row["state"] = "baseline" if event.get("baseline") else "crawling"
            elif kind in ("progress", "done"):
                row.update(event)
                row["state"] = event.get("outcome", row.get("state")) if kind == "done" \
                    else row.get("state", "crawling")

    def render(self) -> Table:
        table = Table(title="crawling", expand=False)
        for col in ("source", "state", "pages", "new", "known", "failed", "requests"):
            table.add_column(col, justify="left" if col in ("source", "state") else "right")
        with self.lock:
            for name, row in self.rows.items():
                table.add_row(name, row.get("state", ""), str(row.get("pages", 0)),
                              str(row.get("items_new", 0)), str(row.get("items_known", 0)),
                              str(row.get("items_failed", 0)), str(row.get("requests", 0)))
        return table


def summary_table(results: list[CrawlResult], dry_run: bool) -> Table:
    table = Table(title="dry run (nothing stored)" if dry_run else "crawl summary")
    for col in ("source", "outcome", "pages", "new", "known", "failed", "errors"):
        table.add_column(col, justify="right" if col in ("pages", "new", "known", "failed")
                         else "left", overflow="fold")
    for r in results:
        style = "green" if r.ok else "red"
        errors = f"{len(r.errors)}: {r.message()}" if r.errors else ""
        table.add_row(r.source, f"[{style}]{r.outcome}[/]", str(r.pages), str(r.items_new),
                      str(r.items_known), str(r.items_failed), errors)
    return table


@click.command(name="crawl")
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
@click.option("--sources-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Folder of source seed files. Default: the `sources_dir` setting "
                   "(seeds/sources).")
@click.option("--replay", metavar="URL", default=None,
              help="Send every request to this replay server (`newswatch replay serve`); "
                   "the archive keeps the real URLs. Default: the `replay` setting.")
@click.option("--refresh", is_flag=True,
              help="Request article pages again even when archived, and update their rows.")
@click.option("--dry-run", is_flag=True,
              help="Fetch and extract, store nothing, and print what would be stored.")
@click.option("--jobs", "-j", type=click.IntRange(1, 16), default=4, show_default=True,
              help="Sources crawled at once (one child process each).")
@click.option("--wait", is_flag=True,
              help="Wait for a source that is being crawled elsewhere instead of skipping it.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop a source's crawl after this many seconds (default: no limit); "
                   "it is recorded `interrupted`.")
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting for the crawl (repeatable), e.g. -s DOWNLOAD_TIMEOUT=10.")
@db_option
@pass_app
def command(app, names, sources_dir, replay, refresh, dry_run, jobs, wait, timeout,
            scrapy_settings):
    """Crawl SOURCE... now (all sources when none are named).

    Each source runs as `scrapy crawl` in its own process; progress is shown live and a
    summary table ends the run. A crawl stopped by --timeout, SIGTERM or Ctrl-C is
    recorded `interrupted`. At most `max_articles_per_run` article pages are fetched per
    source (newest first). Exits with status 1 when any source did not end `ok` (failed,
    blocked, empty, interrupted, invalid seed, or already being crawled).
    """
    app.channels = False  # a crawl delivers nothing: its channels are not built here
    config = app.config
    folder = Path(sources_dir or config.sources_dir)
    if not folder.is_dir():
        raise click.UsageError(f"sources folder not found: {folder}")
    replay = replay if replay is not None else config.replay
    if replay and not replay.startswith(("http://", "https://")):
        raise click.BadParameter(f"must be a URL like http://127.0.0.1:8321, got {replay!r}",
                                 param_hint="--replay")
    sources, invalid = _select(folder, names)
    options = CrawlOptions(db=config.db, sources_dir=folder,
                           replay=replay,
                           refresh=refresh, dry_run=dry_run, wait=wait, timeout=timeout,
                           max_articles=config.max_articles_per_run,
                           settings=_parse_settings(scrapy_settings))
    # A SIGTERM (a supervisor, `kill`) stops the children cleanly instead of orphaning them:
    # each gets one SIGTERM (and SIGKILL after a grace), and records its run `interrupted`.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop_all("stopped (SIGTERM)"))
    console = Console()
    err = Console(stderr=True)
    board = ProgressBoard([s.name for s in sources])

    def on_event(event: dict) -> None:
        board.update(event)
        if event.get("event") == "item":
            # One JSON object per line, as docs/crawling.md promises (never re-wrapped).
            console.print(json.dumps(_shown_item(event), ensure_ascii=False), markup=False,
                          highlight=False, soft_wrap=True)
        elif not console.is_terminal and event.get("event") == "done":
            console.print(f"{event['source']}: {event['outcome']}, {event['pages']} pages, "
                          f"{event['items_new']} new, {event['items_known']} known, "
                          f"{event['items_failed']} failed", highlight=False)

    try:
        if console.is_terminal and sources:
            with Live(board.render(), console=console, refresh_per_second=4,
                      transient=True) as live:
                def live_event(event):
                    on_event(event)
                    live.update(board.render())
                results = crawl_sources(sources, options, jobs=jobs, on_event=live_event)
        else:
            results = crawl_sources(sources, options, jobs=jobs, on_event=on_event)
    except KeyboardInterrupt:
        # The runner stopped the children (one SIGTERM each): they recorded their runs.
        err.print("interrupted: the crawls that had started were stopped and recorded")
        raise SystemExit(130) from None
    results = invalid + results
    if not results:
        console.print(f"no sources in {folder}")
        return
    console.print(summary_table(results, dry_run))
    for r in results:
        for e in r.errors[:10]:
            where = f" {e['url']}:" if e.get("url") else ""
            err.print(f"{r.source}:{where} {e['error']}", highlight=False, markup=False)
        if len(r.errors) > 10:
            err.print(f"{r.source}: ... {len(r.errors) - 10} more (runs table, run "
                      f"{r.run_id})", highlight=False)
        if not r.ok and r.log:
            err.print(f"{r.source}: Scrapy log in {r.log}", highlight=False, markup=False)
    if not dry_run:
        console.print(f"archive: {redacted(config.db)}", highlight=False)
    if any(not r.ok for r in results):
        raise SystemExit(1)


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        settings[name.strip()] = value
    return settings


def _shown_item(event: dict) -> dict:
    """What a dry run prints per article: the stored fields, the body cut short."""
    keys = ("would_store", "url", "site_id", "title", "published", "published_text",
            "date_source", "author", "original_source", "lang", "encoding")
    shown = {k: event.get(k) for k in keys}
    body = event.get("body") or ""
    shown["body"] = body[:200] + ("…" if len(body) > 200 else "")
    if event.get("files"):  # attachments read (docs/crawling.md, "Attachments")
        shown["attachments"] = [{k: f.get(k) for k in ("name", "type", "outcome", "detail",
                                                       "page_count", "chars")}
                                for f in event["files"]]
    return shown
