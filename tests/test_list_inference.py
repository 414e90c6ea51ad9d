"""List inference finds the article block of a list page, and the selectors it returns
read exactly those links through the same selector engine the html spider uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from crawler.list_inference import apply_list, infer_list
from crawler.list_shapes import link_pattern, url_shape

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"
GNE = Path("/work/shared/data/gne-pages/test_list_page")

NAV = """<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a><a href="/zwdt/">政务动态</a>
<a href="/hdjl/">互动交流</a><a href="/bsfw/">办事服务</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwdt/">政务动态</a></div>"""
FOOT = """<div class="footer"><a href="/about.html">关于我们</a><a href="/map.html">网站地图</a>
<a href="http://www.beian.gov.cn/">京ICP备05070218号</a></div>"""


def gov_list(n: int, *, bracket: bool = False, split_every: int = 0) -> str:
    """A provincial department's column: `ul li a` + `span` dates, a pager, a footer."""
    rows = []
    for i in range(n):
        day = 28 - i
        date = f"[11-{day:02d}]" if bracket else f"2026-11-{day:02d}"
        rows.append(f'<li><a href="./202611/t202611{day:02d}_{5000 + i}.html" target="_blank" '
                    f'title="关于印发全省制造业数字化转型第{i + 1}批项目名单的通知">关于印发全省制造业数字化'
                    f'转型第{i + 1}批项目名单的通知</a><span>{date}</span></li>')
    if split_every:
        chunks = [rows[i:i + split_every] for i in range(0, n, split_every)]
        lists = '<li class="line"></li>'.join(f'<ul class="list">{"".join(c)}</ul>' for c in chunks)
    else:
        lists = f'<ul class="list">{"".join(rows)}</ul>'
    return f"""<html><head><meta charset="utf-8"><title>通知公告_某省工业和信息化厅</title></head>
<body>{NAV}<div class="main"><div class="side"><ul><li><a href="/zwdt/tzgg/">通知公告</a></li>
<li><a href="/zwdt/gzdt/">工作动态</a></li></ul></div>
<div class="content"><h2>通知公告</h2>{lists}
<div class="pages"><a href="index.html">首页</a><a href="index_1.html">下一页</a>
<a href="index_9.html">尾页</a></div></div></div>{FOOT}</body></html>"""


def test_gov_cms_list_with_dates_beside_links():
    url = "https://gxt.example.gov.cn/zwdt/tzgg/"
    guess = infer_list(gov_list(12).encode(), url)
    assert guess is not None and guess.kind == "html"
    assert len(guess.items) == 12
    assert all("/202611/t202611" in i.url for i in guess.items)
    assert guess.items[0].title == "关于印发全省制造业数字化转型第1批项目名单的通知"
    assert guess.items[0].date == "2026-11-28"
    assert guess.list["date"].endswith("::text")
    assert guess.pagination == {"next": "xpath://a[normalize-space(.)='下一页']/@href"}
    # The selectors read the same items as the html spider would.
    found = apply_list(Selector(text=gov_list(12), base_url=url), guess.list, url)
    assert [f[0] for f in found] == [i.url for i in guess.items]


def test_bracketed_month_day_dates_and_lists_cut_into_several_uls():
    url = "https://gxt.example.gov.cn/zwdt/tzgg/"
    guess = infer_list(gov_list(15, bracket=True, split_every=5), url)
    assert guess is not None
    assert len(guess.items) == 15  # the three <ul>s are one list
    assert guess.items[0].date == "11-28"


def test_navigation_footer_and_pager_links_are_not_taken():
    guess = infer_list(gov_list(6), "https://gxt.example.gov.cn/zwdt/tzgg/")
    urls = [i.url for i in guess.items]
    assert not any(u.endswith(("/", "about.html", "map.html", "index_1.html")) for u in urls)
    assert not any("beian" in u for u in urls)


