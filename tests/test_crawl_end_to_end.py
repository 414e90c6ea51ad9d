"""End to end: `newswatch crawl` over a local fixture web of five kinds of source, then an
unchanged re-crawl (nothing new, no article requested), then one new article."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crawler import archive
from tests.support import crawl_site
from tests.support.crawl_site import ARTICLES, SOURCES, A
from tests.support.replay_site import replay_site
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import BACKENDS, postgres_server  # noqa: F401

ARTICLE_PATHS = {"/" + p.url.split("://", 1)[1] for p in ARTICLES}


def crawl(db, seeds, replay_url, *args):
    env = {**os.environ, "NEWSWATCH_CONFIG": "", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "newswatch", "crawl", "--db", str(db), "--sources-dir",
         str(seeds), "--replay", replay_url, "--jobs", "5", *args],
        capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture(scope="module", params=BACKENDS)
def web(request, tmp_path_factory):
    # A site per backend: test_unchanged_recrawl_then_one_new_article publishes on it.
    root = tmp_path_factory.mktemp("web")
    root.joinpath("backend").write_text(request.param)
    crawl_site.build_site(root / "site")
    seeds = crawl_site.write_seeds(root / "seeds")
    with replay_site(root / "site") as site:
        yield root, seeds, site


@pytest.fixture(scope="module")
def first(request, web):
    root, seeds, site = web
    db = (root / "archive.db" if root.joinpath("backend").read_text() == "sqlite"
          else request.getfixturevalue("postgres_server").new_database())
    result = crawl(db, seeds, site.url)
    return db, result


def rows(db):
    conn = open_archive(db)
    return {r["canonical_url"]: dict(r) for r in conn.query("SELECT * FROM articles")}


def test_first_crawl_archives_every_article_of_every_kind(first):
    db, result = first
    assert result.returncode == 0, result.stdout + result.stderr
    stored = rows(db)
    assert set(stored) == {p.url for p in ARTICLES}
    for name in SOURCES:
        assert f"{name}: ok" in result.stdout


@pytest.mark.parametrize("page", ARTICLES, ids=[p.url.rsplit("/", 1)[1] for p in ARTICLES])
def test_rows_field_by_field(first, page):
    db, _ = first
    row = rows(db)[page.url]
    assert row["url"] == page.url
    assert row["source"] == page.source
    assert row["title"] == page.title
    assert row["published"] == page.published
    assert row["published_text"]
    assert row["date_source"]
    assert page.body[:30] in row["body"]
    assert "版权所有" not in row["body"] and "Copyright" not in row["body"]
    assert row["lang"] == ("en" if page.url.startswith(("https://news.", "https://www.map"))
                           else "zh")
    assert row["content_hash"] == archive.content_hash(row["title"], row["body"])
    assert row["baseline"] == 1
    assert row["first_seen_run"]
    assert row["fetched"].endswith("+00:00")
    assert json.loads(row["field_sources"])["title"]
    if page.original_source:
        assert row["original_source"] == page.original_source
    if page.author:
        assert row["author"] == page.author


def test_site_ids_and_encodings(first):
    db, _ = first
    stored = rows(db)
    assert stored[f"https://{A}/xwfb/2026/art_0003.html"]["site_id"] == "0003"
    assert stored["https://data.portal-b.example/zhengce/content_7002.htm"]["site_id"] == "7002"
    gbk = [r for r in stored.values() if r["source"] == "gbk-news"]
    assert {r["encoding"].lower() for r in gbk} <= {"gb18030", "gbk", "gb2312"}


def test_runs_and_sources_are_recorded(first):
    db, _ = first
    conn = open_archive(db)
    runs = {r["source"]: dict(r) for r in conn.query("SELECT * FROM runs")}
    assert set(runs) == set(SOURCES)
    a = runs["mofa-news"]
    assert (a["outcome"], a["pages"], a["items_found"], a["items_new"]) == ("ok", 3, 6, 6)
    assert a["baseline"] == 1 and a["finished"] and a["requests"] >= 9
    assert json.loads(a["errors"]) == []
    sources = {r["name"]: dict(r) for r in conn.query("SELECT * FROM sources")}
    assert all(s["last_outcome"] == "ok" and s["first_run_id"] for s in sources.values())


def test_unchanged_recrawl_then_one_new_article(first, web):
    db, _ = first
    root, seeds, site = web
    site.clear_log()
    second = crawl(db, seeds, site.url)
    assert second.returncode == 0, second.stdout + second.stderr
    requested = site.paths()
    assert not ARTICLE_PATHS & set(requested), requested
    assert len(rows(db)) == len(ARTICLES)
    list_requests = [r for r in site.requests if not r.path.endswith("robots.txt")]
    # Only the first list page of each source, revalidated: 304s, no body.
    assert all(r.conditional and r.status == 304 for r in list_requests), list_requests
    assert f"/{A}/xwfb/index_1.html" not in requested  # pagination stopped on page 1
    conn = open_archive(db)
    last = {r["source"]: dict(r) for r in conn.query(
        "SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY source)")}
    assert all(r["items_new"] == 0 and r["baseline"] == 0 for r in last.values())
    assert last["mofa-news"]["items_known"] == 2

    # Publish a seventh article at the top of source A's first list page.
    new_url = f"https://{A}/xwfb/2026/art_0007.html"
    page = crawl_site.Page("mofa-news", new_url, "外交动态第7期：新的合作", "2026-11-18 10:00",
                           "2026-11-18T02:00:00+00:00", crawl_site._zh_body(7, "新合作"))
    site.publish(new_url, crawl_site._gov_article(page))
    arts = [page, *reversed(crawl_site.by_source("mofa-news"))]
    site.publish(f"https://{A}/xwfb/", crawl_site._list_page_a(arts[:3], "index_1.html", True))
    site.clear_log()
    third = crawl(db, seeds, site.url, "mofa-news")
    assert third.returncode == 0, third.stdout + third.stderr
    assert set(site.paths()) & ARTICLE_PATHS == set()
    assert f"/{A}/xwfb/2026/art_0007.html" in site.paths()
    stored = rows(db)
    assert len(stored) == len(ARTICLES) + 1
    new = stored[new_url]
    assert new["title"] == page.title and new["published"] == page.published
    assert new["baseline"] == 0
