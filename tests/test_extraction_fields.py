"""Fields beyond dates and decoding: the seed republication, credits, boilerplate, document
numbers, attachments, selectors, language, site, and pages that are not articles at all."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.extraction import Extracted, extract
from crawler.extraction.boilerplate import is_chrome, strip_boilerplate
from crawler.extraction.dates import BEIJING
from crawler.extraction.docnumber import find_doc_number
from crawler.extraction.language import detect_language
from crawler.extraction.republication import Credits, strip_credits

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
SEED_URL = "http://www.outlooknewera.com.cn/pcen/info_view.php?VID=71312&tab=mynews"
MIIT_URL = "https://www.miit.gov.cn/zwgk/wjgs/art/2025/art_0123456789abcdef0123456789abcdef.html"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_seed_republication_footer():
    result = extract(fixture("outlook_seed.html"), SEED_URL)
    assert result.error is None
    assert result.title.startswith("Ministry of Industry and Information Technology: Accelerate")
    assert result.published == datetime(2025, 11, 4, tzinfo=BEIJING)
    assert result.published_text == "2025-11-04"
    assert result.editor == "Yao jue / Xie Tunan"
    assert result.original_source == "Securities Daily"
    assert result.lang == "en"
    assert result.body.startswith("The Ministry of Industry and Information Technology held")
    assert result.body.endswith("guide capital toward advanced manufacturing.")
    for footer in ("Edit:", "Responsible editor", "Source:", "Copyright", "Related"):
        assert footer not in result.body
    assert result.field_sources["editor"] == "text"


def test_gov_policy_page_every_field():
    result = extract(fixture("miit_policy.html"), MIIT_URL)
    assert result.title == "工业和信息化部关于推进智能制造标准体系建设的指导意见"
    assert result.field_sources["title"] == "meta"
    assert result.published == datetime(2025, 11, 4, 9, 30, tzinfo=BEIJING)
    assert (result.published_text, result.date_source) == ("2025-11-04 09:30", "meta")
    assert result.site == "中华人民共和国工业和信息化部"
    assert result.original_source == "装备工业一司"
    assert result.doc_number == "工信部联规〔2025〕12号"
    assert result.editor == "张晓明"
    assert result.lang == "zh"
    assert result.attachments == [
        "https://www.miit.gov.cn/cms_files/2025/11/智能制造标准体系建设指南.pdf",
        "https://www.miit.gov.cn/zwgk/wjgs/art/2025/P020251104512345.ofd",
        "https://www.miit.gov.cn/cms_files/2025/11/意见反馈表.docx",
    ]
    assert "为贯彻落实制造强国战略" in result.body
    assert "\n\n" in result.body  # paragraphs separated by a blank line
    for chrome in ("打印", "关闭", "分享到", "扫一扫", "责任编辑", "版权所有", "相关链接", "ICP"):
        assert chrome not in result.body


@pytest.mark.parametrize("line", [
    "【打印】【关闭】", "【打印本页】 【关闭窗口】", "打印本页 关闭窗口", "分享到：", "分享到：微信 微博",
    "扫一扫在手机打开当前页", "微信扫一扫 关注该公众号", "【字体：大 中 小】", "字号：大 中 小",
    "版权所有：中华人民共和国工业和信息化部", "Copyright © 2025 Xinhua. All rights reserved.",
    "京ICP备05070218号", "网站标识码bm07000001", "【1】【2】【3】", "Print | Close",
    "免责声明：本文仅代表作者本人观点，与本网无关。本网对文中陈述、观点判断保持中立，不对所包含内容的准确性、"
    "可靠性或完整性提供任何明示或暗示的保证。", "正文已结束，您可以按alt+4进行评论", "点击进入专题：",
    "Read more: Alibaba poised to launch record-breaking listing", "[Related: Keynote highlights]",
    "Sign Up: Stay on top of the latest news! Sign up for our Email Newsletters here", "Comments",
    "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "CLICK HERE TO GET THE APP",
    # the same in the other languages of the press
    "Lea también: El Gobierno aprueba el presupuesto", "VEA TAMBIÉN: Las claves del juicio",
    "LE PUEDE INTERESAR: La agenda del presidente", "MIRA: Así fue la votación",
    "À lire aussi", "Lire aussi : le budget adopté", "Mehr zum Thema auf Beispiel.de",
    "Lesen Sie auch: Der Rat tagt", "Schon gelesen?", "Auch interessant", "Teilen mit:",
    "Zum Newsletter anmelden", "Kommentare insgesamt: 3", "Kategorie: News",
    "Czytaj też: Sejm przyjął ustawę", "Leggi anche: il bilancio", "Subscribe now to our "
    "e-edition for the full story.", "Pour lire la suite de cet article, abonnez-vous",
    "For the latest stories download the Example News apps for iOS and Android.",
    "¡Mira lo que tiene nuestro canal de YouTube!", "Unterstütze unser Magazin",
])
def test_chrome_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize("line", [
    "这是正文，讲述了企业如何分享经验、共同发展。",
    "中国在大中小学推进人工智能教育。",
    "The ministry will share the data with provincial authorities next month.",
    "More than 200 companies signed the agreement, officials said.",
    "Related industries, from batteries to chips, are expected to benefit.",
    "他在声明中说：我们会继续努力，推动合作取得更多成果。",
    "Mira Müller leitet seit 2019 das Amt für Umwelt und Verkehr.",
    "Lea y su hermano fundaron la empresa en 2015 en Madrid.",
    "Mehr zum Thema Klimaschutz sagte der Minister am Abend in Berlin nichts.",
    "Die Kategorie der Förderung richtet sich nach der Größe des Betriebs.",
    "The company will support us and other partners with new funding, it said.",
])
def test_prose_is_never_chrome(line):
    assert not is_chrome(line)


def test_related_tail_is_cut_only_in_the_second_half():
    paras = ["第一段正文。", "相关新闻", "第二段正文。", "第三段正文。", "相关链接", "某条新闻标题"]
    assert strip_boilerplate(paras) == ["第一段正文。", "第二段正文。", "第三段正文。"]


@pytest.mark.parametrize("lines, editors, source", [
    (["正文。", "Edit:Yao jue Responsible editor:Xie Tunan", "Source:Securities Daily"],
     ["Yao jue", "Xie Tunan"], "Securities Daily"),
    (["正文。", "（责任编辑：王小明）"], ["王小明"], None),
    (["正文。", "本文来源：证券市场红周刊", "责任编辑：杨倩_NF4425"], ["杨倩"], "证券市场红周刊"),
    (["正文。", "(责编：汤诗瑶、丁涛)"], ["汤诗瑶", "丁涛"], None),
    (["正文。 （责任编辑：李四）"], ["李四"], None),
])
def test_credit_lines_leave_the_body(lines, editors, source):
    credits = Credits()
    kept = strip_credits(lines, credits)
    assert kept == ["正文。"]
    assert credits.editors == editors
    assert credits.source == source


def test_credit_words_inside_prose_stay():
    credits = Credits()
    para = "The source said the editor of the report would resign next week, according to people."
    assert strip_credits([para], credits) == [para]
    assert credits.editor is None and credits.source is None


@pytest.mark.parametrize("lines, expected", [
    (["发文字号：国办发〔2025〕1号", "正文"], "国办发〔2025〕1号"),
    (["标题", "工信部联规〔2025〕12号", "各有关单位："], "工信部联规〔2025〕12号"),
    (["标题", "发改价格[2024]1507号"], "发改价格〔2024〕1507号"),
    (["根据《国务院关于印发某规划的通知》（国发〔2020〕8号）要求，现将有关事项通知如下。"], None),
    (["标题", "工业和信息化部公告2026年第27号"], "工业和信息化部公告2026年第27号"),
    (["文号：工业和信息化部 公告 2026年 第27号"], "工业和信息化部公告2026年第27号"),
    (["国家发展改革委令2025年第12号", "正文"], "国家发展改革委令2025年第12号"),
    (["中华人民共和国工业和信息化部令 第65号"], "中华人民共和国工业和信息化部令第65号"),
    (["财政部 税务总局公告2025年第10号"], "财政部 税务总局公告2025年第10号"),
    (["（国家药监局通告2025年第10号）"], "国家药监局通告2025年第10号"),
    (["国办发 [2025] 3号"], "国办发〔2025〕3号"),
    (["发改高技（2025）1234号"], "发改高技〔2025〕1234号"),
    (["财税(2025)10号"], "财税〔2025〕10号"),
    (["中国人民银行公告［2025］第5号"], "中国人民银行公告〔2025〕第5号"),
    # Not document numbers: a bare 第N号, an order that is not a body's, a number in prose.
    (["第3号"], None),
    (["公告第3号"], None),
    (["他下令第3号"], None),
    (["请到第3号楼办理"], None),
    (["现将工业和信息化部公告2026年第27号发布如下"], None),
    (["工业和信息化部公告2026年第27号对此作了规定，请各地认真贯彻落实，确保各项工作落到实处。"], None),
])
def test_doc_numbers(lines, expected):
    assert find_doc_number(lines) == expected


def test_announcement_number_from_a_policy_table():
    html = """<html><head><meta charset="utf-8"><title>关于发布实施指南的公告</title></head><body>
      <h1>关于发布实施指南的公告</h1><table><tr><td>发文机关：</td><td>工业和信息化部</td>
      <td>发文字号：</td><td>工业和信息化部公告2026年第27号</td></tr></table>
      <div id="con_con"><p>为做好强制性国家标准实施工作，组织编制了实施指南，现予以发布。</p>
      <p>各有关单位应按照实施指南要求，加强标准宣贯，第3号文件另行通知。</p></div></body></html>"""
    result = extract(html.encode(), "https://www.miit.gov.cn/zwgk/art/2026/art_1.html")
    assert result.doc_number == "工业和信息化部公告2026年第27号"
    assert result.field_sources["doc_number"] == "text"


@pytest.mark.parametrize("text, expected", [
    ("工业和信息化部召开会议，研究部署下一步工作。" * 3, "zh"),
    ("The ministry held a meeting on Monday to plan the next steps for the industry.", "en"),
    ("华为 Mate 60 Pro 发布，搭载麒麟芯片，支持 5G 网络和卫星通话功能。", "zh"),
])
def test_language_from_the_text(text, expected):
    assert detect_language(text, fallback="en" if expected == "zh" else "zh") == expected


def test_markup_language_is_overruled_by_the_text():
    raw = fixture("people_gbk.html").replace(b"<html", b'<html lang="en"', 1)
    assert extract(raw, "http://finance.people.com.cn/n1/2025/1104/c1.html").lang == "zh"


def test_json_ld_and_opengraph_layers():
    result = extract(fixture("jsonld_news.html"), "https://harbourtimes.example/news/port")
    assert result.title == "Port throughput sets new high"
    assert result.published_text == "2025-11-05T08:15:00+08:00"
    assert result.date_source == "json-ld"       # not article:modified_time, not the comment
    assert result.author == "Chen Jie / Zhou Lan"
    assert result.site == "Harbour Times"
    assert "Great news" not in result.body


def test_site_falls_back_to_the_host():
    result = extract(fixture("outlook_seed.html"), SEED_URL)
    assert result.site == "outlooknewera.com.cn"
    assert result.field_sources["site"] == "url"


def test_source_selectors_css_text_attr_and_xpath():
    html = """<html><head><meta charset="utf-8"><title>站点</title></head><body>
      <div class="t" data-title="选择器给出的标题">页面上的标题</div>
      <span class="d">时间：2025-11-03 10:00</span><em class="who">记者 张三</em>
      <div id="main"><p>第一段正文内容，足够长以作为正文。</p><p>第二段正文内容。</p></div>
      <div id="side"><p>侧栏的内容不应出现在正文里。</p></div></body></html>""".encode()
    selectors = {"title": ".t::attr(data-title)", "date": "span.d::text",
                 "body": "xpath://div[@id='main']", "author": "em.who::text",
                 "source": "xpath://nonexistent"}
    result = extract(html, "https://example.cn/a.html", selectors=selectors)
    assert result.title == "选择器给出的标题"
    assert result.field_sources["title"] == "selector"
    assert result.published == datetime(2025, 11, 3, 10, 0, tzinfo=BEIJING)
    assert result.date_source == "selector"
    assert result.body == "第一段正文内容，足够长以作为正文。\n\n第二段正文内容。"
    assert result.field_sources["body"] == "selector"
    assert result.author == "记者 张三"
    assert result.error is None


def test_a_source_selector_holding_date_and_reporter_gives_the_outlet():
    html = """<html><head><meta charset="gbk"><title>央行：保持流动性合理充裕</title></head><body>
      <div class="news_content"><h1>央行：保持流动性合理充裕</h1>
      <div class="info_news">2025-11-25 09:30 来源：证券日报 记者 张三</div>
      <div class="content-lcq"><p>中国人民银行25日表示，将继续实施好适度宽松的货币政策。</p>
      <p>保持流动性合理充裕，引导金融机构加大对实体经济的支持力度。</p></div></div></body></html>"""
    selectors = {"date": "div.info_news", "source": "div.info_news", "body": "div.content-lcq"}
    result = extract(html.encode("gbk"), "http://www.zqrb.cn/finance/hongguanjingji/2025-11-25/"
                     "A1764034200123.html", selectors=selectors)
    assert result.original_source == "证券日报"
    assert result.field_sources["original_source"] == "selector"
    assert result.published == datetime(2025, 11, 25, 9, 30, tzinfo=BEIJING)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25 09:30 来源：证券日报 记者 张三", "证券日报"),
    ("2026-11-25 09:30 来源:证券日报记者张三", "证券日报"),
    ("发布时间：2026-11-25 来源：人民网-文化频道 作者：李四", "人民网-文化频道"),
    ("来源：工业和信息化部 浏览次数：100", "工业和信息化部"),
    ("来源：本报编辑部", "本报编辑部"),
    ("Nov 25, 2026 19:21 Source: Securities Daily Reporter: Zhang San", "Securities Daily"),
    ("Source: Securities Daily By Zhang San", "Securities Daily"),
    ("(Source: Xinhua | Editor: Li Ming)", "Xinhua"),
    ("2026-11-25 09:30 证券日报", "证券日报"),   # no label: the text less its date
    ("新华社", "新华社"),
    ("2026-11-25 09:30", ""),                    # only a date: no outlet
])
def test_source_selector_text_is_read_after_its_label(text, expected):
    from crawler.extraction.dates import find_dates
    from crawler.extraction.republication import source_in_selected
    assert source_in_selected(text, find_dates) == expected


GOV_TABLE = "xpath://table[contains(@class,'bd1')]//td[contains(., '{}')]/following-sibling::td[1]"


def test_doc_number_and_editor_selectors_are_honoured():
    html = """<html><head><meta charset="utf-8"><title>国务院关于推进某项工作的通知</title></head>
      <body><table class="bd1"><tr><td>发文机关：</td><td>国务院</td></tr>
      <tr><td><b>发文字号：</b></td><td>国发 [2026] 21号</td></tr></table>
      <h1>国务院关于推进某项工作的通知</h1>
      <div class="pages_content"><p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
      <p>现就推进某项工作通知如下，请认真贯彻执行。另见国办发〔2025〕3号。</p>
      <p>国办发〔2025〕3号</p></div>
      <div class="editor">责任编辑：王五</div></body></html>"""
    url = "https://www.gov.cn/zhengce/content/202611/content_7051234.htm"
    selectors = {"doc_number": GOV_TABLE.format("发文字号"), "editor": "div.editor"}
    result = extract(html.encode(), url, selectors=selectors)
    assert result.doc_number == "国发〔2026〕21号"
    assert result.editor == "王五"
    assert result.field_sources["doc_number"] == "selector"
    assert result.field_sources["editor"] == "selector"
    # The selector wins over the text layer; one that matches nothing falls through to it.
    chosen = extract(html.encode(), url, selectors={"doc_number": "div.pages_content p:last-child"})
    assert chosen.doc_number == "国办发〔2025〕3号"
    missed = extract(html.encode(), url, selectors={"doc_number": "td.nothing", "editor": "p.x"})
    assert missed.doc_number == "国发〔2026〕21号" and missed.field_sources["doc_number"] == "text"
    assert missed.editor == "王五" and missed.field_sources["editor"] == "text"


@pytest.mark.parametrize("key, text, expected", [
    ("doc_number", "发文字号：工业和信息化部公告2026年第27号", "工业和信息化部公告2026年第27号"),
    ("doc_number", "工信部联规（2026）31号", "工信部联规〔2026〕31号"),
    ("doc_number", "文号：京政办字第12号", "京政办字第12号"),       # unknown form: the short text
    ("editor", "Edit:Yao jue Responsible editor:Xie Tunan", "Yao jue / Xie Tunan"),
    ("editor", "（责任编辑：李明）", "李明"),
    ("editor", "Zhang San", "Zhang San"),
])
def test_selected_doc_number_and_editor_values_are_cleaned(key, text, expected):
    html = f"<html><body><div class='v'>{text}</div><p>正文。</p></body></html>".encode()
    result = extract(html, "https://example.cn/a.html", selectors={key: "div.v"})
    assert getattr(result, key) == expected


def test_invalid_selector_is_reported_and_the_rest_extracted():
    result = extract(fixture("outlook_seed.html"), SEED_URL, selectors={"title": "div[[["})
    assert "[article] title" in result.error and "div[[[" in result.error
    assert result.title.startswith("Ministry of Industry")
    assert result.body


def test_list_title_hint_is_used_when_the_page_has_no_better_title():
    html = b"<html><body><p>" + "正文内容，讲的是一件事情。".encode() * 20 + b"</p></body></html>"
    result = extract(html, "https://example.cn/a.html", hints={"title": "列表页上的完整标题"})
    assert result.title == "列表页上的完整标题"
    assert result.field_sources["title"] == "list"


@pytest.mark.parametrize("raw, message", [
    (b"", "empty page"),
    (b"   \n ", "empty page"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article title or text"),
])
def test_bad_pages_never_raise(raw, message):
    result = extract(raw, "https://example.cn/bad")
    assert isinstance(result, Extracted)
    assert message in result.error


def test_truncated_and_binary_pages_never_raise():
    truncated = fixture("miit_policy.html")[:1500]
    result = extract(truncated, MIIT_URL)
    assert result.title == "工业和信息化部关于推进智能制造标准体系建设的指导意见"
    noise = bytes(range(256)) * 40
    assert isinstance(extract(noise, "https://example.cn/noise"), Extracted)


def test_to_json_has_every_key_of_the_command():
    data = json.loads(extract(fixture("outlook_seed.html"), SEED_URL).to_json())
    assert list(data) == ["url", "title", "published", "published_text", "date_source", "author",
                          "editor", "site", "original_source", "doc_number", "body", "lang",
                          "attachments", "encoding", "field_sources", "error"]
    assert data["published"] == "2025-11-04T00:00:00+08:00"


@pytest.mark.parametrize("page_title, expected", [
    ("部长会见外宾_中华人民共和国工业和信息化部", "部长会见外宾"),
    ("法国全国大罢工再次严重影响交通-新华网", "法国全国大罢工再次严重影响交通"),
    ("明日股市预测--最新出炉联合国贸发报告：2019年全球经济增长率降至2.3%",
     "最新出炉联合国贸发报告：2019年全球经济增长率降至2.3%"),
    ("Port throughput sets new high | Harbour Times", "Port throughput sets new high"),
    ("China's exports rise in mid-November", "China's exports rise in mid-November"),
    ("1-10月德清县固定资产投资结构趋稳趋优", "1-10月德清县固定资产投资结构趋稳趋优"),
])
def test_site_and_column_names_leave_the_title(page_title, expected):
    from crawler.extraction.title import strip_site_suffix
    assert strip_site_suffix(page_title, ["example.cn"]) == expected
