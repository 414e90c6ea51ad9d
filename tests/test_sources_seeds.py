"""The bundled real-site seeds: valid, polite per host, with the headers their sites
expect, one fixture expectation each; `newswatch sources` and `sources check`."""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from crawler import archive
from crawler.known_articles import KnownArticles
from crawler.seeds import check_sources, load_sources
from newswatch.cli import main
from newswatch.storage import open_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "sites"
MIN_HOST_GAP_S = 300  # never more often than every 5 minutes per host


def _seconds_between_runs(source) -> float:
    if source.interval_seconds is not None:
        return source.interval_seconds
    # A cron schedule: its shortest gap over a day of fire times.
    trigger = CronTrigger.from_crontab(source.schedule["cron"], timezone=timezone.utc)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    fires, prev = [], None
    while len(fires) < 200:
        nxt = trigger.get_next_fire_time(prev, now if prev is None else prev)
        if nxt is None or nxt > now + timedelta(days=1):
            break
        fires.append(nxt)
        prev = nxt + timedelta(seconds=1)
        now = prev
    gaps = [(b - a).total_seconds() for a, b in zip(fires, fires[1:])]
    return min(gaps) if gaps else 86400.0


def test_every_bundled_seed_is_valid():
    sources, problems = check_sources(SEEDS)
    assert problems == []
    assert len(sources) >= 18
    sites = {s.site for s in sources}
    for site in ("MIIT", "gov.cn", "english.gov.cn", "NDRC", "MOST", "CAC", "Xinhua",
                 "Securities Daily", "Outlook New Era", "China Daily", "People's Daily"):
        assert site in sites, f"no source for {site}"


def test_no_host_is_crawled_more_often_than_every_five_minutes():
    # Every source hitting a host adds to that host's rate: the sum must stay below one
    # crawl per five minutes.
    rate = defaultdict(float)
    for source in load_sources(SEEDS):
        urls = [*source.start_urls, *source.options.get("url_templates", [])]
        hosts = {urlsplit(u).hostname for u in urls}
        for host in hosts:
            rate[host] += 1 / _seconds_between_runs(source)
    assert rate, "no hosts"
    for host, per_second in rate.items():
        assert 1 / per_second >= MIN_HOST_GAP_S, (
            f"{host}: crawled every {1 / per_second:.0f} s, less than {MIN_HOST_GAP_S} s")


def test_feeds_and_json_lists_run_more_often_than_deep_html_lists():
    sources = load_sources(SEEDS)
    light = [s.interval_seconds for s in sources if s.kind in ("feed", "json")
             and s.spider_name in ("feed", "json")]
    deep = [s.interval_seconds for s in sources if s.kind == "html"
            and s.pagination.get("url_template")]
    assert light and deep
    assert max(light) < min(deep)


def test_miit_seeds_send_a_browser_user_agent_and_a_referer():
    miit = [s for s in load_sources(SEEDS) if s.site == "MIIT"]
    assert len(miit) == 3
    for s in miit:
        assert s.headers["User-Agent"].startswith("Mozilla/5.0"), s.name
        assert "Chrome/" in s.headers["User-Agent"]
        assert s.headers["Referer"].startswith("https://www.miit.gov.cn/"), s.name
        # www. and wap. serve the same articles: both allowed, one id pattern.
        assert {"www.miit.gov.cn", "wap.miit.gov.cn"} <= set(s.allowed_hosts)
        assert s.site_id("https://wap.miit.gov.cn/xwfb/gxdt/art/2026/art_" + "a" * 32 + ".html") \
            == "a" * 32


def test_every_seed_has_a_fixture_expectation_and_every_expectation_a_seed():
    expect = tomllib.loads((FIXTURES / "expect.toml").read_text(encoding="utf-8"))["sources"]
    names = {s.name for s in load_sources(SEEDS)}
    assert set(expect) == names
    for name, spec in expect.items():
        assert {"title", "date", "body"} <= set(spec["fields"]), name
        assert spec.get("min_articles", 1) >= 2, f"{name}: fixtures hold at least 2 articles"


def test_one_miit_article_through_www_and_wap_is_one_article(tmp_path):
    db_path = tmp_path / "a.db"
    db = open_archive(db_path)
    art = "0123456789abcdef0123456789abcdef"
    db["articles"].insert({"canonical_url": f"https://wap.miit.gov.cn/xwfb/gxdt/art/2026/art_{art}.html",
                           "url": "x", "source": "miit-gxdt-rss", "site": "MIIT", "site_id": art})
    db.conn.close()
    news = next(s for s in load_sources(SEEDS) if s.name == "miit-news")
    www = f"https://www.miit.gov.cn/xwfb/gxdt/art/2026/art_{art}.html"
    known = KnownArticles(db_path, news.site)
    try:
        assert known.is_known(www, news.site_id(www))
    finally:
        known.close()


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def test_sources_check_names_file_field_and_problem(tmp_path):
    folder = tmp_path / "sources"
    _write(folder, "good", 'name = "good"\ntitle = "G"\nsite = "S"\nkind = "feed"\n'
                           'language = "en"\nstart_urls = ["https://a.example/feed"]\n')
    _write(folder, "bad", 'name = "bad"\ntitle = "B"\nsite = "S"\nkind = "rss"\n'
                          'language = "en"\nstart_urls = ["https://a.example/"]\n')
    result = CliRunner().invoke(main, ["sources", "--sources-dir", str(folder), "check"])
    assert result.exit_code == 1
    assert "bad.toml: field 'kind': must be one of html, json, feed, sitemap, got 'rss'" \
        in result.output
    assert "1 sources valid, 1 problems" in result.output


def test_sources_check_passes_on_the_bundled_seeds():
    result = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "check"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output


def test_sources_lists_kind_schedule_language_and_last_outcome(tmp_path):
    db_path = tmp_path / "n.db"
    db = open_archive(db_path)
    db["runs"].insert({"source": "ndrc-news", "started": "2026-11-29T01:00:00+00:00",
                       "outcome": "ok", "items_found": 3})
    db["runs"].insert({"source": "ndrc-news", "started": "2026-11-29T02:00:00+00:00",
                       "outcome": "empty", "items_found": 0})
    db.conn.close()
    result = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "--db",
                                       str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in map(json.loads, result.output.splitlines())}
    assert rows["ndrc-news"]["last_outcome"] == "empty"
    assert rows["ndrc-news"]["last_run"] == "2026-11-29T02:00:00+00:00"
    assert rows["ndrc-news"]["kind"] == "html" and rows["ndrc-news"]["language"] == "zh"
    assert rows["ndrc-news"]["schedule"] == "every 30m"
    assert rows["miit-news"]["spider"] == "miit_columns"
    assert rows["outlook-new-era"]["last_outcome"] is None
    table = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "--db",
                                      str(db_path)])
    assert table.exit_code == 0
    line = next(ln for ln in table.output.splitlines() if "ndrc-news" in ln)
    assert "empty" in line and "every 30m" in line
    assert "never run" in next(ln for ln in table.output.splitlines() if "people-en" in ln)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.toml")), ids=lambda p: p.stem)
def test_seed_documents_what_is_unverified(path):
    # Every seed says in a comment what about its site was not verified (SITES.md grades).
    head = path.read_text(encoding="utf-8").split("\nname", 1)[0]
    assert "Unverified" in head or "unverified" in head.lower(), path.name
