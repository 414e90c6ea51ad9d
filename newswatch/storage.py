"""The one way the application opens the archive: every package's tables, migrated.

``open_archive(target)`` opens an SQLite file or, for a ``postgresql://`` URL, that
PostgreSQL database (:mod:`crawler.postgres`); either way it applies the crawler's
migrations, the alerts' and the service's (health, schedule) and the web interface's
(accounts, feeds), named here explicitly. A read-only command passes ``must_exist=True``:
a database that is not there is an error, not a new empty file.
"""

from __future__ import annotations

from pathlib import Path

from crawler.database import archive_exists


class ArchiveMissing(FileNotFoundError):
    """The archive a read-only command was pointed at does not exist."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        super().__init__(f"no archive at {self.path} (crawl first, or pass --db PATH)")


def open_archive(path: str | Path, *, must_exist: bool = False):
    from alerts import schema as alerts_schema
    from crawler import archive
    from newswatch.health import states as health_states
    from newswatch.service import state as service_state
    from newswatch.web import accounts as web_accounts

    if must_exist and not archive_exists(path):
        raise ArchiveMissing(path)
    return archive.connect(path, extra=(*alerts_schema.MIGRATIONS, health_states.migrations,
                                        service_state.migrations, web_accounts.migrations))
