"""``newswatch sources``: list the sources; ``sources check``: validate them, or prove them
offline against a replay folder (``--replay DIR``)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from crawler.times import local_text
from newswatch.cli import db_option, pass_app
from newswatch.health import access_of

SOURCES_DIR_HELP = "Folder of source seed files. Default: the `sources_dir` setting."


def _console() -> Console:
    console = Console()
    # Piped output (tests, logs) gets a width that keeps one source on one line.
    return console if console.is_terminal else Console(width=150)


def _schedule_text(schedule: dict) -> str:
    if "interval" in schedule:
        return f"every {schedule['interval']}"
    return f"cron {schedule.get('cron', '?')}"




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
    from crawler import runs as run_log
    from crawler.seeds import check_sources

    folder = app.config.sources_dir
    sources, problems = check_sources(folder)
    runs: dict[str, dict] = {}
    if app.db_exists():
        db = app.open_db()
        runs = run_log.latest_runs(db)
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
                          local_text(r["last_run"], app.config.timezone, "-"))
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
              help="With --replay: keep the temporary databases and crawl logs in DIR.")
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
    from newswatch.replay.check import ExpectError, check_replay

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


def _replay_option(f):
    return click.option(
        "--replay", metavar="URL", default=None,
        help="Fetch every page from this replay server (`newswatch replay serve`) instead "
             "of the live site. Default: the `replay` setting.")(f)


def _fetcher(app, replay):
    from newswatch.sources.fetch import Fetcher

    replay = replay if replay is not None else app.config.replay
    if replay and not replay.startswith(("http://", "https://")):
        raise click.BadParameter(f"must be a URL like http://127.0.0.1:8321, got {replay!r}",
                                 param_hint="--replay")
    return Fetcher(replay or "")


@command.command("add")
@click.argument("target", metavar="URL|FILE")
@click.option("--url", "page_url", default=None, metavar="URL",
              help="With a saved page (FILE): the URL it was saved from (links resolve "
                   "against it).")
@click.option("--name", default=None, metavar="NAME",
              help="The source's name (and file name). Default: from the host and path.")
@click.option("--language", type=click.Choice(["zh", "en"]), default=None,
              help="The source's language. Default: from the titles found.")
@click.option("--dry-run", is_flag=True, help="Only print what would be written.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the inferred items as JSON lines (url, title, date) and nothing "
                   "else.")
@click.option("--sources-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help=SOURCES_DIR_HELP)
@_replay_option
@pass_app
def add(app, target, page_url, name, language, dry_run, as_json, sources_dir, replay):
    """Build a source seed from a list page: URL, or a saved page FILE with --url.

    Looks first for what the site offers (a feed the page advertises, a news sitemap in
    robots.txt), else infers the article list; follows three articles to propose
    [article] selectors; writes a commented, validated seed into the sources folder,
    marking what is unverified, and prints a preview. See docs/sources.md.
    """
    from newswatch.sources.add import AddError, propose, validate
    from newswatch.sources.fetch import Page

    if sources_dir is not None:
        app.overrides["sources_dir"] = sources_dir
        app._config = None
    live = target.startswith(("http://", "https://"))
    fetcher = None
    if live:
        fetcher = _fetcher(app, replay)
        from newswatch.sources.fetch import challenge_kind

        page = fetcher.get(target)
        blocked = challenge_kind(page.status, page.body, page.headers, page.url) if page.status else None
        if blocked or not page.ok:
            fetcher.close()
            raise click.ClickException(f"{target}: could not fetch the page: "
                                       + (f"blocked ({blocked})" if blocked else page.error))
    else:
        if not page_url:
            raise click.BadParameter("a saved page needs the URL it came from",
                                     param_hint="--url")
        try:
            page = Page(page_url, 200, Path(target).read_bytes())
        except OSError as exc:
            raise click.ClickException(f"{target}: cannot read: {exc.strerror or exc}") from None
        if replay is not None or app.config.replay:
            fetcher = _fetcher(app, replay)
    try:
        prop = propose(page, fetcher=fetcher, name=name, language=language,
                       samples=0 if as_json else 3)
    except AddError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if fetcher is not None:
            fetcher.close()
    if as_json:
        for item in prop.items:
            click.echo(json.dumps(item.to_json(), ensure_ascii=False))
        return
    text = prop.seed_text()
    try:
        validate(text, prop.name)
    except AddError as exc:
        raise click.ClickException(str(exc)) from None
    _print_preview(prop)
    path = Path(app.config.sources_dir) / f"{prop.name}.toml"
    if dry_run:
        click.echo(f"--- {path} (dry run: not written)")
        click.echo(text)
        return
    if path.exists():
        raise click.ClickException(f"{path} exists already: choose another --name, or "
                                   f"remove the file first")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}; check it with `newswatch sources doctor {prop.name}`")


def _print_preview(prop) -> None:
    table = Table(title=f"{prop.name}: {prop.how}, {len(prop.items)} links")
    for col in ("#", "date", "title", "url"):
        table.add_column(col, overflow="fold")
    for i, item in enumerate(prop.items[:15], 1):
        table.add_row(str(i), item.date or "-", item.title or "-", item.url)
    _console().print(table)
    if prop.samples:
        _print_samples(prop.samples)


def _print_samples(samples) -> None:
    for s in samples:
        table = Table(title=f"article {s.url}" + (f" ({s.error})" if s.error else ""))
        for col in ("field", "value", "from", "selector"):
            table.add_column(col, overflow="fold")
        from newswatch.sources.articles import SEED_KEY

        for name, value in s.fields.items():
            if name == "published_text":
                continue
            value = " ".join(value.split())
            short = value if len(value) <= 80 else value[:77] + "..."
            table.add_row(name, short, s.sources.get(name, "-"),
                          s.selectors.get(SEED_KEY.get(name, ""), ""))
        _console().print(table)


@command.command("doctor")
@click.argument("names", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--sources-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help=SOURCES_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source.")
@_replay_option
@pass_app
def doctor(app, names, sources_dir, as_json, replay):
    """Diagnose SOURCEs: per start URL what answered (status, challenge), items by the
    seed's selectors and by inference, three sample articles with every field and where
    it came from, and the seed lines to change. Exits 1 when something is wrong.
    """
    from crawler.seeds import SeedError, find_source
    from newswatch.sources.doctor import diagnose

    if sources_dir is not None:
        app.overrides["sources_dir"] = sources_dir
        app._config = None
    fetcher = _fetcher(app, replay)
    bad = False
    try:
        for name in names:
            try:
                source = find_source(app.config.sources_dir, name)
            except SeedError as exc:
                click.echo(f"{name}: {'; '.join(exc.problems)}", err=True)
                bad = True
                continue
            report = diagnose(source, fetcher)
            bad = bad or not report.ok
            if as_json:
                click.echo(json.dumps(report.to_json(), ensure_ascii=False))
            else:
                _print_doctor(report)
    finally:
        fetcher.close()
    raise SystemExit(1 if bad else 0)


def _print_doctor(report) -> None:
    table = Table(title=f"{report.source}: {'ok' if report.ok else 'PROBLEMS'}")
    for col in ("start URL", "status", "challenge", "by seed", "by inference"):
        table.add_column(col, overflow="fold")
    for u in report.urls:
        table.add_row(u["url"], str(u["status"] or u["error"]), u["challenge"] or "-",
                      str(u["seed_items"]), str(u["inferred_items"]))
    _console().print(table)
    _print_samples(report.samples)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    if report.changes:
        click.echo(f"change in {report.path}:")
        for line in report.changes:
            click.echo(f"  {line}")
