"""``newswatch db copy SRC DST``: move a whole archive between SQLite and PostgreSQL.

Every table of every package is copied row for row, in one transaction on the
destination, after its migrations have created the same tables there; each table's count
is then checked on both sides. The destination must be empty: a copy never merges two
archives. Full-text indexes are not copied but rebuilt by the destination (SQLite's FTS5
triggers, PostgreSQL's trigram index), and identity counters are moved past the copied ids.

A storage-level operation, like opening the archive: it names no table, but copies those
that both sides' migrations created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.database import is_postgres, redacted

BATCH = 1000
# Children after their parents (article_attachments references articles).
_LAST = ("article_attachments",)


class CopyError(Exception):
    """The copy could not be made; the message names the database and the table."""


@dataclass
class TableCopy:
    name: str
    rows: int


def _tables(db) -> list[str]:
    names = [t for t in db.table_names() if not t.startswith(("sqlite_", "_sqlite"))]
    fts = {t for t in names if t.endswith("_fts")}
    shadow = {t for t in names for f in fts if t.startswith(f + "_")}
    return [t for t in names if t not in fts | shadow]


def _count(db, table: str) -> int:
    return db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def _columns(db, table: str) -> list[str]:
    return list(db[table].columns_dict)


def _batches(db, sql: str):
    """The rows of ``sql`` in lists of ``BATCH``, never all in memory: SQLite's cursor
    steps through the table; on PostgreSQL a server-side cursor does."""
    if is_postgres(db):
        yield from db.batches(sql, BATCH)
        return
    cur = db.execute(sql)
    while rows := cur.fetchmany(BATCH):
        yield rows


def _insert_many(db, table: str, columns: list[str], rows: list[tuple]) -> None:
    sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
           f"VALUES ({', '.join('?' for _ in columns)})")
    if is_postgres(db):
        db.executemany(sql, rows)
    else:
        db.conn.executemany(sql, rows)


def copy_archive(source: str, destination: str, *,
                 progress: Callable[[str, int], None] | None = None) -> list[TableCopy]:
    """Copy the archive at ``source`` into the empty archive at ``destination``."""
    from newswatch.storage import open_archive

    if str(source) == str(destination):
        raise CopyError("source and destination are the same archive")
    src = open_archive(source, must_exist=True)
    dst = open_archive(destination)
    try:
        src_tables, dst_tables = _tables(src), set(_tables(dst))
        missing = [t for t in src_tables if t not in dst_tables]
        if missing:
            raise CopyError(f"{redacted(destination)}: has no table {', '.join(missing)} "
                            f"(is it a newer or older newswatch?)")
        busy = [t for t in dst_tables if _count(dst, t)]
        if busy:
            raise CopyError(f"{redacted(destination)}: not empty ({', '.join(sorted(busy))} "
                            f"have rows); copy into a new, empty archive")
        order = [t for t in src_tables if t not in _LAST] + [t for t in _LAST if t in src_tables]
        copied: list[TableCopy] = []
        dst.execute("BEGIN")
        try:
            for table in order:
                wanted = set(_columns(dst, table))
                columns = [c for c in _columns(src, table) if c in wanted]
                quoted = ", ".join(f'"{c}"' for c in columns)
                n = 0
                for rows in _batches(src, f'SELECT {quoted} FROM "{table}"'):
                    try:
                        _insert_many(dst, table, columns, [tuple(r) for r in rows])
                    except Exception as exc:
                        raise CopyError(f"{redacted(destination)}: table {table}: "
                                        f"{type(exc).__name__}: {exc}") from exc
                    n += len(rows)
                    if progress:
                        progress(table, n)
                copied.append(TableCopy(table, n))
            if is_postgres(dst):
                _move_identities(dst, order)
        except BaseException:
            dst.execute("ROLLBACK")
            raise
        dst.execute("COMMIT")
        for c in copied:
            there = _count(dst, c.name)
            if there != _count(src, c.name) or there != c.rows:
                raise CopyError(f"table {c.name}: {c.rows} row(s) copied but "
                                f"{redacted(destination)} holds {there}")
        return copied
    finally:
        src.conn.close()
        dst.conn.close()


def _move_identities(db, tables: list[str]) -> None:
    """After explicit ids were copied, each identity counter continues past the highest."""
    for table, column in db.identity_columns().items():
        if table in tables:
            db.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), "
                       f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)',
                       [f'"{table}"', column])
