"""``newswatch status``: sources with their health and schedule, and the outbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import click

from newswatch.cli import db_option, pass_app


def _local(ts: str | None, tz: ZoneInfo, *, due: bool = False) -> str:
    if not ts:
        return "-"
    dt = datetime.fromisoformat(ts)
    dt = dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    if due and dt <= now + timedelta(seconds=1):
        return "due now"
    local = dt.astimezone(tz)
    same_day = local.date() == now.astimezone(tz).date()
    return local.strftime("%H:%M:%S" if same_day else "%m-%d %H:%M")


def gather(db, sources: dict, tz: ZoneInfo, *, now: datetime | None = None) -> dict:
    """Everything status shows, as plain data (also the ``--json`` output)."""
    from alerts import outbox
    from newswatch import health, instance_lock, service_state
    from newswatch.schedule import build_trigger, first_run_time

    now = now or datetime.now(timezone.utc)
    db_path = db.execute("PRAGMA database_list").fetchone()[2]
    pid = instance_lock.running_pid(db_path)
    stored = service_state.read_schedule(db) if pid else {}
    starts = service_state.last_run_starts(db)
    midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    today = {r["source"]: r["n"] for r in db.query(
        "SELECT source, COUNT(*) AS n FROM articles WHERE fetched >= ? AND baseline = 0 "
        "GROUP BY source", [midnight.astimezone(timezone.utc).isoformat()])}
    known = dict(sources)
    for r in db.query("SELECT DISTINCT source FROM runs"):
        known.setdefault(r["source"], None)
    rows = []
    for name in sorted(known):
        h = health.compute(db, name)
        if name in stored:
            next_run = stored[name]["next_run"]
        elif known[name] is not None:
            trig = build_trigger(known[name].schedule, tz=tz, jitter=False)
            next_run = first_run_time(trig, starts.get(name), now).isoformat()
        else:
            next_run = None
        rows.append({"source": name, "state": h.state, "reason": h.reason,
                     "running": h.running, "last_run": h.last_run,
                     "last_outcome": h.last_outcome, "last_success": h.last_success,
                     "access": h.access,
                     "next_run": next_run, "new_today": today.get(name, 0),
                     "in_seeds": known[name] is not None})
    return {"service_pid": pid, "sources": rows, "outbox": outbox.counts(db)}


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@db_option
@pass_app
def command(app, as_json):
    """Show each source's health, last and next crawl, new articles today, and the outbox.

    States: ok, empty (0 items: probable redesign), blocked (a challenge, 403, geo-block or
    rate limit: "why" says which and what to do, see docs/crawling.md), failing
    (crawls failing in a row), stale (no new article for several normal gaps), new (no
    crawl yet). Next run comes from the running service, else from the seeds' schedule.
    """
    from rich.console import Console
    from rich.table import Table

    from crawler import seeds
    from newswatch import service_steps

    cfg = app.config
    tz = ZoneInfo(cfg.timezone)
    good, problems = seeds.check_sources(cfg.sources_dir)
    db = service_steps.open_archive(cfg.db)
    info = gather(db, {s.name: s for s in good}, tz)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    who = (f"service running (pid {info['service_pid']})" if info["service_pid"]
           else "service not running (next runs are what `newswatch run` would do)")
    console.print(f"[bold]{cfg.db}[/bold]: {who}", soft_wrap=True)
    colour = {"ok": "green", "empty": "yellow", "stale": "yellow", "blocked": "red",
              "failing": "red", "new": "dim"}
    table = Table(title="Sources")
    for col in ("source", "state", "last run", "outcome", "next run", "new today", "why"):
        table.add_column(col, justify="right" if col == "new today" else "left",
                         no_wrap=col != "why")
    for r in info["sources"]:
        state = f"[{colour.get(r['state'], 'white')}]{r['state']}[/]"
        if r["running"]:
            state += " (crawling)"
        table.add_row(r["source"], state, _local(r["last_run"], tz), r["last_outcome"] or "-",
                      _local(r["next_run"], tz, due=True), str(r["new_today"]), r["reason"] or "")
    console.print(table)
    box = Table(title="Outbox")
    for status in info["outbox"]:
        box.add_column(status, justify="right")
    box.add_row(*(str(n) for n in info["outbox"].values()))
    console.print(box)
    for p in problems:
        console.print(f"[yellow]seed problem:[/yellow] {p}")
    console.print(f"times in {cfg.timezone}")
