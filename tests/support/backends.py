"""Run a storage test on both archives: an SQLite file and a PostgreSQL database.

    from tests.support.backends import archive_target, postgres_server  # noqa: F401

    def test_x(archive_target):
        db = open_archive(archive_target)

``archive_target`` is parametrized ``sqlite`` (a file in the test's folder) and
``postgresql`` (a fresh database on the session's real server, skipped with the reason
where PostgreSQL is not installed).
"""

from __future__ import annotations

import pytest

from tests.support.db_servers import postgres_server  # noqa: F401  (the fixture)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def archive_target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "archive.db")
    return request.getfixturevalue("postgres_server").new_database()
