"""`newswatch topics`: the watched topics with their match counts; `topics test` tries a
query on a text, a file, or the archive of the last days."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from newswatch.cli import db_option, pass_app
from newswatch.commands import _topic_files as tf


@click.group("topics", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per topic.")
@db_option
@pass_app
@click.pass_context
def command(ctx, app, as_json):
    """List the watched topics (the `topics` setting) with their match counts.

    Topics are [[topic]] tables in TOML files; see docs/topics.md. `newswatch topics
    test QUERY --text ...` tries a query before you add it.
    """
    if ctx.invoked_subcommand is not None:
        return
    from alerts import matcher
    from alerts.engine import engine_for

    topics = tf.topics_of(app)
    # Read-only: before the first crawl there is no archive, and none is created.
    counts = matcher.match_counts(app.open_db()) if app.db_exists() else {}
    always = set(engine_for(topics).every_article_topics())
    zone = tf.zone_of(app)
    if as_json:
        for t in topics:
            c = counts.get(t.name, {})
            click.echo(json.dumps({
                "name": t.name, "title": t.title, "query": t.query_text, "file": t.file,
                "mode": t.mode, "channels": list(t.channels), "sources": list(t.sources),
                "languages": list(t.languages),
                "max_age_s": t.max_age.total_seconds() if t.max_age else None,
                "matches": c.get("matches", 0), "alerted_stories": c.get("stories", 0) or 0,
                "last_match": c.get("last"), "every_article": t.name in always,
            }, ensure_ascii=False))
        return
    table = Table(title=f"{len(topics)} topics", show_lines=False)
    for col in ("name", "title", "mode", "channels", "max age", "matches", "stories",
                "last match"):
        table.add_column(col, overflow="fold")
    for t in topics:
        c = counts.get(t.name, {})
        name = t.name + (" *" if t.name in always else "")
        table.add_row(name, t.title, t.mode, ", ".join(t.channels) or "(default)",
                      _age(t.max_age), str(c.get("matches", 0)), str(c.get("stories", 0) or 0),
                      tf.local_time(c.get("last"), zone))
    Console(width=max(120, Console().width)).print(table)
    if always:
        click.echo("* evaluated on every article: the query can match without any "
                   "positive term (NOT only, or a regex with no literal part)")


def _age(age: timedelta | None) -> str:
    if age is None:
        return "-"
    s = int(age.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


@command.command("test")
@click.argument("query")
@click.option("--text", metavar="TEXT", help="Text to try the query on (as an article body).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="File whose text to try the query on (UTF-8).")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), metavar="N",
              help="Backtest: list what the query would have alerted in the archive's "
                   "last N days (up to its newest article, so an archive that stopped "
                   "growing still answers).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              metavar="N", help="With --days: show the N newest matches (all are counted).")
@click.option("--title", default="", help="With --text/--file: the article title.")
@click.option("--explain", is_flag=True, help="Say which terms hit where, and why not.")
@click.option("--json", "as_json", is_flag=True,
              help='Print JSON: {"match", "terms", "snippet"} for --text/--file, '
                   "one object per article for --days.")
@db_option
@pass_app
def test_command(app, query, text, path, days, limit, title, explain, as_json):
    """Try QUERY on a text (--text/--file) or over the archive (--days N).

    \b
    Examples:
      newswatch topics test '"AI + manufacturing" OR 人工智能+制造' --text "..."
      newswatch topics test '@miit 芯片 -手机' --days 7
      newswatch topics test 'title:(robot* OR 机器人) lang:en' --file page.txt --explain

    The language (AND, OR, NOT/-, "phrases", prefix*, title: body: source: site: lang:,
    /regex/, @alias) is described in docs/topics.md. Exit status 0 for a valid query whatever the result; 2 for an invalid query, with
    the column of the error.
    """
    given = [x is not None for x in (text, path, days)]
    if sum(given) != 1:
        raise click.UsageError("give exactly one of --text, --file or --days")
    from alerts.engine import Engine

    node = tf.parse_or_exit(query, tf.aliases_of(app))
    topic = tf.adhoc_topic(query, node)
    engine = Engine([topic])
    if days is not None:
        _backtest(app, engine, days, limit, as_json)
        return
    if path is not None:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    article = {"title": title, "body": text, "lang": "", "source": "", "site": ""}
    art = engine.prepare(article)
    matches = engine.match(article)
    hits = matches[0].terms_json() if matches else _hits_json(engine, topic, art)
    snippet = matches[0].snippet if matches else ""
    if as_json:
        click.echo(json.dumps({"match": bool(matches), "terms": hits, "snippet": snippet},
                              ensure_ascii=False))
        return
    click.echo("match" if matches else "no match")
    if snippet:
        click.echo(f"  {snippet}")
    if explain:
        if hits:
            click.echo("terms that hit (term, field, offsets):")
            click.echo("\n".join(tf.hit_lines(hits)))
        click.echo("atoms of the query:")
        for label, negated, state in engine.atom_states(topic, art):
            mark = "yes" if state else "no"
            note = "  (negated: must be absent)" if negated else ""
            click.echo(f"  {mark:<4}{label}{note}")


def _hits_json(engine, topic, art) -> list[dict]:
    """The terms that hit a text the query did not match (every atom looked up first)."""
    from alerts.engine import Match

    engine.atom_states(topic, art)
    return Match(topic, engine.explain(topic, art), "").terms_json()


def _backtest(app, engine, days: float, limit: int, as_json: bool) -> None:
    import heapq

    from crawler.times import article_time
    from crawler import archive

    db = app.open_db(must_exist=True)
    zone = tf.zone_of(app)
    now = datetime.now(timezone.utc)
    # The window ends at the archive's newest article (never in the future): the same
    # answer tomorrow as today for an archive that is not growing.
    until = min(now, archive.newest_article_time(db) or now)
    since = until - timedelta(days=days)
    newest: list = []  # a min-heap of the ``limit`` newest matches: bounded memory
    total, after = 0, 0
    while True:
        rows = archive.articles_after(db, after, limit=1000, with_attachments=True)
        if not rows:
            break
        after = rows[-1]["id"]
        for a in rows:
            when = article_time(a)
            if when is not None and when < since:
                continue  # baseline articles count: a backtest asks what the query finds
            for m in engine.match(a):
                total += 1
                key = ((when or since).timestamp(), a["id"])
                a = {k: v for k, v in a.items() if k != "body"}  # keep no bodies
                if len(newest) < limit:
                    heapq.heappush(newest, (key, a, m))
                elif key > newest[0][0]:
                    heapq.heapreplace(newest, (key, a, m))
    found = [(a, m) for _, a, m in sorted(newest, key=lambda e: e[0], reverse=True)]
    if as_json:
        for a, m in found:
            click.echo(json.dumps({"article_id": a["id"], "title": a.get("title"),
                                   "source": a.get("source"), "url": a.get("url"),
                                   "published": a.get("published"), "snippet": m.snippet,
                                   "baseline": bool(a.get("baseline")),
                                   "terms": m.terms_json()}, ensure_ascii=False))
        return
    shown = f"{len(found)} of {total}" if total > len(found) else f"{total}"
    end = "now" if now - until < timedelta(hours=1) else \
        f"{until.astimezone(zone):%Y-%m-%d %H:%M} (the archive's newest article)"
    table = Table(title=f"{shown} article(s) in the {days:g} day(s) up to {end}")
    for col in ("date", "source", "title", "snippet"):
        table.add_column(col, overflow="fold")
    for a, m in found:
        source = (a.get("source") or "-") + (" (baseline)" if a.get("baseline") else "")
        table.add_row(tf.local_date(a, zone), source, a.get("title") or "-", m.snippet)
    Console(width=max(100, Console().width)).print(table)
    if any(a.get("baseline") for a, _ in found):
        click.echo("(baseline): archived by a source's first crawl; such articles never alert.")
