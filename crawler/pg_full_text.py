"""Full-text narrowing on PostgreSQL, for :func:`crawler.archive.full_text_ids`.

The FTS5 expression of ``alerts.fts_narrowing`` (quoted phrases, AND, OR, parentheses)
becomes ``ILIKE`` conditions over the text the ``pg_trgm`` indexes of the archive's
migrations cover (``archive.PG_ARTICLE_TEXT``, ``archive.PG_ATTACHMENT_TEXT``).
"""

from __future__ import annotations

import re

from crawler.archive import PG_ARTICLE_TEXT, PG_ATTACHMENT_TEXT, FullTextUnusable

_FTS_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\()|(\))|\b(AND|OR)\b|(\S)')


def text_condition(expression: str, column: str, params: list) -> str:
    """The FTS5 expression of ``alerts.fts_narrowing`` (quoted phrases, AND, OR and
    parentheses) as ``ILIKE`` conditions that the pg_trgm index answers; the trigram
    tokenizer is case-insensitive, and so is ILIKE."""
    out = []
    for m in _FTS_TOKEN.finditer(expression):
        phrase, opening, closing, op, other = m.groups()
        if phrase is not None:
            text = phrase.replace('""', '"')
            text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            out.append(f"{column} ILIKE ?")
            params.append(f"%{text}%")
        elif opening or closing:
            out.append(opening or closing)
        elif op:
            out.append(op)
        else:
            raise FullTextUnusable(f"cannot read {other!r} in {expression!r}")
    return " ".join(out)


# How many of the newest rows a PostgreSQL narrowing reads directly before it asks the
# trigram index (at least; four times the page asked for when that is more).
PG_RECENT_ROWS = 2000


def full_text_ids(db, expression: str, *, before_id: int | None,
                      limit: int | None) -> list[int]:
    """PostgreSQL's answer, in two steps, because the planner cannot tell a common term
    from a rare one (its estimate for ``ILIKE`` is a constant): a common term fills the
    page from the newest rows, read in id order and stopped after ``PG_RECENT_ROWS``; what
    is left is asked of the trigram index, which is fast when the term is rare (and
    only then is it still needed)."""
    found: list[int] = []
    below = before_id
    if limit is not None:
        window = max(PG_RECENT_ROWS, 4 * limit)
        params: list = []
        pages = text_condition(expression, f"({PG_ARTICLE_TEXT})", params)
        bound = "" if before_id is None else "WHERE id < ? "
        recent = db.execute(
            f"SELECT id, ({pages}) AS hit FROM (SELECT id, title, body FROM articles "
            f"{bound}ORDER BY id DESC LIMIT ?) AS recent ORDER BY id DESC",
            params + ([before_id] if before_id is not None else []) + [window]).fetchall()
        if not recent:
            return []
        below = recent[-1][0]
        hits = {r[0] for r in recent if r[1]}
        # An article may hold some of its terms only in an attachment.
        fparams: list = []
        files = text_condition(expression.replace(" AND ", " OR "),
                                   f"({PG_ATTACHMENT_TEXT})", fparams)
        hits.update(r[0] for r in db.execute(
            f"SELECT DISTINCT article_id FROM article_attachments WHERE article_id >= ? "
            f"AND article_id <= ? AND ({files})", [below, recent[0][0], *fparams]))
        found = sorted(hits, reverse=True)
        if len(found) >= limit or len(recent) < window:
            return found[:limit]
    return found + _indexed_ids(db, expression, before_id=below,
                                   limit=None if limit is None else limit - len(found))


def _indexed_ids(db, expression: str, *, before_id: int | None,
                    limit: int | None) -> list[int]:
    # MATERIALIZED: every match is wanted, so the trigram index is read, never the
    # primary key backwards with the expensive test on each row.
    branches = []
    params: list = []
    for table, key, text, expr in (
            ("articles", "id", PG_ARTICLE_TEXT, expression),
            ("article_attachments", "article_id", PG_ATTACHMENT_TEXT,
             expression.replace(" AND ", " OR "))):
        condition = text_condition(expr, f"({text})", params)
        sql = f"SELECT {key} AS id FROM {table} WHERE ({condition})"
        if before_id is not None:
            sql += f" AND {key} < ?"
            params.append(before_id)
        branches.append(sql)
    sql = (f"WITH hits AS MATERIALIZED ({' UNION '.join(branches)}) "
           f"SELECT id FROM hits ORDER BY id DESC")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [r[0] for r in db.execute(sql, params)]
