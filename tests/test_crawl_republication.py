"""A verbatim republication by another source is archived as its own row sharing the
original's body, so a topic limited to that source sees it, while the story (and so
the alert) stays one (issue 12)."""

from __future__ import annotations

import textwrap

import pytest

from alerts import matcher, stories
from alerts.query import parse
from alerts.topics import Topic
from crawler import archive
from crawler.seeds import load_source
from newswatch.crawl.runner import CrawlOptions, crawl_source
from newswatch.storage import open_archive
from tests.support.replay_site import replay_site

TITLE = "两部门印发芯片产业高质量发展行动方案"
BODY = ("近日，工业和信息化部、国家发展改革委联合印发《芯片产业高质量发展行动方案》。"
        "方案提出，到2028年，芯片设计、制造、封装测试和装备材料等环节协同发展水平显著"
        "提升，关键产品供给能力明显增强。")
PAGE = ("<html><head><meta charset='utf-8'><title>{t}</title>"
        "<meta name='PubDate' content='2026-11-0{d} 08:00'></head><body><h1>{t}</h1>"
        "<div class='content'><p>{b}</p></div></body></html>")


def seed(seeds, name, host):
    (seeds / f"{name}.toml").write_text(textwrap.dedent(f"""\
        name = "{name}"
        title = "{name}"
        site = "{name}"
        kind = "html"
        language = "zh"
        start_urls = ["https://{host}/n/"]
        [list]
        link = "a::attr(href)"
        [article]
        body = "div.content"
        """), encoding="utf-8")
    return load_source(seeds / f"{name}.toml")


def publish(site, host, day, paths):
    site.publish(f"https://{host}/n/",
                 "<ul>" + "".join(f"<li><a href='/n/{p}.html'>x</a></li>" for p in paths)
                 + "</ul>")
    for p in paths:
        title, body = (TITLE, BODY) if p == "shared" else (f"{host} 本地新闻{p}",
                                                           f"{host}的其他消息{p}。" * 8)
        site.publish(f"https://{host}/n/{p}.html", PAGE.format(t=title, d=day, b=body))


@pytest.fixture()
def crawled(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    db_path = tmp_path / "a.db"
    with replay_site(tmp_path / "web") as site:
        ministry = seed(seeds, "ministry", "ministry.example")
        daily = seed(seeds, "daily", "daily.example")
        options = CrawlOptions(db=db_path, sources_dir=seeds, replay=site.url)
        for host in ("ministry.example", "daily.example"):
            publish(site, host, 1, ["old"])
        assert crawl_source(ministry, options).ok and crawl_source(daily, options).ok
        publish(site, "ministry.example", 2, ["old", "shared"])
        assert crawl_source(ministry, options).items_new == 1
        publish(site, "daily.example", 3, ["old", "shared"])
        result = crawl_source(daily, options)
        assert result.ok and result.items_new == 1, result.errors
    return open_archive(db_path)


def test_the_republication_has_its_own_row_and_shares_the_body(crawled):
    rows = [a for a in archive.articles_after(crawled, 0, limit=100) if a["title"] == TITLE]
    assert [r["source"] for r in rows] == ["ministry", "daily"]
    original, copy = rows
    assert copy["body_of"] == original["id"] and copy["body"] == original["body"] == BODY
    assert crawled.execute("SELECT body FROM articles WHERE id = ?",
                           [copy["id"]]).fetchone()[0] is None  # one body kept
    assert copy["url"].startswith("https://daily.example/")


def test_a_topic_limited_to_the_republishing_source_sees_it_and_the_story_is_one(crawled):
    only_daily = Topic(name="daily-chips", title="", query=parse("芯片 source:daily", {}),
                       query_text="芯片 source:daily")
    anywhere = Topic(name="chips", title="", query=parse("芯片产业", {}),
                     query_text="芯片产业")
    result = matcher.run_once(crawled, [only_daily, anywhere], now=None)
    got = {(m["topic"], m["source"]) for m in result.matches}
    assert ("daily-chips", "daily") in got
    firsts = [m for m in result.matches if m["topic"] == "chips" and m["first_for_story"]]
    assert len(firsts) == 1  # one alert for the story, whichever outlet
    ids = [a["id"] for a in archive.articles_after(crawled, 0, limit=100)
           if a["title"] == TITLE]
    assert stories.story_of(crawled, ids[0]) == stories.story_of(crawled, ids[1])
