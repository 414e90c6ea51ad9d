"""Every date form issue 3 lists, and how the publication date is chosen among them."""

from datetime import datetime, timedelta, timezone

import pytest

from crawler.extraction import extract
from crawler.extraction.dates import BEIJING, find_dates, parse_date
from crawler.extraction.published import url_date

NOW = datetime(2025, 11, 4, 12, 0, tzinfo=timezone.utc)  # 20:00 in Beijing


def bj(*args):
    return datetime(*args, tzinfo=BEIJING)


@pytest.mark.parametrize("text, expected", [
    ("2025-11-04 09:30", bj(2025, 11, 4, 9, 30)),                       # PubDate meta
    ("2025-11-04-09:30:15", bj(2025, 11, 4, 9, 30, 15)),                # gov.cn firstpublishedtime
    ("2025-11-04 09:30:15", bj(2025, 11, 4, 9, 30, 15)),                # older gov.cn form
    ("2025年11月04日 09:30", bj(2025, 11, 4, 9, 30)),
    ("2019年06月15日08:18", bj(2019, 6, 15, 8, 18)),
    ("2025年11月4日", bj(2025, 11, 4)),
    ("发布时间：2026-09-09 08:05", bj(2026, 9, 9, 8, 5)),
    ("2019-09-26 12:11来源：新华社", bj(2019, 9, 26, 12, 11)),
    ("2025/11/04", bj(2025, 11, 4)),                                     # NDRC lists
    ("2025.11.04", bj(2025, 11, 4)),
    ("19-09-26 12:11", bj(2019, 9, 26, 12, 11)),                         # two-digit year
    ("25年11月4日", bj(2025, 11, 4)),
    ("二〇二五年十一月四日", bj(2025, 11, 4)),                             # 成文日期 in documents
    ("2025-11-04T09:30:00+08:00", bj(2025, 11, 4, 9, 30)),               # ISO 8601
    ("2025-11-04T01:30:00Z", datetime(2025, 11, 4, 1, 30, tzinfo=timezone.utc)),
    ("Tue, 04 Nov 2025 09:30:00 +0000", datetime(2025, 11, 4, 9, 30, tzinfo=timezone.utc)),
    ("Tue, 04 Nov 2025 09:30:00 GMT", datetime(2025, 11, 4, 9, 30, tzinfo=timezone.utc)),
    ("November 4, 2025", bj(2025, 11, 4)),
    ("4 Nov 2025 3:30 pm", bj(2025, 11, 4, 15, 30)),
    # English news forms: the time after the date, or before it (People's Daily English).
    ("09:11, November 26, 2025", bj(2025, 11, 26, 9, 11)),
    ("Updated: Nov 25, 2025 19:21", bj(2025, 11, 25, 19, 21)),           # english.gov.cn
    ("Nov 25, 2025 19:21", bj(2025, 11, 25, 19, 21)),
    ("Nov 25,2025 19:21", bj(2025, 11, 25, 19, 21)),
    ("2025-11-25 19:21:05", bj(2025, 11, 25, 19, 21, 5)),
    ("November 25, 2025 7:21 PM", bj(2025, 11, 25, 19, 21)),
    ("Nov. 25, 2025, 7:21 p.m.", bj(2025, 11, 25, 19, 21)),
    ("November 25, 2025 at 7:21 PM", bj(2025, 11, 25, 19, 21)),
    ("November 25, 2025 | 19:21", bj(2025, 11, 25, 19, 21)),
    ("Wednesday, November 25, 2025, 19:21", bj(2025, 11, 25, 19, 21)),
    ("25 November 2025 19:21", bj(2025, 11, 25, 19, 21)),
    ("Published: 7:21 PM, 25 November 2025", bj(2025, 11, 25, 19, 21)),
    ("Updated 19:21 BJT, Nov 25, 2025", bj(2025, 11, 25, 19, 21)),
    ("10:30 Wednesday, November 25, 2025", bj(2025, 11, 25, 10, 30)),
    ("Nov 25, 2025 11:21 GMT", datetime(2025, 11, 25, 11, 21, tzinfo=timezone.utc)),
    ("Nov 25, 2025 19:21 GMT+8", bj(2025, 11, 25, 19, 21)),
    ("Nov 25, 2025 06:21 UTC-05:00", datetime(2025, 11, 25, 11, 21, tzinfo=timezone.utc)),
])
def test_absolute_forms(text, expected):
    assert parse_date(text, now=NOW) == expected


def test_epoch_seconds_and_milliseconds_are_utc_instants():
    assert parse_date("1762219800000") == datetime(2025, 11, 4, 1, 30, tzinfo=timezone.utc)
    assert parse_date("1762219800") == datetime(2025, 11, 4, 1, 30, tzinfo=timezone.utc)


