"""Imports every alerts module that owns tables, so that ``crawler.archive.connect``
applies their ``Migrations`` sets (each module calls ``archive.register_migrations``).

Add a line here when a new alerts module gets tables of its own.
"""

import alerts.matcher  # noqa: E402,F401  (matches, topic_state, cursors)
import alerts.outbox  # noqa: E402,F401  (outbox, attempts)
import alerts.stories  # noqa: E402,F401  (stories, story_members, story_signatures, cursors)
