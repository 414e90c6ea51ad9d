"""A provincial department's news column, before and after a redesign, for the list
inference tests (`sources add`, the fallback, `sources doctor`).

:func:`write_site` writes ``www.gxt.example.cn/zwdt/tzgg/`` (a `ul li a` + `span` list with a
pager, navigation and footer) and its article pages into a replay folder;
``redesigned=True`` writes the same column as a redesign leaves it (new class names,
``div``/``em`` instead of ``ul``/``li``/``span``). :data:`SEED` is a hand-written seed for
the old design.
"""

from __future__ import annotations

from pathlib import Path

HOST = "www.gxt.example.cn"
LIST_URL = f"https://{HOST}/zwdt/tzgg/"
SEED = f"""name = "gxt-notices"
title = "某省工信厅 通知公告"
site = "GXT"
kind = "html"
language = "zh"
start_urls = ["{LIST_URL}"]
schedule = {{ interval = "30m" }}
site_id_pattern = 't(\\d{{8}}_\\d+)\\.html'

[list]
items = "ul.list li"
link = "a::attr(href)"
title = "a::attr(title)"
date = "span::text"
link_pattern = '/\\d{{6}}/t\\d{{8}}_\\d+\\.html$'

[pagination]
next = "a.next::attr(href)"
max_pages = 2

[article]
body = "div.TRS_Editor"
"""


def article_url(i: int) -> str:
    return f"https://{HOST}/zwdt/tzgg/202611/t202611{10 + i:02d}_{5000 + i}.html"


def title(i: int) -> str:
    return f"关于开展全省制造业数字化转型第{i}批试点工作的通知"


def _article(i: int) -> str:
    return f"""<html><head><meta charset="utf-8"><title>{title(i)}_某省工业和信息化厅</title>
<meta name="ArticleTitle" content="{title(i)}">
<meta name="PubDate" content="2026-11-{10 + i:02d} 09:30">
<meta name="ContentSource" content="某省工业和信息化厅"></head><body>
<div class="head"><a href="/">首页</a></div><div class="article"><h1 class="title">{title(i)}</h1>
<div class="info">发布时间：2026-11-{10 + i:02d} 09:30 来源：某省工业和信息化厅</div>
<div class="TRS_Editor"><p>各市工业和信息化主管部门：为加快推进制造业数字化转型第{i}批试点，现将有关事项通知如下。</p>
<p>一、试点企业应当围绕智能制造、工业互联网和人工智能应用开展工作，按期完成建设任务。</p>
<p>二、各地要加强组织领导，落实支持政策，及时报送进展情况。</p></div></div></body></html>"""


def _list(numbers: list[int], redesigned: bool) -> str:
    nav = ('<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a>'
           '<a href="/zwdt/">政务动态</a><a href="/hdjl/">互动交流</a></div>')
    foot = '<div class="footer"><a href="/about.html">关于我们</a><a href="/map.html">网站地图</a></div>'
    if redesigned:
        rows = "".join(f'<div class="news-row"><a href="./202611/t202611{10 + i:02d}_'
                       f'{5000 + i}.html" title="{title(i)}">{title(i)}</a>'
                       f'<em class="d">2026-11-{10 + i:02d}</em></div>' for i in numbers)
        body = f'<div class="news-wrap"><div class="news-list">{rows}</div>' \
               f'<div class="pager"><a href="index_1.html">下一页</a></div></div>'
    else:
        rows = "".join(f'<li><a href="./202611/t202611{10 + i:02d}_{5000 + i}.html" '
                       f'title="{title(i)}">{title(i)}</a><span>2026-11-{10 + i:02d}</span></li>'
                       for i in numbers)
        body = f'<div class="content"><ul class="list">{rows}</ul>' \
               f'<div class="page"><a class="next" href="index_1.html">下一页</a></div></div>'
    return (f'<html><head><meta charset="utf-8"><title>通知公告_某省工业和信息化厅</title></head>'
            f'<body>{nav}{body}{foot}</body></html>')


def write_site(root: Path, numbers: list[int], *, redesigned: bool = False) -> None:
    """The column listing articles ``numbers`` (newest first), and every article page."""
    folder = root / HOST / "zwdt" / "tzgg"
    (folder / "202611").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(_list(numbers, redesigned), encoding="utf-8")
    for i in numbers:
        (folder / "202611" / f"t202611{10 + i:02d}_{5000 + i}.html").write_text(
            _article(i), encoding="utf-8")


def write_seed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gxt-notices.toml"
    path.write_text(SEED, encoding="utf-8")
    return path
