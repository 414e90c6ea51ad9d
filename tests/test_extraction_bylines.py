"""Authors and titles on pages of our own making, modelled on real structures (issue 13):
byline elements, rel="author", By/Von/作者/记者/文 bylines, JSON-LD authors that are @id
references into a Yoast graph, never the site or a portal; titles that keep the lead,
ignore a share widget's copy of <title>, and lose -新华网-style site suffixes."""

import json

import pytest

from crawler.extraction import extract

PROSE = ("<p>" + "The council passed the budget after a long debate on Tuesday night, with "
         "the opposition voting against it. " * 4 + "</p>")
DE_PROSE = ("<p>" + "Der Gemeinderat hat am Abend über den neuen Haushalt beraten und ihn nach "
            "langer Debatte mit knapper Mehrheit beschlossen. " * 4 + "</p>")
CN_PROSE = "<p>" + "市政府常务会议研究部署了进一步优化营商环境的具体措施，要求各部门抓好落实。" * 4 + "</p>"


def page(body: str, head: str = "", title: str = "Council passes budget", lang: str = "en") -> bytes:
    return (f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}'
            f"</head><body>{body}</body></html>").encode()


@pytest.mark.parametrize("byline, expected", [
    ("<span class='author vcard'><a class='url fn n' href='/author/jd/'>Jane Doe</a></span>",
     "Jane Doe"),
    ("<div class='byline'>By Jane Doe</div>", "Jane Doe"),
    ("<p class='article-byline'>By <a href='/staff/jane'>Jane Doe</a> and "
     "<a href='/staff/john'>John Roe</a></p>", "Jane Doe and John Roe"),
    ("<a rel='author' href='/author/jane'>Jane Doe</a>", "Jane Doe"),
    ("<div itemprop='author' itemscope itemtype='https://schema.org/Person'>"
     "<span itemprop='name'>Jane Doe</span><span itemprop='jobTitle'>Reporter</span></div>",
     "Jane Doe"),
    ("<div class='author'>Posted by Jane Doe on 4 March 2026, 18:30</div>", "Jane Doe"),
    ("<p class='autor'>Von Jane Doe, dpa</p>", "Jane Doe"),
    ("<span class='auteurs'>, par Jeanne Dupont</span>", "Jeanne Dupont"),     # plural class
    ("<span class='author-link'>| Autor: Jane Doe</span>", "Jane Doe"),        # a leading bar
    ("<address>By <a href='/staff/jane'>Jane Doe</a></address>", "Jane Doe"),
    ("<div class='post-meta--author'>Posted on March 4, 2026 by Jane Doe</div>", "Jane Doe"),
    ("<div class='byline'>Jane Doe | Publicado hace 3 horas</div>", "Jane Doe"),
    ("<div class='byline'>Jane Doe vor 5 Stunden</div>", "Jane Doe"),
    ("<div class='byline'>Jane Doe am Samstag</div>", "Jane Doe"),
    ("<div class='byline'>Jane Doe, Datum: 03.Mär.26</div>", "Jane Doe"),
    ("<div class='author'>Jane Doe, PhD</div>", "Jane Doe"),
    ("<div class='byline'>Interview: Jane Doe</div>", "Jane Doe"),
])
def test_byline_elements(byline, expected):
    raw = page(f"<article><h1>Council passes budget</h1>{byline}{PROSE}</article>")
    result = extract(raw, "https://news.example.com/budget.html")
    assert result.author == expected
    assert result.field_sources["author"] == "byline"


@pytest.mark.parametrize("line", ["By Jane Doe", "Von Jane Doe", "Par Jeanne Dupont",
                                  "Autor: Jane Doe", "Budget | By Jane Doe | March 4, 2026"])
def test_a_byline_written_as_a_line_under_the_headline(line):
    expected = "Jeanne Dupont" if "Jeanne" in line else "Jane Doe"
    raw = page(f"<article><h1>Council passes budget</h1><p>{line}</p>{PROSE}</article>")
    result = extract(raw, "https://news.example.com/budget.html")
    assert result.author == expected and result.field_sources["author"] == "text"