def test_no_zone_means_beijing_time():
    value = parse_date("2025-11-04 09:30")
    assert value.utcoffset() == timedelta(hours=8)
    assert value.astimezone(timezone.utc) == datetime(2025, 11, 4, 1, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("3小时前", bj(2025, 11, 4, 17, 0)),
    ("30分钟前", bj(2025, 11, 4, 19, 30)),
    ("2天前", bj(2025, 11, 2, 20, 0)),
    ("昨天 14:20", bj(2025, 11, 3, 14, 20)),
    ("前天 08:05", bj(2025, 11, 2, 8, 5)),
    ("今天 09:00", bj(2025, 11, 4, 9, 0)),
    ("2 hours ago", bj(2025, 11, 4, 18, 0)),
    ("刚刚", bj(2025, 11, 4, 20, 0)),
    ("10-08 12:00", bj(2025, 10, 8, 12, 0)),  # no year: the latest one not ahead of the fetch
    ("12-25 12:00", bj(2024, 12, 25, 12, 0)),
    ("11-03", bj(2025, 11, 3)),
])
def test_relative_forms_count_from_the_fetch_time(text, expected):
    assert parse_date(text, now=NOW) == expected


def test_find_dates_keeps_the_longest_reading():
    found = find_dates("发布时间：2025-11-04 09:30 来源：新华社")
    assert [(f.text, f.has_time) for f in found] == [("2025-11-04 09:30", True)]


@pytest.mark.parametrize("url, expected, precision", [
    ("http://www.news.cn/politics/2025-11/04/c_1128.htm", "2025-11-04", "day"),
    ("https://www.news.cn/20251104/0123abcd/c.html", "2025-11-04", "day"),
    ("https://www.gov.cn/zhengce/content/202511/04/content_7047.htm", "2025-11-04", "day"),
    ("https://www.most.gov.cn/tztg/202511/t20251104_191234.html", "2025-11-04", "day"),
    ("https://www.zqrb.cn/finance/hongguanjingji/2025-11-04/A1762218000123.html", "2025-11-04", "day"),
    ("http://en.people.cn/n3/2025/1104/c90000-20386000.html", "2025-11-04", "day"),
    ("https://www.gov.cn/zhengce/zhengceku/202511/content_7047001.htm", "2025-11-01", "month"),
    ("https://www.miit.gov.cn/xwfb/gxdt/art/2025/art_0123.html", "2025-01-01", "year"),
])
def test_url_dates(url, expected, precision):
    found = url_date(url)
    assert found.value.isoformat() == expected
    assert found.precision == precision


def _page(head: str = "", body: str = "") -> bytes:
    text = ("<p>这是一篇用于测试发布日期选择的文章正文，内容足够长，以便正文抽取能够找到它。</p>" * 6)
    return (f"<html><head><meta charset='utf-8'>{head}<title>测试文章标题</title></head><body>"
            f"<h1>测试文章标题</h1>{body}<div class='content'>{text}</div></body></html>"
            ).encode()


def test_gov_meta_is_read_and_publication_beats_modification():
    raw = _page('<meta name="lastmodifiedtime" content="2025-11-04-18:00:00">'
                '<meta name="firstpublishedtime" content="2025-11-03-09:30:15">')
    result = extract(raw, "https://www.gov.cn/zhengce/content/202511/content_1.htm", fetched_at=NOW)
    assert result.published == bj(2025, 11, 3, 9, 30, 15)
    assert result.published_text == "2025-11-03-09:30:15"
    assert result.date_source == "meta"


