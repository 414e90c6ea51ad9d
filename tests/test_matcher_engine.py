"""The engine, feature by feature, in Chinese and English: what matches, what it records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from alerts.engine import Engine, engine_for
from alerts.query import parse
from alerts.topics import Topic

ALIASES = {"miit": ("工信部", "工业和信息化部", "MIIT",
                    "Ministry of Industry and Information Technology")}
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)


def topic(query, name="t", **kw):
    return Topic(name=name, title=name, query=parse(query, ALIASES), query_text=query, **kw)


def matches(query, body="", title="", **article):
    engine = Engine([topic(query)])
    return bool(engine.match({"title": title, "body": body, **article}, now=NOW))


@pytest.mark.parametrize("query,text,expected", [
    ("AI", "Officials said the plan was ready", False),   # not inside "said"
    ("AI", "AI chips are scarce", True),
    ("AI", "推动AI赋能制造", True),                       # Latin next to Chinese: a boundary
    ("AI", "the AI-driven plan", True),
    ("chip", "chips are scarce", False),
    ("chip*", "chips are scarce", True),
    ('"AI+manufacturing"', "AI + manufacturing pilots", True),
    ('"AI + manufacturing"', "an AI+manufacturing pilot", True),
    ('"AI + manufacturing"', "AI\n+\nmanufacturing", True),
    ('"new quality productive forces"', "New  Quality\nProductive Forces", True),
    ("芯片", "高端芯片研发", True),                         # Chinese: substrings
    ("芯片", "高端晶片研发", False),
    ("人工智能+制造", "推动人工智能 ＋ 制造深度融合", True),
    ("製造", "智能制造", True),                             # traditional query, simplified text
    ("智能制造", "推動智能製造", True),                     # simplified query, traditional text
    ("ＡＩ", "ai chips", True),                             # full-width query
    ("ai", "ＡＩ芯片", True),                               # full-width text
    ("国发〔2024〕12号", "印发国发[2024]12号文件", True),
    ("国发[2024]12号", "印发国发〔2024〕12号文件", True),
    ("5G", "5G基站", True),
    ("5G", "15G", False),
    ("@miit", "Ministry of Industry and Information Technology said", True),
    ("@miit", "工业和信息化部印发", True),
    ("@miit", "the ministry said", False),
    ("芯片 -手机", "芯片和手机", False),
    ("芯片 NOT 手机", "芯片产业", True),
    ("芯片 OR chip", "a chip", True),
    ("(芯片 OR chip) AND 出口", "chip exports 出口", True),
    (r"/国发\[\d{4}\]\d+号/", "国发〔2024〕12号", True),
    (r"/国发〔\d{4}〕\d+号/", "国发[2024]12号", True),
    (r"/chips?\s+act/", "The CHIPS Act", True),
    (r"/chips?\s+act/", "chipsact", False),
])
def test_terms(query, text, expected):
    assert matches(query, text) is expected


def test_field_scoped_terms():
    assert matches("title:芯片", title="芯片产业", body="无关")
    assert not matches("title:芯片", title="产业", body="芯片")
    assert matches("body:芯片", title="产业", body="芯片")
    assert not matches("body:芯片", title="芯片", body="产业")
    assert matches("body:国发", title="x", body="y", doc_number="国发〔2024〕1号")
    assert matches("title:/\\d+号/", title="第12号", body="")
    assert not matches("title:/\\d+号/", title="x", body="第12号")


def test_metadata_fields():
    art = {"source": "NDRC-News", "site": "NDRC", "lang": "zh-CN",
           "url": "https://www.ndrc.gov.cn/xwdt/1.html"}
    assert matches("source:ndrc-news 价格", "价格", **art)
    assert not matches("source:miit 价格", "价格", **art)
    assert matches("site:ndrc.gov.cn 价格", "价格", **art)
    assert matches("site:NDRC 价格", "价格", **art)
    assert not matches("site:gov.com 价格", "价格", **art)
    assert matches("lang:zh 价格", "价格", **art)
    assert matches("lang:zh-cn", "", **art)
    assert not matches("lang:en 价格", "价格", **art)


def test_topic_filters_sources_languages_and_max_age():
    t = topic("芯片", sources=("miit-news", "NDRC"), languages=("zh",),
              max_age=timedelta(days=2))
    engine = Engine([t])
    base = {"body": "芯片", "source": "miit-news", "lang": "zh",
            "published": (NOW - timedelta(days=1)).isoformat()}
    assert engine.match(base, now=NOW)
    assert engine.match({**base, "source": "other", "site": "NDRC"}, now=NOW)
    assert not engine.match({**base, "source": "other"}, now=NOW)
    assert not engine.match({**base, "lang": "en"}, now=NOW)
    assert not engine.match({**base, "published": (NOW - timedelta(days=3)).isoformat()},
                            now=NOW)
    # No published date: the fetch time decides.
    old = {**base, "published": None, "fetched": (NOW - timedelta(days=5)).isoformat()}
    assert not engine.match(old, now=NOW)


def test_match_records_terms_where_and_a_marked_snippet():
    engine = Engine([topic('人形机器人 OR "humanoid robot"')])
    body = ("近日，工业和信息化部印发《人形机器人创新发展指导意见》，提出到2025年，" * 3)
    (m,) = engine.match({"title": "人形机器人政策", "body": body})
    terms = m.terms_json()
    assert {"term": "人形机器人", "field": "title", "at": [[0, 5]]} in terms
    body_hits = next(t for t in terms if t["field"] == "body")["at"]
    assert all(body[s:e] == "人形机器人" for s, e in body_hits) and len(body_hits) == 3
    assert "**人形机器人**" in m.snippet and len(m.snippet) < 200
    assert m.snippet.startswith("近日")


def test_offsets_point_into_the_original_text_despite_folding():
    engine = Engine([topic('"AI + manufacturing"')])
    body = "Ｔｈｅ  plan:\n\nＡＩ  ＋  Manufacturing   grows"
    (m,) = engine.match({"title": "", "body": body})
    ((s, e),) = m.terms_json()[0]["at"]
    assert body[s:e] == "ＡＩ  ＋  Manufacturing"
    assert "**ＡＩ ＋ Manufacturing**" in m.snippet


def test_only_topics_whose_terms_hit_are_evaluated():
    topics = [topic(f"术语{i}", name=f"t{i}") for i in range(500)]
    topics.append(topic("NOT 术语1", name="not"))
    topics.append(topic("lang:en", name="english"))
    topics.append(topic("(术语3 OR 术语4) lang:zh", name="both"))
    engine = Engine(topics)
    art = engine.prepare({"title": "", "body": "术语3", "lang": "zh"})
    names = {engine.topics[i].name for i in engine.candidates(art)}
    assert names == {"t3", "not", "both"}
    assert engine.every_article_topics() == ["not"]
    assert {m.topic.name for m in engine.match({"body": "术语3", "lang": "zh"})} == \
        {"t3", "not", "both"}


def test_a_regex_without_a_literal_is_evaluated_everywhere_and_one_with_is_indexed():
    engine = Engine([topic(r"/\d{4}年/", name="year"), topic(r"/国务院.{0,4}意见/", name="opinion")])
    assert engine.every_article_topics() == ["year"]
    assert {m.topic.name for m in engine.match({"body": "2025年国务院关于…的意见"})} == \
        {"year", "opinion"}


def test_the_engine_is_rebuilt_only_when_topics_change():
    a = [topic("芯片", name="a")]
    first = engine_for(a)
    assert engine_for([topic("芯片", name="a")]) is first
    assert engine_for([topic("芯片 OR chip", name="a")]) is not first
    changed = engine_for([topic("芯片", name="a", channels=("mail",))])
    assert changed.topics[0].channels == ("mail",)


def test_a_prefix_hit_marks_the_whole_word_and_snippets_do_not_cut_words():
    engine = Engine([topic("semiconductor*")])
    body = "Exporters of advanced semiconductors will have to report shipments " * 3
    (m,) = engine.match({"body": "Preamble text here. " * 5 + body})
    assert m.terms_json()[0]["at"][0][1] - m.terms_json()[0]["at"][0][0] == len("semiconductors")
    assert "**semiconductors**" in m.snippet
    assert m.snippet.startswith("…") and m.snippet[1:].split()[0] in ("Preamble", "text", "here.")


def test_many_hits_in_a_long_article_are_capped():
    engine = Engine([topic("芯片")])
    (m,) = engine.match({"body": "芯片。" * 500})
    assert 1 <= len(m.terms_json()[0]["at"]) <= 20


def test_an_and_is_indexed_under_its_most_selective_child():
    engine = Engine([topic("发展 AND 人形机器人"), topic("lang:zh 芯片", name="u")])
    art = engine.prepare({"body": "发展", "lang": "zh"})
    assert engine.candidates(art) == set()  # 发展 alone does not wake the topic up
    art = engine.prepare({"body": "人形机器人", "lang": "zh"})
    assert engine.candidates(art) == {0}


def test_chinese_and_latin_terms_in_one_automaton_match_with_word_boundaries():
    topics = [topic("chip*", name="chips"), topic("芯片", name="zh"),
              topic('"AI + manufacturing" OR 人工智能', name="mixed"), topic("5G", name="g")]
    engine = Engine(topics)
    english = {"title": "Chips", "body": "AI+manufacturing on 5G, said officials"}
    assert {m.topic.name for m in engine.match(english, now=NOW)} == {"chips", "mixed", "g"}
    chinese = {"title": "", "body": "高端芯片与AI + manufacturing"}
    assert {m.topic.name for m in engine.match(chinese, now=NOW)} == {"zh", "mixed"}
    # A Latin term inside a longer word is no hit; at the text's very end it is.
    assert engine.match({"title": "", "body": "a 5GHz radio"}, now=NOW) == []
    assert [m.topic.name for m in engine.match({"title": "", "body": "on 5G"})] == ["g"]
    assert Engine([topic("NOT chip")])._automaton is None  # no key at all
    assert [m.topic.name for m in Engine([topic("NOT chip")]).match(english)] == ["t"]


def test_hits_carry_offsets_of_the_scanned_text_for_overlapping_terms():
    engine = Engine([topic("机器人", name="a"), topic("人形机器人", name="b"),
                     topic("robot*", name="c")])
    art = engine.prepare({"title": "", "body": "人形机器人robots"})
    spans = sorted(s for hits in art.hits.values() for s in hits)
    assert [art.scan[a:b] for a, b in spans] == ["人形机器人", "机器人", "robot"]
    assert {m.topic.name for m in engine.match({"title": "", "body": "人形机器人robots"})} \
        == {"a", "b", "c"}