def test_a_by_line_far_from_the_headline_is_no_byline():
    raw = page("<article><h1>Council passes budget</h1>" + PROSE * 3 + "<p>By the river</p>"
               + PROSE + "</article>")
    assert extract(raw, "https://news.example.com/budget.html").author is None


def test_a_metadata_name_is_written_as_the_visible_byline_writes_it():
    for meta_name, shown in (("Jane Doe", "JANE DOE"), ("Jane", "Jane Doe"),
                             ("janedoe", "Jane Doe")):
        head = f'<meta name="author" content="{meta_name}">'
        raw = page(f"<article><h1>Council passes budget</h1><div class='byline'>{shown}</div>"
                   + PROSE + "</article>", head=head)
        result = extract(raw, "https://news.example.com/budget.html")
        assert result.author == shown and result.field_sources["author"] == "byline"
    # Another person in the byline, or several: the metadata stands, joined with " / ".
    head = '<meta name="author" content="Jane Doe; John Roe">'
    raw = page("<article><h1>Council passes budget</h1><div class='byline'>Jane Doe and John "
               "Roe</div>" + PROSE + "</article>", head=head)
    assert extract(raw, "https://news.example.com/budget.html").author == "Jane Doe / John Roe"
    head = '<meta name="author" content="Jane Doe">'
    raw = page("<article><h1>Council passes budget</h1><div class='byline'>Photos: Max Roe</div>"
               + PROSE + "</article>", head=head)
    assert extract(raw, "https://news.example.com/budget.html").author == "Jane Doe"


def test_a_personal_blog_s_publisher_is_its_author_not_a_site():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": ["Person", "Organization"], "@id": "https://blog.example.org/#/person/1",
         "name": "Jane Doe"},
        {"@type": "BlogPosting", "headline": "Council passes budget",
         "publisher": {"@id": "https://blog.example.org/#/person/1"}}]}
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    raw = page("<article><h1>Council passes budget</h1><span class='byline'>Author Jane Doe"
               "</span>" + PROSE + "</article>", head=head)
    result = extract(raw, "https://blog.example.org/budget/")
    assert result.author == "Jane Doe"


def test_html_entities_in_a_json_ld_author_are_decoded():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Presupuesto",
          "author": {"@type": "Person", "name": "Redacci&oacute;n Central"}}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    raw = page("<h1>Presupuesto</h1>" + PROSE, head=head, title="Presupuesto", lang="es")
    assert extract(raw, "https://news.example.com/p.html").author == "Redacción Central"


def test_a_comment_authors_name_is_not_the_byline():
    raw = page("<article><h1>Council passes budget</h1>" + PROSE + "</article>"
               "<div id='comments'><div class='comment'><span class='author'>Troll42</span>"
               "<p>First!</p></div></div>")
    assert extract(raw, "https://news.example.com/budget.html").author is None


def test_an_empty_byline_label_names_nobody():
    raw = page("<article><h1>Council passes budget</h1><div class='author'>By</div>"
               "<div class='byline'>Posted on</div>" + PROSE + "</article>")
    assert extract(raw, "https://news.example.com/budget.html").author is None


def test_json_ld_author_that_is_an_id_reference_to_a_person_in_the_yoast_graph():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "https://example.org/#organization",
         "name": "Example Times"},
        {"@type": "WebPage", "@id": "https://example.org/budget/#webpage",
         "name": "Council passes budget - Example Times"},
        {"@type": "Article", "@id": "https://example.org/budget/#article",
         "headline": "Council passes budget",
         "author": {"@id": "https://example.org/#/schema/person/abc"},
         "publisher": {"@id": "https://example.org/#organization"}},
        {"@type": "Person", "@id": "https://example.org/#/schema/person/abc",
         "name": "Jane Doe"}]}
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    result = extract(page("<h1>Council passes budget</h1>" + PROSE, head=head),
                     "https://example.org/budget/")
    assert result.author == "Jane Doe" and result.field_sources["author"] == "json-ld"


def test_an_organisation_as_json_ld_author_or_the_site_as_meta_author_is_no_byline():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council passes budget",
          "author": {"@type": "Organization", "name": "Example Times"}}
    head = (f'<script type="application/ld+json">{json.dumps(ld)}</script>'
            '<meta name="author" content="Example Times"><meta property="og:site_name" '
            'content="Example Times">')
    result = extract(page("<h1>Council passes budget</h1>" + PROSE, head=head),
                     "https://www.example-times.com/budget/")
    assert result.author is None