def test_press_list_with_headings_and_url_dates():
    rows = "".join(
        f'<div class="story"><h3><a href="/world/2026/11/{20 - i:02d}/story-{i}-on-chip-'
        f'export-rules.html">Ministers agree new rules on chip exports number {i}</a></h3>'
        f'<p class="sum">A short summary of the story.</p>'
        f'<a class="tag" href="/tags/trade/">Trade</a></div>' for i in range(8))
    page = (f'<html><body><nav><a href="/world/">World</a><a href="/business/">Business</a></nav>'
            f'<main>{rows}</main><footer><a href="/privacy">Privacy</a></footer></body></html>')
    guess = infer_list(page, "https://news.example.com/world/")
    assert guess is not None and len(guess.items) == 8
    assert guess.list["link"] != "a::attr(href)" or "h3" in guess.list["title"]
    assert guess.items[0].title == "Ministers agree new rules on chip exports number 0"
    assert guess.items[0].date == "2026-11-20" and guess.items[0].date_from == "url"
    assert all("/tags/" not in i.url for i in guess.items)


def test_table_lists():
    rows = "".join(f'<tr><td class="t"><a href="/art/2026/11/{i + 1}/art_1229_{700 + i}.html">'
                   f'省政府办公厅关于加快推进人工智能产业发展的实施意见{i}</a></td>'
                   f'<td>2026-11-{i + 1:02d}</td></tr>' for i in range(6))
    page = f"<html><body><table class='news'><tbody>{rows}</tbody></table></body></html>"
    guess = infer_list(page, "https://www.example.gov.cn/col/col1229/")
    assert guess is not None and len(guess.items) == 6
    assert guess.items[2].date == "2026-11-03"


def test_json_wrapped_html_miit_unit_answer():
    unit = next((SITES / "www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build")
                .glob("unit@sha1-59*"))
    url = "https://www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?a=1"
    guess = infer_list(unit.read_bytes(), url)
    assert guess is not None and guess.wrapper == "data.html"
    assert [i.title for i in guess.items][0] == "国务院常务会议研究推动人工智能赋能新型工业化有关举措"
    assert guess.list["title"] == "a::attr(title)"  # the link text is cut short
    assert guess.list["link_pattern"] == r"/art/\d{4}/art_[0-9a-f]{32}\.html$"


def test_json_record_lists():
    data = [{"TITLE": f"国务院关于推动人工智能与制造业深度融合发展的意见{i}",
             "URL": f"https://www.gov.cn/zhengce/content/202611/content_70512{i:02d}.htm",
             "DOCRELPUBTIME": f"2026-11-{i + 1:02d}", "SUB": "x"} for i in range(5)]
    guess = infer_list(json.dumps(data, ensure_ascii=False), "https://www.gov.cn/z/ZX.json")
    assert guess.kind == "json"
    assert guess.list["items_path"] == "" and guess.list["link_path"] == "URL"
    assert guess.list["title_path"] == "TITLE" and guess.list["date_path"] == "DOCRELPUBTIME"
    nested = {"data": {"list": [{"info": {"url": f"/a/2026/art_{i}{'f' * 31}.html",
                                          "title": f"Ministry publishes industrial AI plan {i}",
                                          "time": 1795075200000}} for i in range(3)]}}
    guess = infer_list(json.dumps(nested), "https://api.example.cn/list?page=1")
    assert guess.list["items_path"] == "data.list"
    assert guess.list["link_path"] == "info.url" and guess.list["date_path"] == "info.time"
    assert guess.pagination == {"url_template": "https://api.example.cn/list?page={page}",
                                "first_page": 2}


def test_a_page_without_a_list_gives_none():
    page = f"<html><body>{NAV}<div class='article'><h1>标题</h1><p>正文</p></div>{FOOT}</body></html>"
    assert infer_list(page, "https://www.example.gov.cn/art/1.html") is None
    assert infer_list(b"", "https://www.example.gov.cn/") is None
    assert infer_list(b"{not json", "https://www.example.gov.cn/x.json") is None


def test_link_patterns_generalise_ids_but_keep_words():
    urls = ["https://www.ndrc.gov.cn/xwdt/xwfb/202611/t20261126_1401783.html",
            "https://www.ndrc.gov.cn/xwdt/xwfb/202610/t20261020_401236.html"]
    assert link_pattern(urls) == r"/xwfb/\d{6}/t\d{8}_\d+\.html$"
    assert url_shape(urls[0]) == url_shape(urls[1])
    hexes = ["https://x.cn/a/202611/26/WSfbb36ea31cdb6c5559437e90.html"]
    assert link_pattern(hexes) == r"/\d{6}/\d{2}/WS[0-9a-f]{24}\.html$"


