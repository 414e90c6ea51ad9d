"""`newswatch db`: the archive itself (``db copy``: between SQLite and PostgreSQL)."""

from __future__ import annotations

import click

from crawler.database import ArchiveUnreachable, redacted


@click.group("db")
def command():
    """The archive: move it between SQLite and PostgreSQL."""


@command.command("copy")
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
def copy(source, destination):
    """Copy the whole archive SRC into the new, empty archive DST.

    Each is an SQLite file or a postgresql:// URL: SQLite into PostgreSQL when a team
    outgrows one machine, and back. Every table is copied in one transaction and each
    table's row count is checked on both sides; DST must be empty. Stop `newswatch run`
    on SRC first, so that nothing is written during the copy.
    """
    from newswatch.storage import ArchiveMissing
    from newswatch.storage_copy import CopyError, copy_archive

    click.echo(f"copying {redacted(source)} into {redacted(destination)}")
    try:
        copied = copy_archive(source, destination)
    except (CopyError, ArchiveMissing, ArchiveUnreachable) as exc:
        raise click.ClickException(str(exc)) from None
    width = max(len(c.name) for c in copied)
    for c in copied:
        click.echo(f"  {c.name:<{width}}  {c.rows:>9,} rows")
    click.echo(f"done: {sum(c.rows for c in copied):,} rows in {len(copied)} tables, "
               f"counts checked on both sides")
