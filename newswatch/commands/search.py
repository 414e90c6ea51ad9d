"""`newswatch search QUERY`: search the archive with the topic query language.

The FTS5 trigram index narrows the candidates when the query allows it (every branch
needs a term of 3+ characters); the exact matcher then decides, so two-character Chinese
terms such as 芯片 are found too (by a scan when nothing can narrow).
"""

from __future__ import annotations

import json
import sqlite3
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
    from alerts.engine import Engine
    from crawler.times import article_time
    from alerts.fts_narrowing import fts_expression
    from crawler import archive

    node = tf.parse_or_exit(query, tf.aliases_of(app))
    engine = Engine([tf.adhoc_topic(query, node)])
    db = app.open_db(must_exist=True)
    expr = None if scan else fts_expression(node)
    found = []
    if expr is not None:
        try:
            ids = archive.full_text_ids(db, expr)
        except archive.FullTextUnusable as exc:  # only this may fall back, and says so
            click.echo(f"note: the full-text index cannot serve this query ({exc}); "
                       f"scanning every article instead", err=True)
            expr, ids = None, []
        except sqlite3.Error as exc:  # locked, corrupt, ...: an error, not a silent scan
            raise click.ClickException(f"{app.config.db}: database error: {exc}") from None
    if expr is not None:
        for article_id in ids:
            article = archive.get_article(db, article_id)
            if article is None:
                continue
            for m in engine.match(article):
                found.append((article, m))
            if len(found) >= limit:
                break
    else:
        after = 0
        while True:
            rows = archive.articles_after(db, after, limit=1000)
            if not rows:
                break
            after = rows[-1]["id"]
            for article in rows:
                for m in engine.match(article):
                    found.append((article, m))
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
    how = "full-text index + matcher" if expr is not None else "matcher scan"
    table = Table(title=f"{len(found)} article(s) ({how})")
    for col in ("date", "source", "title", "snippet"):
        table.add_column(col, overflow="fold")
    for a, m in found:
        table.add_row(tf.local_date(a, zone), a.get("source") or "-", a.get("title") or "-",
                      m.snippet)
    Console(width=max(100, Console().width)).print(table)
