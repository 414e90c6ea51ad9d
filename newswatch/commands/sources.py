"""``newswatch sources``: list the sources; ``sources check``: validate them, or prove them
offline against a replay folder (``--replay DIR``)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from newswatch.cli import db_option, pass_app
from newswatch.health import access_of

SOURCES_DIR_HELP = "Folder of source seed files. Default: the `sources_dir` setting."


def _console() -> Console:
    console = Console()
    # Piped output (tests, logs) gets a width that keeps one source on one line.
    return console if console.is_terminal else Console(width=150)


def _local(ts: str | None, zone: str) -> str:
    """An archive time (UTC) in the configured time zone, as `newswatch status` shows it."""
    if not ts:
        return "-"
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = timezone.utc
    return datetime.fromisoformat(ts).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _schedule_text(schedule: dict) -> str:
    if "interval" in schedule:
        return f"every {schedule['interval']}"
    return f"cron {schedule.get('cron', '?')}"


def _last_runs(db) -> dict[str, dict]:
    """The latest run of every source in the archive."""
    rows = db.query(
        "SELECT r.source, r.outcome, r.started, r.finished, r.items_found, r.items_new, "
        "r.errors, r.access FROM runs r JOIN (SELECT source, MAX(id) AS id FROM runs GROUP BY source) "
        "m ON r.id = m.id")
    return {r["source"]: r for r in rows}


@click.group("sources", invoke_without_command=True)
@click.option("--sources-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help=SOURCES_DIR_HELP)
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per source instead of a table.")
@db_option
@pass_app
def command(app, sources_dir, as_json):
    """List the sources: kind, schedule, language, and their last crawl from the archive.

    Times are in the `timezone` setting; --json gives them in UTC.

    `newswatch sources check` validates the seed files; `--replay DIR` also crawls every
    source against stored fixture pages. See docs/sources.md.
    """
    if sources_dir is not None:
        app.overrides["sources_dir"] = sources_dir
        app._config = None
    if click.get_current_context().invoked_subcommand is not None:
        return
    from crawler.seeds import check_sources

    folder = app.config.sources_dir
    sources, problems = check_sources(folder)
    runs: dict[str, dict] = {}
    if Path(app.config.db).exists():
        db = app.open_db()
        runs = _last_runs(db)
        db.conn.close()
    rows = []
    for s in sources:
        run = runs.get(s.name, {})
        rows.append({"source": s.name, "title": s.title, "site": s.site, "kind": s.kind,
                     "spider": s.spider_name, "language": s.language,
                     "schedule": _schedule_text(s.schedule),
                     "last_outcome": run.get("outcome"), "last_run": run.get("started"),
                     "last_found": run.get("items_found"), "last_new": run.get("items_new"),
                     "render": s.render, "access": access_of(run) if run else None})
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        table = Table(title=f"sources in {folder}")
        for col in ("source", "site", "kind", "lang", "schedule", "last outcome", "last run"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["source"], r["site"],
                          r["kind"] if r["spider"] == r["kind"] else f"{r['kind']} ({r['spider']})",
                          r["language"], r["schedule"], _outcome_words(r),
                          _local(r["last_run"], app.config.timezone))
        _console().print(table)
    for p in problems:
        click.echo(f"invalid: {p}", err=True)
    if problems:
        raise SystemExit(1)


def _access_warnings(sources) -> list[str]:
    """Seeds whose remedies cannot work on this machine (a warning, not a problem: the
    crawl says so too, and another machine may have what is missing)."""
    from crawler.access.chromium import BrowserUnavailable, check_available
    from scrapy.settings import Settings

    needing = [s for s in sources if s.render != "never"]
    if not needing:
        return []
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    try:
        check_available(settings)
    except BrowserUnavailable as exc:
        return [f"{s.path or s.name}: render = \"{s.render}\" cannot use a browser here: {exc}"
                for s in needing]
    return []


def _outcome_words(row: dict) -> str:
    """``blocked: answers 412 with a JavaScript cookie challenge: set ...`` for the table."""
    outcome = row["last_outcome"] or "never run"
    access = row.get("access") or {}
    if outcome != "ok" and access.get("message"):
        return f"{outcome}: {access['message']}"
    return outcome


def _share(report, name: str) -> str:
    share = report.share(name)
    if share is None:
        return "-"
    text = f"{share:.0%}"
    return f"{text}*" if name in report.expected else text


@command.command("check")
@click.option("--replay", "replay_dir", type=click.Path(exists=True, file_okay=False),
              default=None, metavar="DIR",
              help="Also crawl every source against the fixture pages in DIR "
                   "(DIR/<host>/<path>, expectations in DIR/expect.toml) on temporary "
                   "databases, and grade each source.")
@click.option("--keep", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="With --replay: keep the temporary databases and crawl log in DIR.")
@click.option("--sources-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help=SOURCES_DIR_HELP)
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
@pass_app
def check(app, replay_dir, keep, sources_dir, names):
    """Validate every seed file (or the SOURCEs named); exit 1 on any problem.

    Each problem names the file, the field and what is wrong. With --replay, a table per
    source shows list items found, articles extracted and the share of articles with
    title, date, body and source; a source fails when it yields nothing or an article
    lacks a field its fixture declares (marked *).
    """
    from crawler.seeds import check_sources

    if sources_dir is not None:
        app.overrides["sources_dir"] = sources_dir
        app._config = None
    folder = app.config.sources_dir
    sources, problems = check_sources(folder)
    if names:
        known = {s.name for s in sources} | {Path(p.split(":")[0]).stem for p in problems}
        for name in names:
            if name not in known:
                problems.append(f"unknown source {name!r} in {folder}")
        sources = [s for s in sources if s.name in names]
        problems = [p for p in problems if Path(p.split(":")[0]).stem in names
                    or p.startswith("unknown source")]
    for p in problems:
        click.echo(f"invalid: {p}", err=True)
    for warning in _access_warnings(sources):
        click.echo(f"warning: {warning}", err=True)
    if replay_dir is None:
        click.echo(f"{len(sources)} sources valid, {len(problems)} problems ({folder})")
        raise SystemExit(1 if problems else 0)
    from newswatch.source_replay import ExpectError, check_replay

    try:
        reports = check_replay(sources, replay_dir, folder, keep=keep)
    except ExpectError as exc:
        raise click.ClickException(str(exc)) from None
    _print_reports(reports)
    failed = [r for r in reports if not r.ok]
    for r in failed:  # in full, unwrapped, below the table
        click.echo(f"{r.source}: FAIL: {'; '.join(r.problems)}")
    click.echo(f"{len(reports) - len(failed)} of {len(reports)} sources pass against "
               f"{replay_dir}; {len(problems)} invalid seed files")
    raise SystemExit(1 if failed or problems else 0)


def _print_reports(reports) -> None:
    table = Table(title="replay check (* = declared by the fixture)")
    for col in ("source", "outcome", "items", "articles", "title", "date", "body", "source ",
                "verdict"):
        table.add_column(col, justify="right" if col not in ("source", "outcome", "verdict")
                         else "left")
    for r in reports:
        table.add_row(r.source, r.outcome, str(r.items_found), str(r.articles),
                      _share(r, "title"), _share(r, "date"), _share(r, "body"),
                      _share(r, "source"), "ok" if r.ok else "FAIL: " + "; ".join(r.problems))
    _console().print(table)