@pytest.mark.parametrize("path,url,expect", [
    ("www.ndrc.gov.cn/xwdt/xwfb/index.html", "https://www.ndrc.gov.cn/xwdt/xwfb/", 2),
    ("www.cac.gov.cn/yaowen/szyw/A093601index_1.htm",
     "https://www.cac.gov.cn/yaowen/szyw/A093601index_1.htm", 2),
    ("www.zqrb.cn/finance/hongguanjingji/index.html",
     "http://www.zqrb.cn/finance/hongguanjingji/index.html", 2),
    ("www.chinadaily.com.cn/china/governmentandpolicy/index.html",
     "https://www.chinadaily.com.cn/china/governmentandpolicy", 2),
    ("english.news.cn/china/index.htm", "https://english.news.cn/china/index.htm", 3),
    ("www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json",
     "https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json", 3),
])
def test_fixture_lists(path, url, expect):
    guess = infer_list((SITES / path).read_bytes(), url)
    assert guess is not None and len(guess.items) == expect
    assert all(i.title and len(i.title) >= 10 for i in guess.items)


@pytest.mark.skipif(not GNE.is_dir(), reason="the GNE list pages are not on this machine")
def test_real_portal_list_page_finds_its_news_block():
    guess = infer_list((GNE / "163" / "1.html").read_bytes(), "https://news.163.com/special/x/")
    assert guess is not None and len(guess.items) >= 20
    assert sum(".163.com/20/" in i.url for i in guess.items) >= 0.9 * len(guess.items)
    assert all(len(i.title or "") >= 8 for i in guess.items)


def test_items_with_a_category_link_before_the_title():
    rows = "".join(f'<li><a class="lm" href="/col/col{i % 3}/">[政策解读]</a>'
                   f'<a href="/art/2026/11/{i + 1}/art_88_{900 + i}.html">解读《关于加快工业互联网'
                   f'创新发展的若干措施》第{i}条</a><span>2026-11-{i + 1:02d}</span></li>'
                   for i in range(7))
    page = f"<html><body><ul class='news'>{rows}</ul></body></html>"
    url = "https://www.example.gov.cn/col/col88/"
    guess = infer_list(page, url)
    assert guess is not None and len(guess.items) == 7
    assert all("/art/2026/" in i.url for i in guess.items)
    assert guess.items[0].title.startswith("解读《关于加快工业互联网")
    found = apply_list(Selector(text=page, base_url=url), guess.list, url)
    assert [f[0] for f in found] == [i.url for i in guess.items]


def test_dates_and_titles_inside_the_link():
    rows = "".join(f'<li><a href="/content/2026-11/{20 - i:02d}/content_{31000 + i}.htm">'
                   f'<span class="tit">国务院常务会议部署推进新型工业化重点任务{i}</span>'
                   f'<span class="time">2026-11-{20 - i:02d}</span></a></li>' for i in range(5))
    page = f"<html><body><div class='list'><ul>{rows}</ul></div></body></html>"
    guess = infer_list(page, "https://www.example.gov.cn/xinwen/")
    assert guess is not None and len(guess.items) == 5
    assert guess.items[0].title == "国务院常务会议部署推进新型工业化重点任务0"
    assert guess.items[0].date == "2026-11-20"
    assert guess.list["title"] == "a span.tit::text"
    assert guess.list["date"] == "span.time::text"


def test_press_articles_with_time_elements_and_thumbnails():
    rows = "".join(f'<article class="card"><a href="/2026/11/{20 - i}/factory-robots-{i}/">'
                   f'<img src="/i.jpg"></a><h2><a href="/2026/11/{20 - i}/factory-robots-{i}/">'
                   f'Factory robots spread across inland provinces, report {i} says</a></h2>'
                   f'<time datetime="2026-11-{20 - i}">Nov {20 - i}, 2026</time></article>'
                   for i in range(6))
    page = (f"<html><body><header><a href='/'>Home</a></header><section>{rows}</section>"
            f"</body></html>")
    guess = infer_list(page, "https://www.example-press.com/business/")
    assert guess is not None and len(guess.items) == 6
    assert guess.items[1].title.startswith("Factory robots spread")
    assert guess.items[1].date == "Nov 19, 2026"


