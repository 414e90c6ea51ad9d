"""Fingerprints read the same facts whichever language wrote them, and link the chains
that shingles cannot: a rewrite, a translation, a credited original."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from alerts import fingerprints, stories, story_index
from tests.support.archive_articles import add_article, story_db  # noqa: F401 (fixture db)
from tests.support.backends import archive_target, postgres_server  # noqa: F401


@pytest.fixture(scope="module")
def aliases():
    return stories.alias_index(None)  # the bundled seeds/aliases.toml


def facts(text: str, aliases, published=None) -> set[str]:
    fp = fingerprints.extract("", text, aliases, published=published)
    return {t for t in fp.tokens if not t.startswith(("pc:", "m:"))}


@pytest.mark.parametrize("zh, en", [
    ("规模达到9000亿元。", "worth 900 billion yuan."),
    ("共有5000余家企业参与。", "over 5,000 companies took part."),
    ("第11期培训班开班。", "the 11th issue of the training course."),
    ("第十一批名单公布。", "the eleventh batch of the list."),
    ("同比增长18.5%。", "up 18.5 percent year-on-year."),
    ("增速提高2.3个百分点。", "growth quickened by 2.3 percentage points."),
    ("超六成企业深耕细分市场。", "more than 60 percent of the firms."),
    ("11月3日发布。", "released on Nov. 3."),
    ("11月3日发布。", "released on 3 November."),
    ("工信部联科〔2026〕123号文件。", "Document No. 123 [2026]."),
    ("商务部公告2026年第58号。", "Announcement No. 58 [2026]."),
    ("共计八条措施。", "eight measures in all."),
    ("工业和信息化部表示。", "the MIIT said."),
    ("在《求是》发表文章。", 'wrote in "Qiushi Journal".'),
    ("在《党建》发表文章。", 'an article in "Party Building".'),
    ("营业收入104,530亿元。", "revenue of 10.5 trillion yuan."),
])
def test_the_same_fact_gives_the_same_token_in_both_languages(aliases, zh, en):
    shared = facts(zh, aliases) & facts(en, aliases)
    assert shared - {"a:party-building", "a:qiushi", "y:2026"}, (facts(zh, aliases), facts(en, aliases))


def test_a_translator_s_rounding_still_shares_two_significant_digits(aliases):
    zh = fingerprints.extract("", "营业收入104,530亿元。", aliases)
    en = fingerprints.extract("", "revenue of 10.45 trillion yuan.", aliases)
    assert "m:1e+13" in zh.tokens & en.tokens


def test_names_cross_scripts_through_pinyin(aliases):
    zh = fingerprints.extract("", "工业和信息化部部长李乐成在会上讲话。", aliases)
    en = fingerprints.extract("", "Minister Li Lecheng spoke at the meeting.", aliases)
    other = fingerprints.extract("", "Minister Wang Wentao spoke at the meeting.", aliases)
    assert "pn:li|lecheng" in fingerprints.evidence(zh, en).tokens
    assert not any(t.startswith("pn:") for t in fingerprints.evidence(zh, other).tokens)
    # Two Chinese texts share name guesses all the time (any 高质量…): they never count.
    a = fingerprints.extract("", "推动高质量发展。", aliases)
    assert fingerprints.evidence(a, a).shared == 0


def test_relative_days_are_read_against_publication(aliases):
    thursday = date(2026, 11, 19)
    assert "d:11-19" in facts("The ministry said on Thursday that output grew.", aliases, thursday)
    assert "d:11-19" in facts("国家发展改革委19日表示。", aliases, thursday)
    assert "d:10-28" in facts("28日发布的数据显示。", aliases, date(2026, 11, 2))  # last month's 28th
    assert not any(t.startswith("d:") for t in facts("国家发展改革委19日表示。", aliases))


def test_years_small_numbers_and_headings_are_not_evidence(aliases):
    found = facts("2026年工作会议。\n上一篇：国家统计局发布1—10月数据 增长5.6%\n"
                  "会议要求做好3件事。", aliases)
    assert "p:5.6" not in found  # a navigation line names another story: not a fact
    assert "y:2026" in found and not any(t.startswith("n:") for t in found)


def test_original_source_lines_name_an_outlet_group(aliases):
    fp = fingerprints.extract("", "正文。\n（来源：证券日报）", aliases)
    assert fp.credits == {"securities-daily"}
    en = fingerprints.extract("", "Body text.\nSource: Securities Daily", aliases)
    assert en.credits == {"securities-daily"}
    field = fingerprints.extract("", "正文。", aliases, original_source="新华社")
    assert field.credits == {"xinhua"}
    assert aliases.group_of("www.zqrb.cn") == {"securities-daily"}
    assert aliases.group_of("Outlook New Era") == {"outlook-new-era"}


def test_a_same_week_story_of_the_same_ministry_shares_little(aliases):
    a = fingerprints.extract("", "工业和信息化部11月20日公布，前三季度软件业务收入104,530亿元，"
                                 "同比增长11.2%，利润总额12,870亿元。", aliases)
    b = fingerprints.extract("", "工业和信息化部11月20日召开推进会，已发布人工智能国家标准46项、"
                                 "行业标准31项。", aliases)
    ev = fingerprints.evidence(a, b)
    assert ev.shared < stories.MIN_SHARED


# ------------------------------------------------------------- chains in the archive

T0 = datetime(2026, 11, 3, 1, 0, tzinfo=timezone.utc)

MIIT = ("工业和信息化部党组书记、部长李乐成在《求是》发表署名文章《推进新型工业化》。文章指出，"
        "我国制造业增加值连续15年居世界首位，规模以上工业企业数字化研发设计工具普及率达到83.5%，"
        "已建成5000余家智能工厂，带动相关投资9000亿元。\n文章强调，要加快人工智能赋能制造业。")
ZQRB = ("本报记者 王宁\n工信部部长李乐成日前撰文表示，我国已建成智能工厂5000余家，带动投资达9000亿元，"
        "规模以上工业企业数字化研发设计工具普及率为83.5%。\n业内人士认为，人工智能与制造业融合有望提速。")
ONE = ("MIIT Minister Li Lecheng wrote in Qiushi Journal that China has built over 5,000 smart "
       "factories, driving investment of 900 billion yuan, and that 83.5 percent of large "
       "industrial firms now use digital R&D design tools.\nSource: Securities Daily")
SIBLING = ("工业和信息化部11月3日召开新闻发布会，介绍前三季度工业通信业发展情况。规模以上工业增加值同比增长"
           "5.9%，制造业增加值占GDP比重为26.8%，5G基站总数达到470万个。")


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def test_a_chain_across_outlets_and_languages_is_one_story_whichever_arrives_first(db):
    # Archived out of order: the English republication first, the minister's article last.
    one = add_article(db, title="Minister calls for faster AI use in manufacturing", body=ONE,
                      site="Outlook New Era", lang="en", published=at(26))
    zqrb = add_article(db, title="工信部部长：我国已建成5000余家智能工厂", body=ZQRB,
                       site="Securities Daily", published=at(5))
    sibling = add_article(db, title="工信部举行新闻发布会", body=SIBLING, site="MIIT",
                          published=at(2))
    miit = add_article(db, title="李乐成在《求是》发表署名文章", body=MIIT, site="MIIT",
                       published=at(0))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    story = stories.story_of(db, miit)
    assert stories.story_of(db, zqrb) == story == stories.story_of(db, one)
    assert stories.story_of(db, sibling) != story
    members = stories.members(db, story)
    assert [m["id"] for m in members] == [miit, zqrb, one]  # earliest published first
    assert stories.get_story(db, story)["first_article_id"] == miit
    # The first archived started the story; each later one records how it joined.
    assert [m["link"] is None for m in members] == [False, False, True]
    for m in members:
        if m["link"]:
            assert 0 < m["similarity"] <= 1 and m["evidence"]


def test_each_member_records_the_link_that_joined_it(db):
    miit = add_article(db, title="李乐成在《求是》发表署名文章", body=MIIT, site="MIIT",
                       published=at(0))
    zqrb = add_article(db, title="工信部部长：我国已建成5000余家智能工厂", body=ZQRB,
                       site="Securities Daily", published=at(5))
    one = add_article(db, title="Minister calls for faster AI use in manufacturing", body=ONE,
                      site="Outlook New Era", lang="en", published=at(26))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    links = {m["id"]: m for m in stories.members(db, stories.story_of(db, miit))}
    assert links[miit]["link"] is None
    assert links[zqrb]["link"] == "fingerprints" and links[zqrb]["matched_article_id"] == miit
    assert {"n:9e+11", "p:83.5"} <= set(links[zqrb]["evidence"])
    # "Source: Securities Daily" names the outlet: linked to its article, not the ministry's.
    assert links[one]["link"] == "source" and links[one]["matched_article_id"] == zqrb


def test_a_credited_outlet_without_shared_facts_is_not_joined(db):
    zqrb = add_article(db, title="工信部举行新闻发布会", body=SIBLING, site="Securities Daily",
                       published=at(0))
    one = add_article(db, title="Minister calls for faster AI use", body=ONE, site="Outlook New Era",
                      lang="en", published=at(20))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    assert stories.story_of(db, zqrb) != stories.story_of(db, one)


def test_fingerprints_survive_a_new_process(db):
    miit = add_article(db, title="李乐成在《求是》发表署名文章", body=MIIT, site="MIIT",
                       published=at(0))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(hours=1))
    story_index._indexes.clear()  # a new process rebuilds the index from the tables
    one = add_article(db, title="Minister calls for faster AI use", body=ONE,
                      site="Outlook New Era", lang="en", published=at(20))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=1))
    assert stories.story_of(db, one) == stories.story_of(db, miit)


def test_the_first_article_s_alert_names_the_others_with_their_language(db):
    from alerts import payload
    from alerts.channels.base import Message
    from alerts.rendering import Renderer

    miit = add_article(db, title="李乐成在《求是》发表署名文章", body=MIIT, site="MIIT",
                       published=at(0))
    zqrb = add_article(db, title="工信部部长：我国已建成5000余家智能工厂", body=ZQRB,
                       site="Securities Daily", published=at(5))
    add_article(db, title="Minister calls for faster AI use in manufacturing", body=ONE,
                site="Outlook New Era", lang="en", published=at(26))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    row = {"key": "k1", "topic": "ai-manufacturing", "topic_title": "AI + manufacturing",
           "mode": "immediate", "article_id": miit, "story_id": stories.story_of(db, miit),
           "match_id": None, "created": at(27)}
    body = payload.alert(db, row)
    assert body["story"]["first_article"]["id"] == miit
    others = body["story"]["also_published_by"]
    assert [o["label"] for o in others] == ["Securities Daily (zh)", "Outlook New Era (en)"]
    assert [o["link"] for o in others] == ["fingerprints", "source"]
    text = Renderer("console", "en", {}).render(Message("k1", "alert", body))
    assert "also published by: Securities Daily (zh), Outlook New Era (en)" in text


def test_place_groups_are_read_and_a_wrong_kind_is_a_clear_error(tmp_path):
    from alerts.aliases import AliasError, load_alias_groups

    path = tmp_path / "aliases.toml"
    path.write_text('[dalian]\nkind = "place"\nterms = ["大连", "Dalian"]\n'
                    '[dce]\nterms = ["大连商品交易所", "Dalian Commodity Exchange"]\n', "utf-8")
    index = stories.alias_index(path)
    zh = fingerprints.extract("", "大连商品交易所在大连举行发布会。", index)
    en = fingerprints.extract("", "The Dalian Commodity Exchange held a launch in Dalian.", index)
    assert {"pl:dalian", "a:dce"} <= zh.tokens & en.tokens
    path.write_text('[dalian]\nkind = "city"\nterms = ["大连"]\n', "utf-8")
    with pytest.raises(AliasError, match=r"aliases.toml: alias \[dalian\]: 'kind'"):
        load_alias_groups(path)
