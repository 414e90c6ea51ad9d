"""``newswatch status``: sources with their health and schedule, and the outbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import click

from crawler import times
from newswatch.cli import db_option, pass_app

WIDE_STATUS = 120  # columns from which `why` fits as a table column


def _local(ts: str | None, tz: ZoneInfo, *, due: bool = False) -> str:
    if not ts:
        return "-"
    dt = times.parse_stamp(ts)
    if dt is None:
        return ts
    now = datetime.now(timezone.utc)
    if due and dt <= now + timedelta(seconds=1):
        return "due now"
    local = dt.astimezone(tz)
    same_day = local.date() == now.astimezone(tz).date()
    return local.strftime("%H:%M:%S" if same_day else "%m-%d %H:%M")


# A source whose scheduled crawl has not started this long after it fell due is late.
LATE_AFTER_S = 5


def gather(db, sources: dict, tz: ZoneInfo, *, now: datetime | None = None,
           crawl_timeout: timedelta = timedelta(minutes=30)) -> dict:
    """Everything status shows, as plain data (also the ``--json`` output)."""
    from alerts import matcher, outbox
    from crawler import archive, runs
    from crawler.database import is_server_url
    from newswatch import health, service

    now = now or datetime.now(timezone.utc)
    db_path = db.execute("PRAGMA database_list").fetchone()[2]
    pid = service.running_pid(db_path)
    scheduler = None
    if pid is None and is_server_url(db_path):
        # A cluster's scheduler on PostgreSQL holds the advisory lock "scheduler".
        from newswatch.crawl.locks import advisory_holder

        scheduler = advisory_holder(db_path, "scheduler")
    stored = service.read_schedule(db) if pid or scheduler else {}
    starts = service.last_run_starts(db)
    midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    today = archive.new_articles_per_source(db, midnight)
    known = dict(sources)
    for name in runs.sources_with_runs(db):
        known.setdefault(name, None)
    for name in stored:  # the running service's sources (its seeds may have changed since)
        known.setdefault(name, None)
    rows = []
    for name in sorted(known):
        h = health.compute(db, name, crawl_timeout=crawl_timeout)
        if name in stored:
            next_run = stored[name]["next_run"]
        elif known[name] is not None:
            trig = service.build_trigger(known[name].schedule, tz=tz, jitter=False)
            next_run = service.first_run_time(trig, starts.get(name), now).isoformat()
        else:
            next_run = None
        late_s = None
        if name in stored and next_run and not h.running:
            behind = (now - datetime.fromisoformat(next_run)).total_seconds()
            late_s = round(behind) if behind > LATE_AFTER_S else None
        rows.append({"source": name, "state": h.state, "reason": h.reason,
                     "running": h.running, "late_s": late_s, "last_run": h.last_run,
                     "last_outcome": h.last_outcome, "last_success": h.last_success,
                     "access": h.access,
                     "next_run": next_run, "new_today": today.get(name, 0),
                     "in_seeds": known[name] is not None})
    return {"service_pid": pid, "scheduler": scheduler, "sources": rows, "outbox": outbox.counts(db),
            "matcher": {"parked": matcher.parked_count(db)}}


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@db_option
@pass_app
def command(app, as_json):
    """Show each source's health, last and next crawl, new articles today, and the outbox.

    States: ok, degraded (list selectors broke; list inference read the list, the reason
    names the seed lines to change), empty (0 items: probable redesign), blocked (a
    challenge, 403, geo-block or rate limit: "why" says which and what to do, see
    docs/crawling.md), failing
    (crawls failing in a row), stale (no new article for several normal gaps), new (no
    crawl yet). Next run comes from the running service, else from the seeds' schedule;
    "late Ns" is a due crawl of the running service still waiting for a crawl slot.
    Articles the matcher parked (matching failed 3 times) are counted at the end.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from crawler import seeds
    from crawler.database import redacted

    cfg = app.config
    tz = cfg.timezone
    good, problems = seeds.check_sources(cfg.sources_dir)
    db = app.open_db(must_exist=True)
    info = gather(db, {s.name: s for s in good}, tz,
                  crawl_timeout=timedelta(seconds=cfg.crawl_timeout))
    if cfg.cluster.enabled:
        from newswatch.cluster import cluster_status

        info["cluster"] = cluster_status(cfg.cluster)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    who = (f"service running (pid {info['service_pid']})" if info["service_pid"]
           else f"cluster scheduler running ({info['scheduler']})" if info.get("scheduler")
           else "service not running (next runs are what `newswatch run` would do)")
    console.print(f"[bold]{escape(redacted(cfg.db))}[/bold]: {who}", soft_wrap=True)
    colour = {"ok": "green", "degraded": "yellow", "empty": "yellow", "stale": "yellow", "blocked": "red",
              "failing": "red", "new": "dim"}
    # Narrow terminals (80 columns) get each source's reason below the table, whole,
    # instead of a `why` column squeezed to nothing.
    wide = console.width >= WIDE_STATUS
    table = Table(title="Sources")
    for col in ("source", "state", "last run", "outcome", "next run", "new today",
                *(("why",) if wide else ())):
        table.add_column(col, justify="right" if col == "new today" else "left",
                         no_wrap=col != "why")
    for r in info["sources"]:
        state = f"[{colour.get(r['state'], 'white')}]{r['state']}[/]"
        if r["running"]:
            state += " (crawling)"
        next_run = _local(r["next_run"], tz, due=True)
        if r["late_s"]:
            next_run = f"[red]late {r['late_s']}s[/]"
        table.add_row(r["source"], state, _local(r["last_run"], tz), r["last_outcome"] or "-",
                      next_run, str(r["new_today"]),
                      *((r["reason"] or "",) if wide else ()))
    console.print(table)
    reasons = [r for r in info["sources"] if r["reason"]]
    if reasons and not wide:
        console.print("why:")
        for r in reasons:
            console.print(f"  {escape(r['source'])}: {escape(r['reason'])}")
    box = Table(title="Outbox")
    for status in info["outbox"]:
        box.add_column(status, justify="right")
    box.add_row(*(str(n) for n in info["outbox"].values()))
    console.print(box)
    if info["matcher"]["parked"]:
        console.print(f"[red]{info['matcher']['parked']} article(s) parked by the matcher[/red] "
                      f"(matching failed 3 times; the service log says why): "
                      f"newswatch match --retry-parked")
    if "cluster" in info:
        _print_cluster(console, info["cluster"], tz)
    for p in problems:
        console.print(f"[yellow]seed problem:[/yellow] {p}")
    console.print(f"times in {cfg.timezone}")


def _print_cluster(console, cluster: dict, tz: ZoneInfo) -> None:
    """The cluster's workers, their queues and tags, and the tasks they run."""
    from rich.markup import escape
    from rich.table import Table

    if not cluster["reachable"]:
        console.print(f"[red]cluster: broker unreachable[/red]: {escape(cluster['error'])}",
                      soft_wrap=True)
        return
    if cluster["error"]:
        console.print(f"[red]cluster:[/red] {escape(cluster['error'])}", soft_wrap=True)
        return
    if not cluster["workers"]:
        console.print(f"cluster ({escape(cluster['broker'])}): [yellow]no worker answered"
                      f"[/yellow]; start one with `newswatch worker`", soft_wrap=True)
        return
    table = Table(title=f"Workers ({escape(cluster['broker'])})")
    for col in ("worker", "queues", "tags", "running"):
        table.add_column(col)
    for w in cluster["workers"]:
        running = ", ".join(
            f"{t['task']} {t['source']}" if t["source"] else t["task"] for t in w["running"])
        table.add_row(escape(w["name"]), ",".join(w["queues"]), ",".join(w["tags"]) or "-",
                      escape(running) or "idle")
    console.print(table)
