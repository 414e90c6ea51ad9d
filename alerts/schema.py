"""The alerts package's tables, and the one way alerts code opens an archive with them.

``MIGRATIONS`` lists the migration set of every alerts module that owns tables; add one
here when a new module gets tables of its own. ``newswatch.storage.open_archive`` applies
these beside the crawler's and the service's.
"""

from __future__ import annotations

from pathlib import Path

from alerts import matcher, outbox, stories
from crawler import archive

MIGRATIONS = (
    stories.migrations,  # stories, story_members, story_signatures, cursors
    matcher.migrations,  # matches, topic_state, cursors
    outbox.migrations,  # outbox, attempts
)


def connect(path: str | Path):
    """The archive at ``path`` with the crawler's and the alerts' tables migrated."""
    return archive.connect(path, extra=MIGRATIONS)
