"""The pieces of the custom spiders that read what TOML cannot: MIIT's shell and API
answers, Xinhua's channel pages, and page selectors for site ids and extras."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import HtmlResponse

from crawler.page_fields import page_fields, select_value
from crawler.spiders.miit import beijing_text, shell_query, unit_url
from crawler.spiders.xinhua import datasource_ids

SITES = Path(__file__).resolve().parent / "fixtures" / "sites"


def _page(url: str, path: Path) -> HtmlResponse:
    return HtmlResponse(url=url, body=path.read_bytes())


def test_the_shell_names_the_unit_api_and_its_page_id():
    shell = _page("https://www.miit.gov.cn/xwfb/szyw/index.html",
                  SITES / "www.miit.gov.cn/xwfb/szyw/index.html")
    api, fields = shell_query(shell)
    assert api == "https://www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert fields["webId"] == "8d828e408d90447786ddbe128d495e9e"
    assert fields["tplSetId"] == "209741b2109044b5b7695700b2bec37e"
    assert len(fields["pageId"]) == 32
    query = dict(parse_qsl(urlsplit(unit_url(api, fields, 2)).query))
    assert json.loads(query["paramJson"]) == {"pageNo": 2, "pageSize": "24"}
    assert query["pageId"] == fields["pageId"] and query["tagId"] == "右侧内容"


def test_a_shell_without_its_script_names_nothing():
    page = HtmlResponse(url="https://www.miit.gov.cn/xwfb/szyw/index.html",
                        body="<html><body><div id='app'></div></body></html>".encode())
    assert shell_query(page) is None
    broken = HtmlResponse(url="https://www.miit.gov.cn/x/", body=(
        b"<script parseType=\"buildstatic\" url=\"/api\" queryData=\"{'webId':\"></script>"))
    assert shell_query(broken) is None


def test_epoch_milliseconds_become_beijing_wall_time():
    assert beijing_text(1763539200000) == "2025-11-19 16:00:00"
    assert beijing_text("1763539200000") == "2025-11-19 16:00:00"
    assert beijing_text("2026-11-19") == "2026-11-19"
    assert beijing_text(None) is None


def test_xinhua_channel_pages_name_their_datasource():
    page = _page("https://www.news.cn/xhsxw.htm", SITES / "www.news.cn/xhsxw.htm")
    ids = datasource_ids(page)
    assert ids[0] == "2a4a4b4bb1b14e63a1d6bf0bd9d0b6f6"  # the main list before the sidebar's
    assert len(ids) == 2


def test_page_selectors_read_gov_cn_ids_and_the_policy_table():
    url = "https://www.gov.cn/zhengce/content/202611/content_7051234.htm"
    page = _page(url, SITES / "www.gov.cn/zhengce/content/202611/content_7051234.htm")
    table = "xpath://table[contains(@class,'bd1')]//td[contains(., '{}')]/following-sibling::td[1]"
    found = page_fields(page, {
        "site_id": "meta[name=manuscriptId]::attr(content)",
        "doc_number": table.format("发文字号"),  # extraction's, not read here
        "title": "div.share-title",  # extraction's, not read here
        "extra": {"issuing_body": table.format("发文机关"), "absent": "div.nothing-here"}})
    assert found == {"site_id": "7051234", "extra": {"issuing_body": "国务院"}}


def test_a_selected_value_loses_its_label_and_extra_space():
    page = HtmlResponse(url="https://x.example/", body=(
        "<div class='n'>发文字号：\n  工信部联规〔2026〕31号 </div>".encode()), encoding="utf-8")
    assert select_value(page, "div.n") == "工信部联规〔2026〕31号"
    assert select_value(page, "div.none") is None