def test_visible_dateline_beats_comment_and_related_link_dates():
    body = ("<div class='info'>发布时间：2025-11-02 08:05 来源：新华社</div>"
            "<ul class='related'><li><a href='/a'>另一篇</a> 2025-11-03</li></ul>")
    tail = "<div class='comments'>网友 2025-11-04 10:00：说得好</div>"
    raw = _page(body=body + tail)
    result = extract(raw, "https://example.cn/news/1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 2, 8, 5)
    assert result.date_source == "text"


def test_url_date_wins_when_the_page_date_contradicts_it():
    raw = _page(body="<div class='info'>发布时间：2025-09-01 08:05</div>")
    result = extract(raw, "https://www.chinadaily.com.cn/a/202511/04/WS1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 4)
    assert result.date_source == "url"


def test_buddhist_era_year_is_replaced_by_the_url_year_keeping_the_time():
    raw = _page(body="<div class='info'>Updated: 2569-11-04 09:30</div>")
    result = extract(raw, "https://www.chinadaily.com.cn/a/202511/04/WS1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 4, 9, 30)
    assert result.published_text == "2569-11-04 09:30"


def test_future_dates_are_rejected():
    raw = _page('<meta name="PubDate" content="2025-12-25 09:00">',
                "<div class='info'>发布时间：2025-11-01 10:00</div>")
    result = extract(raw, "https://example.cn/news/1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 1, 10, 0)


def test_a_date_inside_prose_is_not_the_dateline():
    body = "<p>潘老先生2009年5月14日在南京逝世。</p><div class='info'>2025-11-03 07:00</div>"
    result = extract(_page(body=body), "https://example.cn/news/1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 3, 7, 0)


def test_relative_dateline_uses_fetched_at():
    raw = _page(body="<div class='info'>3小时前 来源：澎湃新闻</div>")
    result = extract(raw, "https://example.cn/news/1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 4, 17, 0)


def test_script_epoch_date_when_the_page_shows_none():
    raw = _page(body='<script>var ct = "1762219800";</script>')
    result = extract(raw, "https://mp.weixin.qq.com/s/abc", fetched_at=NOW)
    assert result.published == datetime(2025, 11, 4, 1, 30, tzinfo=timezone.utc)
    assert result.date_source == "script"


def test_list_hint_fills_a_page_without_dates():
    result = extract(_page(), "https://example.cn/news/1.html", fetched_at=NOW,
                     hints={"date": "2025/11/02"})
    assert result.published == bj(2025, 11, 2)
    assert result.date_source == "list"


@pytest.mark.parametrize("dateline, expected, source", [
    # CAC: the list gives the day, the page its time on that day: the time wins.
    ("<div class='info'>发布时间：2025-11-02 08:05 来源：新华社</div>", bj(2025, 11, 2, 8, 5), "text"),
    ("<div class='info'>2025年11月02日 18:20</div>", bj(2025, 11, 2, 18, 20), "text"),
    # The list date is the sanity check: a page date on another day does not replace it.
    ("<div class='info'>发布时间：2025-11-01 08:05</div>", bj(2025, 11, 2), "list"),
    # A page date without its time adds nothing; an "Updated" time (english.gov.cn prints
    # no other) beats midnight.
    ("<div class='info'>发布时间：2025-11-02</div>", bj(2025, 11, 2), "list"),
    ("<div class='info'>Updated: Nov 2, 2025 21:00</div>", bj(2025, 11, 2, 21, 0), "text"),
])
def test_a_day_only_list_date_yields_to_the_pages_time_on_that_day(dateline, expected, source):
    result = extract(_page(body=dateline), "https://example.cn/news/1.html", fetched_at=NOW,
                     hints={"date": "2025-11-02"})
    assert (result.published, result.date_source) == (expected, source)


def test_a_day_only_meta_date_yields_to_the_dateline_time_and_a_timed_list_date_wins():
    raw = _page('<meta name="publishdate" content="2025-11-02">',
                "<div class='info'>2025年11月02日08:18 来源：人民网</div>")
    result = extract(raw, "http://culture.people.com.cn/n1/2025/1102/c1.html", fetched_at=NOW)
    assert (result.published, result.published_text) == (bj(2025, 11, 2, 8, 18),
                                                         "2025年11月02日08:18")
    timed = extract(_page(body="<div class='info'>2025-11-02 08:18</div>"),
                    "https://example.cn/news/1.html", fetched_at=NOW,
                    hints={"date": "2025-11-02 07:00"})
    assert (timed.published, timed.date_source) == (bj(2025, 11, 2, 7, 0), "list")


def test_english_datelines_keep_their_time():
    people = ("<div class='origin cf'><a href='http://en.people.cn/'>(People's Daily Online)</a> "
              "09:11, November 26, 2025</div>")
    result = extract(_page(body=people), "http://en.people.cn/n3/2025/1126/c90000-1.html",
                     fetched_at=datetime(2025, 11, 27, tzinfo=timezone.utc))
    assert (result.published, result.published_text) == (bj(2025, 11, 26, 9, 11),
                                                         "09:11, November 26, 2025")
    gov = ("<div class='info'><span class='date'>Updated: Nov 25, 2025 19:21</span> "
           "<span class='source'>Source: Xinhua</span></div>")
    url = "https://english.www.gov.cn/policies/latestreleases/202511/25/content_WS1.html"
    result = extract(_page(body=gov), url, fetched_at=datetime(2025, 11, 27, tzinfo=timezone.utc))
    assert (result.published, result.date_source) == (bj(2025, 11, 25, 19, 21), "text")


def test_publication_date_beats_the_signing_date_in_a_policy_table():
    table = ("<table><tr><td>发文机关：国务院办公厅</td><td>成文日期：2025年10月30日</td></tr>"
             "<tr><td>发文字号：国办发〔2025〕31号</td><td>发布日期：2025年11月03日</td></tr></table>")
    url = "https://www.example.gov.cn/zhengce/content/202511/content_1.htm"
    result = extract(_page(body=table), url, fetched_at=NOW)
    assert (result.published, result.published_text) == (bj(2025, 11, 3), "2025年11月03日")
    assert result.doc_number == "国办发〔2025〕31号"
    signed_only = table.replace("<td>发布日期：2025年11月03日</td>", "")
    assert extract(_page(body=signed_only), url, fetched_at=NOW).published == bj(2025, 10, 30)


def test_header_clock_is_not_the_publication_date():
    body = "<div class='top'>今天是2025年11月04日 星期二</div><div class='info'>2025-11-02 来源：本网</div>"
    result = extract(_page(body=body), "https://example.cn/news/1.html", fetched_at=NOW)
    assert result.published == bj(2025, 11, 2)
