"""The zone of dates a page writes without one: the source's seed says it (default Beijing
time), the spider passes it to extraction, and `newswatch extract --timezone` sets it."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.http import HtmlResponse, Request

from crawler.extraction import extract
from crawler.extraction.dates import BEIJING
from crawler.items import Tally
from crawler.seeds import SeedError, load_source
from crawler.spiders.base import ListEntry
from crawler.spiders.html_list import HtmlListSpider
from newswatch.cli import main

# An English page of a Chinese publisher on a host that is not .cn (www.lwxsd.com).
PAGE = b"""<html><head><meta charset="utf-8"><title>Shanghai unveils AI plan</title></head>
<body><div class="info_title"><h1>Shanghai unveils AI plan</h1></div>
<div class="info_time">2025-11-06</div><div class="info_content">
<p>Shanghai has unveiled a plan to build a world-class artificial intelligence cluster by 2027.</p>
<p>The plan includes support for computing power centres and open-source model communities.</p>
</div></body></html>"""
URL = "http://www.lwxsd.com/pcen/info_view.php?VID=71315&tab=mynews"
SEED = """name = "{name}"\ntitle = "T"\nsite = "Outlook New Era"\nkind = "html"
language = "en"\nstart_urls = ["http://www.lwxsd.com/pcen/index.php"]\n{extra}
[list]\nlink = "a::attr(href)"\n"""


def _seed(tmp_path: Path, extra: str = "", name: str = "lwxsd"):
    path = tmp_path / f"{name}.toml"
    path.write_text(SEED.format(name=name, extra=extra), encoding="utf-8")
    return path


def test_without_a_zone_a_non_cn_english_page_is_read_in_utc():
    # The heuristic for arbitrary pages: only .cn hosts and Chinese text mean Beijing.
    assert extract(PAGE, URL).published == datetime(2025, 11, 6, tzinfo=timezone.utc)
    assert extract(PAGE, URL.replace("lwxsd.com", "outlooknewera.com.cn")).published == \
        datetime(2025, 11, 6, tzinfo=BEIJING)


@pytest.mark.parametrize("zone, offset", [
    ("Asia/Shanghai", 8), (BEIJING, 8), ("Europe/Paris", 1), ("UTC", 0),
    (timezone(timedelta(hours=-5)), -5)])
def test_the_callers_zone_wins(zone, offset):
    result = extract(PAGE, URL, timezone=zone)
    assert result.published == datetime(2025, 11, 6, tzinfo=timezone(timedelta(hours=offset)))
    assert result.error is None


def test_a_zone_in_the_page_is_kept_whatever_the_callers_zone():
    raw = PAGE.replace(b"2025-11-06", b"2025-11-06T09:30:00Z")
    assert extract(raw, URL, timezone="Asia/Shanghai").published == \
        datetime(2025, 11, 6, 9, 30, tzinfo=timezone.utc)


def test_an_unknown_zone_is_reported_and_the_page_still_extracted():
    result = extract(PAGE, URL, timezone="Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in result.error
    assert result.title == "Shanghai unveils AI plan"
    assert result.published == datetime(2025, 11, 6, tzinfo=timezone.utc)  # the heuristic


def test_seed_timezone_defaults_to_beijing_and_is_validated(tmp_path):
    assert load_source(_seed(tmp_path)).timezone == "Asia/Shanghai"
    assert load_source(_seed(tmp_path, 'timezone = "Europe/London"')).timezone == "Europe/London"
    with pytest.raises(SeedError) as err:
        load_source(_seed(tmp_path, 'timezone = "Beijing"'))
    assert "lwxsd.toml: field 'timezone': must be an IANA time zone name" in str(err.value)
    assert "'Beijing'" in str(err.value)
    with pytest.raises(SeedError, match="field 'timezone': must be a string"):
        load_source(_seed(tmp_path, "timezone = 8"))


@pytest.mark.parametrize("extra, hour_utc", [("", 16), ('timezone = "UTC"', 0)])
def test_the_spider_passes_the_seeds_zone_to_extraction(tmp_path, extra, hour_utc):
    spider = HtmlListSpider(source="lwxsd")
    spider.source, spider.tally = load_source(_seed(tmp_path, extra)), Tally()
    response = HtmlResponse(url=URL, body=PAGE, request=Request(URL))
    item = spider.build_item(response, ListEntry(url=URL))
    day = 5 if hour_utc == 16 else 6  # midnight Beijing time is 16:00 UTC the day before
    assert item.published == f"2025-11-0{day}T{hour_utc:02d}:00:00+00:00"


def test_extract_command_timezone_option_and_source_zone(tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    sources = tmp_path / "sources"
    sources.mkdir()
    _seed(sources, 'timezone = "Asia/Tokyo"', name="tokyo")
    monkeypatch.setenv("NEWSWATCH_SOURCES", str(sources))

    def published(*args):
        result = CliRunner().invoke(main, ["extract", "--json", "--url", URL, *args, str(page)])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["published"]

    assert published() == "2025-11-06T00:00:00+00:00"
    assert published("--timezone", "Asia/Shanghai") == "2025-11-06T00:00:00+08:00"
    assert published("--source", "tokyo") == "2025-11-06T00:00:00+09:00"
    assert published("--source", "tokyo", "--timezone", "UTC") == "2025-11-06T00:00:00+00:00"
    bad = CliRunner().invoke(main, ["extract", "--timezone", "Nowhere/City", str(page)])
    assert bad.exit_code == 2 and "--timezone" in bad.output and "Nowhere/City" in bad.output
