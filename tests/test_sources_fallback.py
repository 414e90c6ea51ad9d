"""When a redesign breaks a seed's list selectors, the crawl infers the list, archives the
new articles (known ones dedupe), is marked `degraded`, and health queues one ops notice
naming the selectors to use instead."""

from __future__ import annotations

import json

import pytest

from alerts import outbox, schema
from crawler import archive
from crawler.seeds import find_source
from newswatch import health
from newswatch.health import notices as ops_alerts
from newswatch.crawl.runner import CrawlOptions, crawl_source
from newswatch.storage import open_archive
from tests.support.list_site import write_seed, write_site
from tests.support.replay_site import replay_site


assert schema  # imported for its tables: the outbox lives in the archive file


def _crawl(site, db, seeds):
    source = find_source(seeds, "gxt-notices")
    return crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url,
                                             timeout=120))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    seeds = tmp_path_factory.mktemp("seeds")
    db = tmp_path_factory.mktemp("db") / "archive.db"
    write_seed(seeds)
    results = []
    with replay_site(root) as site:
        write_site(root, [6, 5, 4, 3, 2, 1])
        results.append(_crawl(site, db, seeds))  # the seed works: ok, baseline
        write_site(root, [8, 7, 6, 5, 4, 3, 2, 1], redesigned=True)
        results.append(_crawl(site, db, seeds))  # the redesign: two new articles
        conn = open_archive(db)
        h = health.compute(conn, "gxt-notices")
        change = health.record(conn, h)
        queued = ops_alerts.send_pending(conn, "console")
        results.append(_crawl(site, db, seeds))  # still degraded, nothing new
        h2 = health.compute(conn, "gxt-notices")
        change2 = health.record(conn, h2)
        queued2 = ops_alerts.send_pending(conn, "console")
    yield {"results": results, "db": conn, "health": h, "change": change, "queued": queued,
           "change2": change2, "queued2": queued2}
    conn.conn.close()


def test_the_seed_crawls_ok_before_the_redesign(runs):
    first = runs["results"][0]
    assert first.outcome == "ok" and first.items_new == 6


def test_a_redesign_is_crawled_through_the_fallback_and_marked_degraded(runs):
    second = runs["results"][1]
    assert second.outcome == "degraded", second.errors
    assert second.items_new == 2  # the six known articles dedupe by URL and site id
    rows = list(runs["db"].query("SELECT canonical_url, first_seen_run FROM articles"))
    assert len(rows) == 8
    run = next(runs["db"].query("SELECT * FROM runs WHERE id = ?", [second.run_id]))
    fallback = json.loads(run["fallback"])
    assert fallback["list"]["items"].startswith("div.news-list")
    assert fallback["list"]["date"] == "em.d::text"
    assert fallback["seed_items"] == 0
    assert any(e["error"].startswith("degraded:") for e in second.errors)


def test_health_is_degraded_and_says_which_selectors_to_use(runs):
    h = runs["health"]
    assert h.state == "degraded"
    assert 'items = "div.news-list > div"' in h.reason and "link = " in h.reason


def test_one_ops_notice_per_change_not_per_crawl(runs):
    assert runs["change"] is not None and runs["change"].new_state == "degraded"
    assert runs["queued"] == 1
    third = runs["results"][2]
    assert third.outcome == "degraded" and third.items_new == 0
    assert runs["change2"] is None and runs["queued2"] == 0
    notices = outbox.list_rows(runs["db"])
    assert len(notices) == 1 and "div.news-list" in notices[0]["payload"]


def test_a_page_that_still_lists_nothing_stays_empty(tmp_path):
    root, seeds, db = tmp_path / "web", tmp_path / "seeds", tmp_path / "a.db"
    write_seed(seeds)
    page = root / "www.gxt.example.cn" / "zwdt" / "tzgg" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开"
                    "</a></div><p>暂无信息</p></body></html>", encoding="utf-8")
    with replay_site(root) as site:
        result = _crawl(site, db, seeds)
    assert result.outcome == "empty"
