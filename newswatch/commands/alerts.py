"""`newswatch alerts`: list deliveries, show their attempts, requeue, test a channel."""

from __future__ import annotations

import asyncio
import json

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newswatch.cli import db_option, pass_app

STATES = ("pending", "waiting", "sent", "dead")


def _console() -> Console:
    return Console(width=max(120, Console().width))


@click.group("alerts", invoke_without_command=True)
@click.option("--status", type=click.Choice(STATES), default=None,
              help="Only deliveries in this state (waiting = for its digest).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              metavar="N", help="Show at most N deliveries, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per delivery.")
@db_option
@pass_app
@click.pass_context
def command(ctx, app, status, limit, as_json):
    """List deliveries in the outbox, newest first: topic, channel, state, attempts and
    the last error. Subcommands requeue dead ones and test a channel."""
    if ctx.invoked_subcommand is not None:
        return
    from alerts import outbox
    from alerts.secrets import mask
    from crawler.times import local_text

    db = app.open_db(must_exist=True)
    tz = app.config.timezone
    rows = outbox.list_rows(db, state=status, limit=limit)
    for r in rows:
        r["last_error"] = mask(r["last_error"])  # also rows stored before masking
    if as_json:
        for r in rows:
            r = {k: v for k, v in r.items() if not k.startswith("lease_")}
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no deliveries{f' in state {status}' if status else ''}.")
    table = Table(title=f"deliveries ({status or 'all'})")
    for col in ("id", "kind", "topic", "channel", "state", "tries", "created", "due/sent",
                "last error"):  # times local, in the `timezone` setting
        table.add_column(col, overflow="fold")
    for r in rows:
        when = r["sent"] if r["state"] == "sent" else (r["due"] if r["state"] == "pending"
                                                        else "")
        table.add_row(str(r["id"]), r["kind"], escape(r["topic"] or "-"), escape(r["channel"]),
                      r["state"], str(r["attempts"]), local_text(r["created"], tz),
                      local_text(when, tz), escape(r["last_error"] or ""))
    if rows:
        _console().print(table)
    counts = outbox.counts(db)
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))


@command.command("show")
@click.argument("outbox_id", type=int, metavar="ID")
@db_option
@pass_app
def show(app, outbox_id):
    """Show one delivery and every attempt: time, outcome, status code, error."""
    from alerts import outbox
    from alerts.secrets import mask
    from crawler.times import local_text

    db = app.open_db(must_exist=True)
    tz = app.config.timezone
    row = outbox.get(db, outbox_id)
    if row is None:
        raise click.ClickException(f"no delivery with id {outbox_id}")
    for key in ("id", "key", "kind", "topic", "topic_title", "mode", "channel", "state",
                "story_id", "article_id", "created", "due", "sent", "attempts", "last_status",
                "last_error", "digest_id", "period_start", "period_end"):
        if row.get(key) is not None:
            click.echo(f"{key:>12}: {mask(str(row[key])) if key == 'last_error' else row[key]}")
    table = Table(title="attempts")
    for col in ("at", "outcome", "status", "ms", "error"):
        table.add_column(col, overflow="fold")
    for a in outbox.attempts_of(db, outbox_id):
        table.add_row(local_text(a["at"], tz), a["outcome"], str(a["status"] or "-"),
                      str(a["duration_ms"]), escape(mask(a["error"]) or ""))
    _console().print(table)


@command.command("retry")
@click.argument("ids", nargs=-1, type=int, metavar="ID...")
@click.option("--dead", is_flag=True, help="Requeue every dead delivery.")
@db_option
@pass_app
def retry(app, ids, dead):
    """Requeue deliveries (by id, or every dead one) to be sent at the next delivery,
    attempts reset. A digest's alert goes back to wait for the next digest."""
    from alerts import outbox

    if not ids and not dead:
        raise click.UsageError("give delivery ids, or --dead")
    db = app.open_db(must_exist=True)
    done = outbox.requeue(db, ids, dead=dead)
    missing = sorted(set(ids) - set(done))
    click.echo(f"requeued {len(done)}: {' '.join(map(str, done)) or '-'}")
    if missing:
        click.echo(f"not requeued (no such id, or already sent): "
                   f"{' '.join(map(str, missing))}", err=True)


@command.command("test")
@click.argument("channel")
@pass_app
def test(app, channel):
    """Send a sample alert through CHANNEL now and report the outcome, to check a URL,
    secret or login before relying on it. Nothing is written to the outbox."""
    from alerts.channels import build_channels
    from alerts.delivery import send_test
    from alerts.secrets import mask

    channels = build_channels(app.config.alerts)  # validated when the config loaded
    if channel not in channels:
        raise click.ClickException(f"no channel {channel!r}; configured: "
                                   f"{', '.join(sorted(channels))}")
    ch, outcome = asyncio.run(send_test(app.config.alerts, channel, channels=channels))
    if outcome.ok:
        parts = f" in {outcome.parts} parts" if outcome.parts > 1 else ""
        click.echo(f"ok: channel {channel!r} ({ch.describe()}) accepted the test alert{parts}"
                   f"{f' (status {outcome.status})' if outcome.status else ''}.")
        return
    kind = "permanent" if outcome.permanent else "temporary (would be retried)"
    raise click.ClickException(f"channel {channel!r} ({ch.describe()}) failed, {kind}: "
                               f"{mask(outcome.error)}")
