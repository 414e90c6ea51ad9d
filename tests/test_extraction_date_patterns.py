"""The date failure patterns seen on real pages (issue 13), each on a page of our own
making: where the date sits, the forms it takes, which of several dates is the right one,
relative dates, zones, and the htmldate layer."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.extraction import extract
from crawler.extraction.dates import BEIJING, find_dates, month_day, parse_date
from crawler.extraction.published import near_title_date

FETCHED = datetime(2026, 3, 10, 6, 0, tzinfo=timezone.utc)  # 14:00 in Beijing
PROSE = ("<p>" + "Der Gemeinderat hat am Abend über den neuen Haushalt beraten und ihn nach "
         "langer Debatte mit knapper Mehrheit beschlossen. " * 4 + "</p>")
CN_PROSE = "<p>" + "市政府常务会议研究部署了进一步优化营商环境的具体措施，要求各部门抓好落实。" * 4 + "</p>"


def page(body: str, head: str = "", title: str = "Haushalt beschlossen", lang: str = "de") -> bytes:
    return (f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}'
            f"</head><body>{body}</body></html>").encode()


def cn_page(body: str, head: str = "", title: str = "市政府部署优化营商环境工作") -> bytes:
    return page(body, head, title, lang="zh-CN")


def day(result) -> str:
    return result.published.date().isoformat() if result.published else None


# --- where the date is ------------------------------------------------------------------

def test_a_dateline_above_the_headline():
    raw = cn_page("<div class='nav'>首页 > 要闻</div><div class='info'>2026-03-02 09:15 来源：市政府办公厅"
                  "</div><h1>市政府部署优化营商环境工作</h1>" + CN_PROSE
                  + "<ul><li><a href='/a'>相关：去年的工作回顾</a> 2025-12-30</li></ul>")
    result = extract(raw, "http://www.example.gov.cn/art/1.html", fetched_at=FETCHED)
    assert result.published == datetime(2026, 3, 2, 9, 15, tzinfo=BEIJING)
    assert result.date_source == "text"


@pytest.mark.parametrize("post_line, expected", [
    ("发表于 2026-02-27 21:04", datetime(2026, 2, 27, 21, 4, tzinfo=BEIJING)),
    ("由 老张 于 2026-02-27 21:04 发表", datetime(2026, 2, 27, 21, 4, tzinfo=BEIJING)),
    ("由 老张 于 2026年2月27日21:04 发表", datetime(2026, 2, 27, 21, 4, tzinfo=BEIJING)),
    ("发表于 2026年2月27日 09:04 PM", datetime(2026, 2, 27, 21, 4, tzinfo=BEIJING)),
])
def test_a_forum_or_blog_post_line_under_the_text(post_line, expected):
    raw = cn_page("<div id='header'>论坛首页 | 版块</div><h1>市政府部署优化营商环境工作</h1>"
                  + CN_PROSE * 10 + f"<div class='postinfo'>{post_line}</div>")
    result = extract(raw, "http://bbs.example.cn/thread-1.html", fetched_at=FETCHED)
    assert result.published == expected


def test_a_title_found_only_late_in_the_page():
    menu = "".join(f"<li><a href='/c{i}'>栏目{i}</a></li>" for i in range(120))
    raw = cn_page(f"<ul>{menu}</ul><h1>市政府部署优化营商环境工作</h1><div>发布时间：2026-03-01 10:00</div>"
                  + CN_PROSE)
    result = extract(raw, "http://www.example.gov.cn/art/2.html", fetched_at=FETCHED)
    assert result.published == datetime(2026, 3, 1, 10, 0, tzinfo=BEIJING)


# --- forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2026年03月02日09:15", datetime(2026, 3, 2, 9, 15, tzinfo=BEIJING)),     # no space
    ("2026-03-02 09:15:0", datetime(2026, 3, 2, 9, 15, tzinfo=BEIJING)),      # trailing :0
    ("2026年3月2日 下午3:05", datetime(2026, 3, 2, 15, 5, tzinfo=BEIJING)),
    ("2026年3月2日 03:05 PM", datetime(2026, 3, 2, 15, 5, tzinfo=BEIJING)),
    ("02.03.2026", datetime(2026, 3, 2, tzinfo=BEIJING)),                     # day first
    ("02.03.2026 - 13:30", datetime(2026, 3, 2, 13, 30, tzinfo=BEIJING)),
    ("04.05.20 14:50", datetime(2020, 5, 4, 14, 50, tzinfo=BEIJING)),         # DD.MM.YY
    ("19. Juli 2014", datetime(2014, 7, 19, tzinfo=BEIJING)),
    ("3. März 2020 um 14:30 Uhr", datetime(2020, 3, 3, 14, 30, tzinfo=BEIJING)),
    ("le 3 mars 2020 à 14h30", datetime(2020, 3, 3, 14, 30, tzinfo=BEIJING)),
    ("5 de mayo de 2022", datetime(2022, 5, 5, tzinfo=BEIJING)),
    ("12 grudnia 2019", datetime(2019, 12, 12, tzinfo=BEIJING)),
    ("21 settembre 2021", datetime(2021, 9, 21, tzinfo=BEIJING)),
    ("1 januari 2022", datetime(2022, 1, 1, tzinfo=BEIJING)),
    ("26/12/2019 von Webteam", datetime(2019, 12, 26, tzinfo=BEIJING)),        # day > 12
    ("12/26/2019 9:30 pm", datetime(2019, 12, 26, 21, 30, tzinfo=BEIJING)),   # month first
])
def test_forms_of_real_pages(text, expected):
    assert parse_date(text) == expected


def test_an_ambiguous_slash_date_is_not_guessed():
    assert parse_date("04/11/2025") is None and find_dates("am 04/11/2025 erschienen") == []


def test_cst_is_us_central_on_english_pages_and_china_time_on_chinese_ones():
    assert parse_date("Nov 25, 2025 7:21 PM CST", default_tz=timezone.utc) == datetime(
        2025, 11, 25, 19, 21, tzinfo=timezone(timedelta(hours=-6)))
    assert parse_date("Nov 25, 2025 7:21 PM CST", default_tz=BEIJING) == datetime(
        2025, 11, 25, 19, 21, tzinfo=BEIJING)
    en = page("<h1>Storm hits Dallas</h1><p class='dateline'>Published Nov 25, 2025 7:21 PM CST</p>"
              "<p>" + "A storm knocked out power to thousands of homes across the city. " * 5
              + "</p>", title="Storm hits Dallas", lang="en")
    result = extract(en, "https://news.example.com/storm.html")
    assert result.published == datetime(2025, 11, 26, 1, 21, tzinfo=timezone.utc)
    zh = cn_page("<h1>市政府部署优化营商环境工作</h1><div>2025-11-25 19:21 CST</div>" + CN_PROSE)
    assert extract(zh, "http://www.example.com/1.html").published == datetime(
        2025, 11, 25, 19, 21, tzinfo=BEIJING)


def test_february_29_without_a_year_falls_in_a_leap_year():
    found = month_day("发布时间：02-29 12:00", FETCHED, BEIJING)
    assert found.value == datetime(2024, 2, 29, 12, 0, tzinfo=BEIJING)
    raw = cn_page("<h1>市政府部署优化营商环境工作</h1><div>发布时间：02-29 12:00</div>" + CN_PROSE)
    result = extract(raw, "http://www.example.gov.cn/art/3.html", fetched_at=FETCHED)
    assert result.published == datetime(2024, 2, 29, 12, 0, tzinfo=BEIJING)


# --- elements and metadata --------------------------------------------------------------

def test_time_element_without_itemprop_or_pubdate():
    raw = page("<article><h1>Haushalt beschlossen</h1><time datetime='2026-03-04T18:30:00+01:00'>"
               "4. März 2026</time>" + PROSE + "</article>")
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04"


def test_wordpress_entry_date():
    raw = page("<article><h1 class='entry-title'>Haushalt beschlossen</h1><div class='entry-meta'>"
               "<span class='posted-on'>Posted on <a href='/2026/03/04/'><time class='entry-date "
               "published' datetime='2026-03-04T18:30:00+00:00'>4. März 2026</time><time "
               "class='updated' datetime='2026-03-08T10:00:00+00:00'>8. März 2026</time></a>"
               "</span></div>" + PROSE + "</article>")
    result = extract(raw, "https://blog.example.org/haushalt/")
    assert day(result) == "2026-03-04"


def test_a_template_date_modified_in_json_ld_that_the_visible_date_contradicts():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
          '"NewsArticle", "headline": "Haushalt beschlossen", "datePublished": '
          '"2025-06-01T08:00:00+02:00", "dateModified": "2026-03-04T18:30:00+01:00"}</script>')
    raw = page("<article><h1>Haushalt beschlossen</h1><p class='meta'><span class='date'>"
               "04.03.2026</span></p>" + PROSE + "</article>", head=ld)
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04"
    assert result.date_source == "time"


def test_a_cms_default_meta_date_yields_to_the_labelled_dateline():
    raw = page("<h1>Haushalt beschlossen</h1><p>Veröffentlicht am 04.03.2026, 18:30</p>" + PROSE,
               head='<meta name="date" content="2020-01-01">')
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert result.published == datetime(2026, 3, 4, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert result.date_source == "text"


def test_the_modified_date_is_never_chosen_over_the_published_one():
    head = ('<meta property="article:modified_time" content="2026-03-08T10:00:00+01:00">'
            '<meta property="article:published_time" content="2026-03-04T18:30:00+01:00">')
    raw = page("<h1>Haushalt beschlossen</h1><p>Aktualisiert am 08.03.2026</p>" + PROSE, head=head)
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04" and result.date_source == "meta"


@pytest.mark.parametrize("dateline", [
    "Von Anna Muster 04.03.2026 | 18:30 Uhr",   # byline and date under the headline
    "4 March 2026 · 6 min read",
    "Von Anna Muster 4. März 2026.",            # a byline ending with a full stop
    "Erschienen am 4. März 2026 im Format Aktuelles",
])
def test_a_metadata_date_yields_to_the_dateline_under_the_headline(dateline):
    head = '<meta property="article:published_time" content="2025-11-20T09:00:00+01:00">'
    raw = page("<h1>Haushalt beschlossen</h1><p class='lead'>" + "Der Rat hat entschieden. " * 5
               + f"</p><div class='byline'>{dateline}</div>" + PROSE
               + "<aside><p>Mehr zum Thema</p><p>Alte Meldung</p><p>20.11.2025</p></aside>",
               head=head)
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04" and result.date_source == "text"


def test_a_date_quoted_further_down_does_not_overrule_the_metadata():
    # Not under the headline: a line of prose, a sidebar of other articles, a comment.
    head = '<meta property="article:published_time" content="2026-03-04T18:30:00+01:00">'
    raw = page("<h1>Haushalt beschlossen</h1>" + PROSE
               + "<p>Das Urteil vom 24.01.2026 bleibt.</p>" + PROSE
               + "<ul><li>Haushalt beschlossen: die Reaktionen 12.02.2026</li></ul>"
               + "<div class='comment'>Kommentar vom 08.03.2026 um 10:00</div>", head=head)
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04" and result.date_source == "meta"


@pytest.mark.parametrize("label", ["Aktualisiert am", "Mis à jour le", "Actualizado el",
                                   "Termin:"])
def test_update_and_event_labels_in_other_languages_are_not_the_publication(label):
    head = '<meta property="article:published_time" content="2026-03-04T18:30:00+01:00">'
    raw = page(f"<h1>Haushalt beschlossen</h1><p>{label} 08.03.2026</p>" + PROSE, head=head)
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert day(result) == "2026-03-04"


def test_the_markup_date_htmldate_reads_beats_a_stray_date_in_the_text():
    # No metadata, no labelled date: htmldate's reading of the markup (a date-classed
    # element) comes before the first bare date of the text (a linked older article).
    raw = page("<h1>Haushalt beschlossen</h1><div class='article-date'>2026-03-04</div>"
               + PROSE + "<p>Siehe auch: Rat vertagt Haushalt, 13.02.2026</p>" + PROSE)
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-03-04"


def test_a_year_and_month_path_bounds_the_date():
    from crawler.extraction.published import url_date

    assert url_date("https://blog.example.de/2019/10/ein-artikel/").precision == "month"
    assert url_date("https://blog.example.de/2019/10/ein-artikel/").value.month == 10


# --- relative dates and zones -----------------------------------------------------------

@pytest.mark.parametrize("dateline, expected", [
    ("Today", datetime(2026, 3, 10, tzinfo=timezone.utc)),
    ("1 minute ago", FETCHED - timedelta(minutes=1)),
    ("3小时前", FETCHED - timedelta(hours=3)),
    ("昨天 10:20", datetime(2026, 3, 9, 10, 20, tzinfo=BEIJING)),
])
def test_relative_dates_count_from_the_fetch_time_not_the_run(dateline, expected):
    body = (f"<h1>市政府部署优化营商环境工作</h1><div class='time'>{dateline}</div>" + CN_PROSE
            if any("\u4e00" <= ch <= "\u9fff" for ch in dateline) else
            f"<h1>Council passes budget</h1><div class='time'>{dateline}</div><p>"
            + "The council passed the budget after a long debate on Tuesday night. " * 5 + "</p>")
    raw = (cn_page(body) if "市政府" in body else
           page(body, title="Council passes budget", lang="en"))
    result = extract(raw, "https://www.example.com/story.html", fetched_at=FETCHED)
    assert result.published == expected


def test_a_utc_stamp_keeps_its_instant_and_the_day_of_the_pages_zone():
    raw = page("<h1>Haushalt beschlossen</h1>" + PROSE,
               head='<meta property="article:published_time" content="2026-03-04T23:30:00Z">')
    result = extract(raw, "https://www.example.de/politik/haushalt")
    assert result.published == datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc)  # same instant
    assert day(result) == "2026-03-05"  # 00:30 in Berlin
    assert result.published.utcoffset() == timedelta(hours=1)


def test_htmldate_is_a_layer_for_what_our_rules_do_not_read():
    # A date only in a <abbr class="published" title=…> element, which htmldate reads.
    raw = page("<h1>Haushalt beschlossen</h1><p><abbr class='published' "
               "title='2026-03-04T18:30:00+01:00'>vor einigen Tagen</abbr></p>" + PROSE)
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-03-04"
    assert result.field_sources["published"] == "htmldate"


def test_month_names_are_found_in_running_text():
    found = find_dates("Berlin, 19. Juli 2014 – Der Rat tagte.", timezone.utc)
    assert [f.text for f in found] == ["19. Juli 2014"]


# --- the headline's line, and the dates a reader does not read as the article's --------

EN_PROSE = "<p>" + "The council passed the budget after a long debate on Tuesday night. " * 5 + "</p>"


def test_a_teaser_that_cuts_the_headline_short_is_not_the_headline():
    # A "next story" link with the same headline cut short comes first in the page; the
    # dateline sits under the full headline, with the published and updated times.
    raw = page("<ul class='trending'><li><a href='/b'>Council passes the budget after a "
               "long…</a></li><li>Tuesday, March 10th 2026</li></ul>"
               "<h1>Council passes the budget after a long night of debate</h1>"
               "<p class='standfirst'>" + "The mayor had warned of cuts to the libraries. " * 3
               + "</p><p class='byline'>By Staff reports</p><p class='date'>PUBLISHED: March 3, "
               "2026 at 11:30 p.m. | UPDATED: March 4, 2026 at 12:21 a.m.</p>" + EN_PROSE,
               head='<meta property="article:published_time" content="2026-03-04T05:30:00Z">',
               title="Council passes the budget after a long night of debate", lang="en")
    result = extract(raw, "https://www.example.com/news/council-budget", fetched_at=FETCHED)
    assert result.published == datetime(2026, 3, 3, 23, 30, tzinfo=timezone.utc)
    assert result.date_source == "text"


def test_a_headline_after_a_kicker_is_the_headline():
    raw = page("<h1>\"Lange Nacht\": Haushalt beschlossen</h1><p>1. März 2026</p>" + PROSE
               + "<h3>Haushalt beschlossen</h3><p>11. Februar 2018</p>",
               head='<meta property="article:published_time" content="2026-03-01T12:00:00+01:00">')
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-03-01"


def test_the_date_line_under_a_byline_block_of_several_short_lines():
    raw = page("<h1>Council passes budget</h1><p>By Jane Doe</p><p>View author archive</p>"
               "<p>email the author</p><p>follow on twitter</p><p>Get author RSS feed</p>"
               "<p class='byline-date'>March 3, 2026 | 9:25pm</p>" + EN_PROSE,
               head='<meta property="article:published_time" content="2026-03-04T02:25:00Z">',
               title="Council passes budget", lang="en")
    result = extract(raw, "https://www.example.com/2026/03/03/council-budget/", fetched_at=FETCHED)
    assert day(result) == "2026-03-03"  # what the page shows, not the UTC day of the meta


def test_a_forum_members_registration_date_is_not_the_posts():
    raw = page("<h1>Haushalt beschlossen</h1><div class='postprofile'>Registriert: 18.09.2008, "
               "05:56</div><div class='post'>Beitrag von jane am 21.01.2009, 05:42</div>" + PROSE)
    result = extract(raw, "https://forum.example.de/viewtopic.php?t=167", fetched_at=FETCHED)
    assert day(result) == "2009-01-21"


def test_a_date_range_is_an_events_period_not_a_dateline():
    raw = page("<h1>Haushalt beschlossen</h1><p>Tippspiel +++ KW 4 +++ 28.01.2026 – "
               "29.01.2026</p><p>2. Februar 2026</p>" + PROSE)
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-02-02"


def test_a_machine_stamp_in_the_text_is_not_the_date_a_reader_sees():
    # Avada's hidden "updated" span writes the update time as ISO 8601 before the date shown.
    raw = page("<h1>Haushalt beschlossen</h1><div class='meta'><span>Jane Doe</span>"
               "<span class='updated rich-snippet-hidden'>2026-02-07T10:10:52+01:00</span>"
               "<span>25. Februar 2026</span></div>" + PROSE,
               head='<meta property="article:published_time" content="2026-02-25T11:00:02+00:00">'
                    '<meta property="article:modified_time" content="2026-02-07T09:10:52+00:00">')
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-02-25"


def test_a_label_in_its_own_element_names_the_date_in_the_next():
    raw = page("<h1>Haushalt beschlossen</h1><div class='infos'><div>Autor</div><div>Jane Doe"
               "</div><div>Erschienen am</div><div>15.02.2026</div></div>" + PROSE
               + "<aside><div>weitere Artikel</div><div>Von Jörg Staff am 16.01.2026</div></aside>",
               head='<meta property="article:published_time" content="2026-02-15T09:09:41+00:00">')
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-02-15"


def test_an_embedded_posts_time_is_the_posts_not_the_articles():
    raw = page("<article><h1>Haushalt beschlossen</h1>" + PROSE + PROSE
               + "<blockquote class='instagram-media'><p>Ein Beitrag geteilt von Jane "
               "(@jane) am <time datetime='2025-04-21T11:47:00+00:00'>Apr 21, 2025 um 4:47 "
               "PDT</time></p></blockquote></article>",
               head='<meta property="article:published_time" content="2026-02-18T16:06:50+0100">')
    result = extract(raw, "https://www.example.de/people/story.html", fetched_at=FETCHED)
    assert day(result) == "2026-02-18"


def test_a_blocks_date_element_is_read_but_not_a_teaser_cards():
    raw = page("<article><h1>Haushalt beschlossen</h1><div class='article__date'>3 March, "
               "2026, 11:37 pm</div>" + PROSE + "</article>",
               head='<meta property="article:published_time" content="2026-03-04T03:37:37+00:00">',
               lang="en")
    result = extract(raw, "https://www.example.com/haushalt/", fetched_at=FETCHED, timezone="UTC")
    assert day(result) == "2026-03-03"  # the page shows the 3rd (UTC-4), the meta a UTC stamp
    raw = page("<article><h1>Haushalt beschlossen</h1>" + PROSE + PROSE + "<div class='card'><p class="
               "'card-desc'>Der Wald im Wandel</p><div class='card-date'>01.09.2004</div></div>"
               "</article>",
               head='<meta property="article:published_time" content="2026-01-21T08:00:00+01:00">')
    result = extract(raw, "https://www.example.de/wald/", fetched_at=FETCHED)
    assert day(result) == "2026-01-21"


def test_a_dateline_that_opens_the_text_before_a_dash():
    raw = page("<h1>Haushalt beschlossen</h1><p class='caption'>" + "Der Rat im Sitzungssaal "
               "der Stadt, aufgenommen am Abend vor der Abstimmung über den Haushalt. " * 2
               + "</p><p>Berlin, 29.01.2026 – " + "Der Gemeinderat hat den Haushalt nach langer "
               "Debatte beschlossen. " * 4 + "</p>" + PROSE)
    result = extract(raw, "https://www.example.de/politik/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-01-29"
    assert result.date_source == "text"


def test_a_dateline_glued_to_the_end_of_the_standfirst():
    raw = page("<h1>Council passes budget</h1><p class='standfirst'>" + "The libraries stay "
               "open, the mayor said after a long night of debate in the council chamber. " * 2
               + "What is the secret of the deal?<span class='date'> Monday, 2 March 2026</span>"
               "</p>" + EN_PROSE, title="Council passes budget", lang="en",
               head='<meta property="article:published_time" content="2026-02-27T09:48:24Z">')
    result = extract(raw, "https://www.example.co.uk/news/2026/03/council-budget",
                     fetched_at=FETCHED)
    assert day(result) == "2026-03-02"  # what the page shows beats an earlier meta date


def test_a_date_in_the_first_paragraphs_prose_is_not_a_glued_dateline():
    lines = ["Haushalt beschlossen", "Der Gemeinderat hat lange beraten. " * 4
             + "Die Abstimmung folgt am 29.01.2026 – so der Plan der Verwaltung.",
             "Der Rat tagt wieder am 3. März 2026, sagte die Bürgermeisterin. " * 3]
    assert near_title_date(lines, "Haushalt beschlossen", timezone.utc, FETCHED) is None


def test_a_dateline_that_opens_the_text_as_a_sentence_under_a_kicker_headline():
    # The <title> holds the headline; the page shows it after a column's kicker and " - ".
    raw = page("<h2>Kolumne: Queer Royal - Haushalt beschlossen</h2><p class='intro'>"
               "<span class='text_datum'>31. Januar 2026.</span> " + "Der Gemeinderat hat "
               "den Haushalt nach langer Debatte mit knapper Mehrheit beschlossen. " * 3
               + "</p>" + PROSE)
    result = extract(raw, "https://www.example.de/kolumnen/haushalt", fetched_at=FETCHED)
    assert day(result) == "2026-01-31"


def test_a_labelled_date_in_the_story_after_the_dateline_is_a_fact_of_the_story():
    # A photo's details list under the text ("Datum: 31/08/2025" is when it was taken).
    raw = page("<h1>Plejaden, M45</h1><p>September 17, 2025</p><p>Jane Doe</p>" + PROSE
               + "<ul><li>Optik: Teleobjektiv</li><li>Datum: 31/08/2025</li>"
               "<li>Uhrzeit: ab Mitternacht</li></ul>", title="Plejaden, M45",
               head='<script type="application/ld+json">{"@context": "https://schema.org", '
                    '"@graph": [{"@type": "WebPage", "datePublished": '
                    '"2025-09-17T14:54:31+02:00"}]}</script>')
    result = extract(raw, "https://www.example.de/astrofoto/plejaden/", fetched_at=FETCHED)
    assert day(result) == "2025-09-17"