def test_yoast_written_by_meta_pair():
    head = ('<meta name="twitter:label1" content="Verfasst von">'
            '<meta name="twitter:data1" content="Erika Mustermann">')
    raw = page("<h1>Haushalt beschlossen</h1>" + DE_PROSE, head=head, title="Haushalt beschlossen",
               lang="de")
    result = extract(raw, "https://www.example.de/haushalt/")
    assert result.author == "Erika Mustermann" and result.field_sources["author"] == "meta"


@pytest.mark.parametrize("line, expected", [
    ("作者：张晓明", "张晓明"),
    ("文/王小二", "王小二"),
    ("记者：李华 赵强", "李华 赵强"),
])
def test_chinese_bylines(line, expected):
    raw = page(f"<h1>市政府部署优化营商环境工作</h1><div class='info'>2026-03-02 {line}</div>" + CN_PROSE,
               title="市政府部署优化营商环境工作", lang="zh-CN")
    result = extract(raw, "http://www.example.gov.cn/art/1.html")
    assert result.author == expected


def test_the_portal_name_is_never_the_author():
    raw = page("<h1>市政府部署优化营商环境工作</h1><div>作者：新华网</div>" + CN_PROSE,
               head='<meta property="og:site_name" content="新华网">',
               title="市政府部署优化营商环境工作-新华网", lang="zh-CN")
    assert extract(raw, "http://www.news.cn/2026-03/02/c_1.htm").author is None


# --- titles -----------------------------------------------------------------------------

def test_the_headline_keeps_its_lead_and_the_site_suffix_goes():
    raw = page("<h1>市政府部署优化营商环境工作</h1>" + CN_PROSE, title="市政府部署优化营商环境工作-新华网",
               lang="zh-CN")
    result = extract(raw, "http://www.news.cn/2026-03/02/c_1.htm")
    assert result.title == "市政府部署优化营商环境工作"


def test_a_share_widgets_copy_of_the_title_does_not_win():
    share = ("<div class='share'><h2>分享到：</h2><h3>市政府部署优化营商环境工作_新华网 - 新华网</h3></div>")
    raw = page(share + "<div class='article'><h1>市政府部署优化营商环境工作</h1>" + CN_PROSE + "</div>",
               title="市政府部署优化营商环境工作_新华网", lang="zh-CN")
    assert extract(raw, "http://www.news.cn/2026-03/02/c_2.htm").title == "市政府部署优化营商环境工作"


def test_a_blogs_masthead_is_not_the_headline():
    raw = page("<header><h1 class='site-title'>Gnaddrig ad libitum</h1></header><article>"
               "<h2 class='entry-title'>Scherenschnitt (3)</h2>" + DE_PROSE + "</article>",
               head='<meta property="og:site_name" content="Gnaddrig ad libitum">',
               title="Scherenschnitt (3) | Gnaddrig ad libitum", lang="de")
    assert extract(raw, "https://gnadlib.example.com/2020/01/05/scherenschnitt-3/").title == (
        "Scherenschnitt (3)")


def test_an_opengraph_title_keeps_a_dash_that_is_part_of_the_headline():
    head = ('<meta property="og:title" content="Minions malen – mit Rolle und bunten Farben">'
            '<meta property="og:site_name" content="Papaganda">')
    raw = page("<h1>Anderes</h1>" + DE_PROSE, head=head,
               title="Minions malen – mit Rolle und bunten Farben | Papaganda", lang="de")
    assert extract(raw, "https://papaganda.example.org/minions/").title == (
        "Minions malen – mit Rolle und bunten Farben")


def test_the_typeset_h1_beats_its_plain_opengraph_copy():
    head = "<meta property=\"og:title\" content=\"Editor's Letter: bye OC Baby\">"
    raw = page("<h1>Editor’s Letter: bye OC Baby</h1>" + PROSE, head=head, title="The Copy")
    assert extract(raw, "https://copy.example.com/letter/").title == "Editor’s Letter: bye OC Baby"
