"""The archive pipeline: dedupe each article in layers, then store it.

Dedupe order (docs/architecture.md): canonical URL, then (site, site id), then the
content hash of the normalised text from the same source and site. The same text
published by another source or site is a republication: it is stored as its own row
(its source, site, URL and times, so a topic limited to that source and the story
clusters see it) sharing the original's body (``body`` NULL, ``body_of`` the original's
id). The check and the insert run in one ``BEGIN IMMEDIATE`` transaction, so two crawls
writing at once never store one article twice and never hit "database is locked".
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from scrapy.exceptions import DropItem

from crawler import archive
from crawler.extensions.progress import emit
from crawler.database import archive_exists
from crawler.items import ArticleItem

_JSON_FIELDS = ("attachments", "field_sources", "extra")
_REFRESHED = ("url", "title", "published", "published_text", "date_source", "author",
              "editor", "original_source", "doc_number", "body", "lang", "attachments",
              "encoding", "content_hash", "fetched", "field_sources", "extra")


def find_duplicate(db, row: dict) -> tuple[int, str] | None:
    """The id of an archived article this row duplicates, and which key matched."""
    found = db.execute("SELECT id FROM articles WHERE canonical_url = ?",
                       [row["canonical_url"]]).fetchone()
    if found:
        return found[0], "canonical_url"
    if row.get("site_id"):
        found = db.execute("SELECT id FROM articles WHERE site = ? AND site_id = ?",
                           [row["site"], row["site_id"]]).fetchone()
        if found:
            return found[0], "site_id"
    if row.get("content_hash"):
        found = db.execute("SELECT id FROM articles WHERE content_hash = ? AND source = ? "
                           "AND site IS ?", [row["content_hash"], row["source"],
                                             row.get("site")]).fetchone()
        if found:
            return found[0], "content_hash"
    return None


def shared_body_of(db, row: dict) -> int | None:
    """The article (of another source or site) whose text this row repeats verbatim."""
    if not row.get("content_hash"):
        return None
    found = db.execute("SELECT COALESCE(body_of, id) FROM articles WHERE content_hash = ? "
                       "ORDER BY id LIMIT 1", [row["content_hash"]]).fetchone()
    return found[0] if found else None


def article_row(item: ArticleItem, *, run_id: int | None, baseline: bool) -> dict:
    row = item.to_dict()
    row.pop("files")  # attachments have their own table (archive.store_attachments)
    row["content_hash"] = archive.content_hash(item.title, item.body)
    row["first_seen_run"] = run_id
    row["baseline"] = 1 if baseline else 0
    for key in _JSON_FIELDS:
        row[key] = json.dumps(row[key], ensure_ascii=False)
    return row


class ArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSWATCH_DB")
        self.dry_run = crawler.settings.getbool("NEWSWATCH_DRY_RUN")
        self.refresh = crawler.settings.getbool("NEWSWATCH_REFRESH")
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        if not self.dry_run or archive_exists(self.db_path):
            self.db = archive.connect(self.db_path)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.conn.close()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        spider = self.crawler.spider
        tally = spider.tally
        row = article_row(item, run_id=getattr(spider, "run_id", None),
                          baseline=getattr(spider, "baseline", True))
        if self.dry_run:
            duplicate = find_duplicate(self.db, row) if self.db is not None else None
            if duplicate:
                tally.items_known += 1
            else:
                tally.items_new += 1
            emit({"event": "item", "source": item.source, "would_store": not duplicate,
                  "duplicate_of": duplicate[0] if duplicate else None, **item.to_dict(),
                  "files": [_file_summary(f) for f in item.files]})
            return item
        try:
            duplicate = self._store(row, item.files)
        except sqlite3.Error as exc:  # one bad row must not end the crawl
            tally.items_failed += 1
            tally.error(item.url, f"could not store: {type(exc).__name__}: {exc}")
            raise DropItem(str(exc)) from None
        if duplicate is None:
            tally.items_new += 1
        else:
            tally.items_known += 1
        return item

    def _store(self, row: dict, files: list[dict]) -> tuple[int, str] | None:
        """Insert the row (and its attachments) unless it duplicates one; return the
        duplicate, if any."""
        with archive.immediate(self.db):
            duplicate = find_duplicate(self.db, row)
            if duplicate is None:
                original = shared_body_of(self.db, row)
                if original is not None:  # one body kept; the row records who published
                    row = {**row, "body": None, "body_of": original}
                # Plain SQL: sqlite-utils' insert() introspects the schema on every call.
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                cursor = self.db.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})",
                                         list(row.values()))
                if files:
                    archive.store_attachments(self.db, cursor.lastrowid, files)
            elif self.refresh and duplicate[1] == "canonical_url":
                self.db["articles"].update(duplicate[0], {k: row[k] for k in _REFRESHED})
                if files:
                    archive.store_attachments(self.db, duplicate[0], files)
        return duplicate


def _file_summary(record: dict) -> dict:
    """An attachment record for a dry run's item line: its text cut to a preview."""
    text = record.get("text") or ""
    return {**{k: v for k, v in record.items() if k != "text"}, "chars": len(text),
            "text_preview": text[:200]}
