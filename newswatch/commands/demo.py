"""``newswatch demo``: see newswatch work, offline, in under a minute."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--dir", "workdir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="Folder for the demo's database, site copy and config "
                                  "(default: a new temporary folder).")
@click.option("--interval", type=click.FloatRange(min=1), default=3.0, show_default=True,
              metavar="SECONDS", help="How often the demo service crawls each source.")
def command(workdir, interval):
    """Run the service offline against two made-up sites and show alerts arriving.

    Starts a local replay server over seeds/demo/ and a webhook receiver, runs
    `newswatch run` on a temporary database, lets the baseline crawl finish (no alerts),
    publishes new articles (a ministry story and its republication by a daily among
    them) and prints each alert the receiver gets: one per story, with "also published
    by". Then stops the service and prints where the database is. Needs no network.
    """
    from newswatch.demo.walkthrough import run_demo

    raise SystemExit(run_demo(workdir, interval=interval, echo=click.echo))
