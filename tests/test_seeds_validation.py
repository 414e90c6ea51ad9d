"""Seed files: valid ones load; every kind of mistake names the file, the field, the problem."""

from __future__ import annotations

import textwrap

import pytest

from crawler.seeds import SeedError, check_sources, find_source, load_source, load_sources

GOOD = """
name = "ndrc-news"
title = "NDRC 新闻发布"
site = "NDRC"
kind = "html"
language = "zh"
start_urls = ["https://www.ndrc.gov.cn/xwdt/xwfb/"]
schedule = { interval = "30m" }
download_delay = 2.0
site_id_pattern = 'content_(\\d+)\\.htm'
[headers]
Referer = "https://www.ndrc.gov.cn/"
[list]
items = "ul.u-list li"
link = "a::attr(href)"
[pagination]
url_template = "https://www.ndrc.gov.cn/xwdt/xwfb/index_{page}.html"
max_pages = 3
[article]
body = "div.TRS_Editor"
"""


def write(folder, name, text):
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_seed_loads_with_defaults(tmp_path):
    s = load_source(write(tmp_path, "ndrc-news", GOOD))
    assert (s.name, s.kind, s.spider_name, s.language) == ("ndrc-news", "html", "html", "zh")
    assert s.allowed_hosts == ("www.ndrc.gov.cn",)
    assert s.interval_seconds == 1800 and s.download_delay == 2.0 and s.max_pages == 3
    assert s.headers["Referer"] == "https://www.ndrc.gov.cn/"
    assert s.site_id("https://www.ndrc.gov.cn/x/202611/content_12345.htm") == "12345"
    assert s.site_id("https://www.ndrc.gov.cn/x/other.htm") is None


@pytest.mark.parametrize("change,field,words", [
    (('kind = "html"', 'kind = "rss"'), "kind", "must be one of html, json, feed, sitemap, got 'rss'"),
    (('title = "NDRC 新闻发布"\n', ''), "title", "missing"),
    (('language = "zh"', 'language = "fr"'), "language", "must be one of zh, en"),
    (('["https://www.ndrc.gov.cn/xwdt/xwfb/"]', '["www.ndrc.gov.cn/x"]'), "start_urls[0]", "absolute http(s) URL"),
    (('{ interval = "30m" }', '{ interval = "soon" }'), "schedule.interval", "unit"),
    (('{ interval = "30m" }', '{ cron = "* *" }'), "schedule.cron", "five fields"),
    (("download_delay = 2.0", "download_delay = -1"), "download_delay", ">= 0"),
    ((r"'content_(\d+)\.htm'", "'content_(\\d+'"), "site_id_pattern", "regular expression"),
    (('link = "a::attr(href)"\n', ''), "list.link", "required for kind"),
    (("max_pages = 3", "max_pages = 0"), "pagination.max_pages", "positive integer"),
    (("index_{page}.html", "index.html"), "pagination.url_template", "{page}"),
    (('body = "div.TRS_Editor"', 'body = "x"\nbogus = "y"'), "article.bogus", "unknown key"),
    (('name = "ndrc-news"', 'name = "other"'), "name", "file name"),
])
def test_each_mistake_names_file_field_and_problem(tmp_path, change, field, words):
    path = write(tmp_path, "ndrc-news", GOOD.replace(*change))
    with pytest.raises(SeedError) as err:
        load_source(path)
    message = str(err.value)
    assert str(path) in message and f"field {field!r}" in message and words in message


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "broken", 'name = "broken"\ntitle = ')
    with pytest.raises(SeedError, match=r"broken\.toml: not valid TOML"):
        load_source(path)


def test_all_problems_of_all_files_are_collected(tmp_path):
    write(tmp_path, "ndrc-news", GOOD)
    write(tmp_path, "bad-one", 'name = "bad-one"\nkind = "rss"\n')
    write(tmp_path, "bad-two", "not toml = = =")
    sources, problems = check_sources(tmp_path)
    assert [s.name for s in sources] == ["ndrc-news"]
    assert any("bad-one.toml: field 'kind'" in p for p in problems)
    assert any("bad-one.toml: field 'start_urls'" in p for p in problems)
    assert any("bad-two.toml: not valid TOML" in p for p in problems)
    with pytest.raises(SeedError) as err:
        load_sources(tmp_path)
    assert len(err.value.problems) == len(problems) >= 5
    assert [s.name for s in load_sources(tmp_path, strict=False)] == ["ndrc-news"]


def test_unknown_source_lists_the_known_ones(tmp_path):
    write(tmp_path, "ndrc-news", GOOD)
    with pytest.raises(SeedError, match=r"unknown source 'nope'.*known: ndrc-news"):
        find_source(tmp_path, "nope")


def test_json_kind_needs_link_path(tmp_path):
    text = GOOD.replace('kind = "html"', 'kind = "json"')
    with pytest.raises(SeedError, match=r"field 'list.link_path': missing"):
        load_source(write(tmp_path, "ndrc-news", text))


def test_bundled_demo_seeds_are_valid():
    from pathlib import Path
    folder = Path(__file__).resolve().parent.parent / "seeds" / "replay-sources"
    assert {s.name for s in load_sources(folder)} == {
        "demo-mii-news", "demo-policy-api", "demo-harbour-feed"}
