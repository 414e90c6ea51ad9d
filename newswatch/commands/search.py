"""`newswatch search QUERY`: search the archive with the topic query language.

The FTS5 trigram index narrows the candidates when the query allows it (every branch
needs a term of 3+ characters); the exact matcher then decides, so two-character Chinese
terms such as 芯片 are found too (by a scan when nothing can narrow).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import click
from rich.console import Console
from rich.table import Table

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
    from alerts.engine import article_time
    from alerts.fts_narrowing import fts_expression
    from alerts.search import search

    node = tf.parse_or_exit(query, tf.aliases_of(app))
    db = app.open_db()
    # An indexed search reads candidates newest first and stops at the limit; a scan
    # reads everything, then the newest come first by their own dates.
    narrows = not scan and fts_expression(node) is not None
    page = search(db, node, query, limit=limit if narrows else None, budget=None, scan=scan)
    found = page.found
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    found.sort(key=lambda am: (article_time(am[0]) or oldest, am[0]["id"]), reverse=True)
    found = found[:limit]
    if as_json:
        for a, m in found:
            click.echo(json.dumps({"article_id": a["id"], "title": a.get("title"),
                                   "source": a.get("source"), "url": a.get("url"),
                                   "published": a.get("published"), "snippet": m.snippet,
                                   "terms": m.terms_json()}, ensure_ascii=False))
        return
    zone = tf.zone_of(app)
    how = "full-text index + matcher" if page.indexed else "matcher scan"
    table = Table(title=f"{len(found)} article(s) ({how})")
    for col in ("date", "source", "title", "snippet"):
        table.add_column(col, overflow="fold")
    for a, m in found:
        table.add_row(tf.local_date(a, zone), a.get("source") or "-", a.get("title") or "-",
                      m.snippet)
    Console(width=max(100, Console().width)).print(table)
