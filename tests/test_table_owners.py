"""A table is read and written only through the package that owns it (issue 12).

Every SQL text in the application's code names tables (``FROM``, ``JOIN``, ``INTO``,
``UPDATE``, ``TABLE``, sqlite-utils' ``db["name"]``); each must belong to the module's
own package. Other packages call the owner's functions (``crawler.archive``,
``crawler.runs``, ``alerts.outbox``, ...). Every table of a fully migrated archive must
have an owner here, so a new table cannot slip past the rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from newswatch.storage import open_archive

ROOT = Path(__file__).resolve().parent.parent

OWNERS = {
    "crawler": {"sources", "runs", "articles", "articles_fts", "article_attachments",
                "article_attachments_fts"},
    "alerts": {"stories", "story_members", "story_signatures", "story_fingerprints",
               "topic_state", "matches", "match_failures",
               "cursors", "outbox", "attempts"},
    "newswatch.health": {"source_health", "health_changes"},
    "newswatch.service": {"service_schedule", "service_requests"},
    "newswatch.web": {"web_users", "web_feeds"},
}
OWNER_OF = {table: owner for owner, tables in OWNERS.items() for table in tables}
_SQL = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?)\s+["`]?(\w+)'
                  r'|\bdb\[\s*["\'](\w+)["\']\s*\]|\.table\(\s*["\'](\w+)')


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_no_package_runs_sql_on_another_packages_tables():
    wrong = []
    for package in ("crawler", "alerts", "newswatch"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module(path)
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for m in _SQL.finditer(line):
                    table = next(g for g in m.groups() if g)
                    owner = OWNER_OF.get(table)
                    if owner and not (module == owner or module.startswith(owner + ".")):
                        wrong.append(f"{path.relative_to(ROOT)}:{n}: {table} belongs to "
                                     f"{owner}: {line.strip()}")
    assert not wrong, "\n".join(wrong)


def test_every_table_of_the_archive_has_an_owner(tmp_path):
    db = open_archive(tmp_path / "a.db")
    names = set(db.table_names())
    shadow = {f"{t}_{part}" for t in names for part in ("config", "data", "idx", "docsize",
                                                         "content")}  # FTS5's own tables
    tables = {t for t in names - shadow if not t.startswith(("_sqlite", "sqlite_"))}
    assert not tables - set(OWNER_OF), f"tables without an owner: {tables - set(OWNER_OF)}"
