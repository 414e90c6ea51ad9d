"""Which article URLs the archive already holds, so the spiders never request them again."""

from __future__ import annotations

from pathlib import Path

from crawler import archive
from crawler.canonical import canonical_url
from crawler.database import archive_exists


class KnownArticles:
    """Looks article URLs up in the archive by canonical URL, then by (site, site id)."""

    def __init__(self, db_path: str | Path | None, site: str):
        self.site = site
        self.db = None
        if db_path and archive_exists(db_path):
            self.db = archive.connect(db_path)

    def is_known(self, url: str, site_id: str | None = None) -> bool:
        if self.db is None:
            return False
        row = self.db.execute("SELECT 1 FROM articles WHERE canonical_url = ?",
                              [canonical_url(url)]).fetchone()
        if row is None and site_id:
            row = self.db.execute("SELECT 1 FROM articles WHERE site = ? AND site_id = ?",
                                  [self.site, site_id]).fetchone()
        return row is not None

    def close(self) -> None:
        if self.db is not None:
            self.db.conn.close()
            self.db = None