@pytest.mark.parametrize("body", [
    bytes(range(256)) * 200,  # binary
    b"[" * 5000 + b"]" * 5000,  # JSON nested past Python's stack
    b"<div>" * 3000 + b"<a href='/a/2026/1.html'>x</a>",  # nested past lxml's limit
    b"<html>\x00<a href='/x/2026/1.html'>\x00 a title of four words</a>",
    b"<a href='" + b"x" * 200_000 + b"'>t</a>",
    b'{"data": {"html": 5, "list": [1, "x", null]}}',
])
def test_hostile_pages_give_none_or_a_guess_never_an_error(body):
    guess = infer_list(body, "https://www.example.gov.cn/list/")
    assert guess is None or guess.items


def test_a_long_list_is_read_whole():
    rows = "".join(f'<li><a href="/art/2026/11/{i % 28 + 1}/art_{i}.html">关于推进制造业数字化转型的'
                   f'第{i}号通知</a><span>2026-11-{i % 28 + 1:02d}</span></li>' for i in range(600))
    guess = infer_list(f"<html><body><ul class='l'>{rows}</ul></body></html>",
                       "https://www.example.gov.cn/list/")
    assert len(guess.items) == 600 and guess.list["date"] == "span::text"


def test_dates_in_the_element_after_the_link():
    dl = "".join(f'<dt><a href="/xxgk/202611/t202611{10 + i}_{800 + i}.html">关于公布全省第{i}批专精特新'
                 f'中小企业名单的通知</a></dt><dd>2026-11-{10 + i}</dd>' for i in range(6))
    guess = infer_list(f"<html><body><dl class='news'>{dl}</dl></body></html>",
                       "https://www.example.gov.cn/xxgk/")
    assert len(guess.items) == 6 and guess.items[0].date == "2026-11-10"
    flat = "".join(f'<a href="/xxgk/202611/t202611{10 + i}_{800 + i}.html">关于公布全省第{i}批专精特新'
                   f'中小企业名单的通知</a><span>2026-11-{10 + i}</span><br>' for i in range(6))
    guess = infer_list(f"<html><body><div class='news'>{flat}</div></body></html>",
                       "https://www.example.gov.cn/xxgk/")
    assert len(guess.items) == 6 and guess.items[5].date == "2026-11-15"
    assert guess.list["date"] == "xpath:following-sibling::span[1]//text()"


def test_the_main_list_beats_menus_and_a_dated_sidebar():
    menu = "".join(f'<li><a href="/col/col{i}/index.html">栏目{i}</a></li>' for i in range(8))
    hot = "".join(f'<li><a href="/art/2026/10/{i + 1}/art_77_{300 + i}.html">热点：全省经济运行情况'
                  f'新闻发布会第{i}场</a><span>10-{i + 1:02d}</span></li>' for i in range(8))
    main = "".join(f'<tr><td><a href="/art/2026/11/{i + 1}/art_1229_{5000 + i}.html" title="省工业和'
                   f'信息化厅关于组织申报2027年度工业互联网平台项目的通知{i}">省工业和信息化厅关于组织'
                   f'申报...</a></td><td class="bt_time">2026-11-{i + 1:02d}</td></tr>'
                   for i in range(12))
    friends = "".join(f'<a href="https://www.gov{i}.cn/">相关网站{i}</a>' for i in range(10))
    page = (f"<html><body><div class='top'><div class='nav'><ul>{menu}</ul></div></div>"
            f"<div class='left'><ul class='menu'>{menu}</ul></div>"
            f"<div class='main'><table class='list'><tbody>{main}</tbody></table></div>"
            f"<div class='side-hot'><ul>{hot}</ul></div>"
            f"<div class='footer'><div class='yqlj'>{friends}</div></div></body></html>")
    guess = infer_list(page, "https://jxt.example.gov.cn/col/col1229/index.html")
    assert len(guess.items) == 12
    assert all("/art_1229_" in i.url for i in guess.items)
    assert guess.items[0].title.endswith("平台项目的通知0")  # the full title attribute
    assert guess.items[0].date == "2026-11-01"
