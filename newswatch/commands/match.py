"""`newswatch match`: run the matcher once over new articles and print what matched."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from newswatch.cli import db_option, pass_app
from newswatch.commands import _topic_files as tf


@click.command("match")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per match.")
@click.option("--retry-parked", is_flag=True,
              help="First put back the articles parked after their matching failed "
                   "3 times (`status` counts them), and match them again.")
@db_option
@pass_app
def command(app, as_json, retry_parked):
    """Cluster new archive articles into stories, match them against the topics, and queue
    alerts in the outbox (what `newswatch run` does on each new crawl).

    Each article is matched once: the matcher keeps a cursor in the database. Baseline
    articles (a source's first crawl) and articles older than a topic's max_age never
    match. A story alerts a topic once; later outlets are recorded as "also published by".
    An article whose matching fails is retried on the next passes, then parked.
    """
    from alerts import matcher

    topics = tf.topics_of(app)
    db = app.open_db()
    if retry_parked:
        again = matcher.retry_parked(db)
        click.echo(f"{again} parked article(s) put back to be matched again.", err=as_json)
    result = matcher.run_once(db, topics, default_channels=app.config.default_channels,
                              story_window_days=app.config.story_window_days,
                              aliases=app.config.aliases or None)
    if as_json:
        for m in result.matches:
            click.echo(json.dumps(m, ensure_ascii=False, default=str))
        return
    zone = tf.zone_of(app)
    if result.matches:
        table = Table(title="matches")
        for col in ("topic", "date", "source", "title", "alert", "snippet"):
            table.add_column(col, overflow="fold")
        for m in result.matches:
            alert = f"queued {m['queued']}" if m["first_for_story"] else \
                f"also (story {m['story_id']})"
            table.add_row(m["topic"], tf.local_date(m, zone), m["source"] or "-",
                          m["title"] or "-", alert, m["snippet"])
        Console(width=max(120, Console().width)).print(table)
    click.echo(f"{result.articles} new article(s) walked, {len(result.matches)} match(es), "
               f"{result.queued} alert(s) queued; cursor at article {matcher.cursor(db)}.")
    parked = matcher.parked_count(db)
    if parked:
        click.echo(f"{parked} article(s) parked after their matching failed "
                   f"{matcher.MAX_ATTEMPTS} times (the log says why): "
                   f"newswatch match --retry-parked", err=True)
