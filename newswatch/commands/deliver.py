"""`newswatch deliver`: send what is due in the outbox once and show what happened."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newswatch.cli import db_option, pass_app


@click.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Send at most N deliveries this time (default: all that are due).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per delivery.")
@db_option
@pass_app
def command(app, limit, as_json):
    """Build the digests that are due, send every due alert through its channels, and
    print a table of results (what `newswatch run` does every `delivery_interval`).

    A failed delivery is retried later with backoff (run this again, or let the service
    do it); one that fails for good, or for longer than `delivery_max_age`, is dead:
    see `newswatch alerts --status dead`.
    """
    from alerts.delivery import deliver_due
    from alerts.secrets import mask
    from crawler.times import local_text

    settings = app.config.alerts  # settings and channels validated when loaded
    results = deliver_due(app.open_db(), settings, limit=limit)
    for r in results:
        r.error = mask(r.error)
    if as_json:
        for r in results:
            click.echo(json.dumps(r.to_json(), ensure_ascii=False))
        return
    if results:
        tz = settings.timezone
        table = Table(title="deliveries")
        for col in ("id", "kind", "topic", "channel", "outcome", "status", "tries", "note"):
            table.add_column(col, overflow="fold")
        for r in results:
            note = r.error or ""
            if r.outcome in ("retry", "deferred"):
                note = f"next {local_text(r.due, tz)}: {note}"
            elif r.outcome == "sent" and r.parts > 1:
                note = f"{r.parts} parts"
            style = {"sent": "green", "dead": "red", "retry": "yellow"}.get(r.outcome, "")
            table.add_row(str(r.id), r.kind, escape(r.topic or "-"), escape(r.channel),
                          f"[{style}]{r.outcome}[/]" if style else r.outcome,
                          str(r.status or "-"), str(r.attempts), escape(note))
        Console(width=max(120, Console().width)).print(table)
    counts = {k: sum(1 for r in results if r.outcome == k)
              for k in ("sent", "retry", "deferred", "dead")}
    click.echo(f"{len(results)} due: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".")
