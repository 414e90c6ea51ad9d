"""A gzipped sitemap is decompressed only up to the download cap: a gzip bomb ends the
list with a sentence that says so, not with a crawler holding gigabytes (issue 12)."""

from __future__ import annotations

import gzip
import json
import textwrap

from crawler.seeds import load_source
from newswatch.crawl.runner import CrawlOptions, crawl_source
from newswatch.storage import open_archive
from tests.support.replay_site import replay_site

H = "www.map-bomb.example"


def test_a_gzip_bomb_sitemap_is_refused_with_its_reason(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bomb.toml").write_text(textwrap.dedent(f"""\
        name = "bomb"
        title = "bomb"
        site = "Bomb"
        kind = "sitemap"
        language = "en"
        start_urls = ["https://{H}/sitemap.xml.gz"]
        download_delay = 0
        """), encoding="utf-8")
    head = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            b'sitemap/0.9"><url><loc>https://' + H.encode() + b'/a.html</loc></url>')
    bomb = gzip.compress(head + b" " * (64 * 1024 * 1024) + b"</urlset>", compresslevel=9)
    assert len(bomb) < 1024 * 1024  # small on the wire
    with replay_site(tmp_path / "web") as site:
        site.publish(f"https://{H}/sitemap.xml.gz", bomb,
                     meta='content_type = "application/octet-stream"\n')
        result = crawl_source(load_source(seeds / "bomb.toml"),
                              CrawlOptions(db=tmp_path / "a.db", sources_dir=seeds,
                                           replay=site.url))
    assert not result.ok
    errors = " ".join(e["error"] for e in result.errors)
    assert "larger than the 10 MB cap once decompressed" in errors, result.errors
    run = open_archive(tmp_path / "a.db").execute(
        "SELECT errors FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert "once decompressed" in " ".join(e["error"] for e in json.loads(run))
