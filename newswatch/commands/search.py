"""`newswatch search QUERY`: search the archive with the topic query language
(``alerts.search``: the full-text index narrows, the matcher decides)."""

from __future__ import annotations

import json
import sqlite3

import click
from rich.console import Console
from rich.table import Table

from crawler.database import redacted
from newswatch.cli import db_option, pass_app
from newswatch.commands import _topic_files as tf


@click.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="Show at most N articles.")
@click.option("--scan", is_flag=True,
              help="Check every article with the matcher instead of narrowing with the "
                   "full-text index (slower; finds full-width or spaced-out spellings the "
                   "index misses).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
@db_option
@pass_app
def command(app, query, limit, scan, as_json):
    """Search archived articles, newest first, with the same grammar as topics
    (docs/topics.md). Exit status 2 for an invalid query."""
    from alerts.search import search

    node = tf.parse_or_exit(query, tf.aliases_of(app))
    db = app.open_db(must_exist=True)
    # Newest archived first, stopping at the limit: only --limit hits are ever held.
    try:
        page = search(db, node, query, limit=limit, budget=None, scan=scan)
    except sqlite3.Error as exc:  # locked, corrupt, ...: an error, never a silent scan
        raise click.ClickException(f"{redacted(app.config.db)}: database error: {exc}") from None
    if page.fallback:
        click.echo(f"note: the full-text index cannot serve this query ({page.fallback}); "
                   f"scanning every article instead", err=True)
    found = page.found
    if as_json:
        for a, m in found:
            click.echo(json.dumps({"article_id": a["id"], "title": a.get("title"),
                                   "source": a.get("source"), "url": a.get("url"),
                                   "published": a.get("published"), "snippet": m.snippet,
                                   "location": m.location, "terms": m.terms_json()},
                                  ensure_ascii=False))
        return
    zone = tf.zone_of(app)
    table = Table(title=f"{len(found)} article(s) ({page.how})")
    for col in ("date", "source", "title", "snippet"):
        table.add_column(col, overflow="fold")
    for a, m in found:
        where = f"({m.location['text']}) " if m.location else ""
        table.add_row(tf.local_date(a, zone), a.get("source") or "-", a.get("title") or "-",
                      where + m.snippet)
    Console(width=max(100, Console().width)).print(table)
