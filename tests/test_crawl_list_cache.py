"""The list-page cache revalidates but never hides an outage: a source that was fine and
then answers 500, or stops answering, is a failed run, not an ok run from the cache."""

from __future__ import annotations

from crawler import archive
from newswatch.crawl.runner import CrawlOptions, crawl_source
from tests.support.replay_site import replay_site
from tests.test_crawl_runner import build
from newswatch.storage import open_archive  # noqa: E402


def test_a_source_that_breaks_after_a_good_crawl_is_failed(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    db = tmp_path / "archive.db"
    with replay_site(tmp_path / "web") as site:
        source = build(site, seeds, "flaky", "flaky.example", 2)
        options = CrawlOptions(db=db, sources_dir=seeds, replay=site.url)
        first = crawl_source(source, options)
        assert first.outcome == "ok" and first.items_new == 2

        again = crawl_source(source, options)  # unchanged: revalidated from the cache
        assert again.outcome == "ok" and again.items_new == 0
        assert any(r.status == 304 for r in site.requests)

        site.publish("https://flaky.example/n/", "<h1>Internal error</h1>", meta="status = 500\n")
        broken = crawl_source(source, options)
        assert broken.outcome == "failed", broken
        assert any("500" in str(e) for e in broken.errors), broken.errors
        replay_url = site.url

    down = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=replay_url))
    assert down.outcome == "failed", down
    outcomes = [r["outcome"] for r in open_archive(db).query(
        "SELECT outcome FROM runs WHERE source = 'flaky' ORDER BY id")]
    assert outcomes == ["ok", "ok", "failed", "failed"]
