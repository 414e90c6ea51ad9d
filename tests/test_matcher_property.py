"""Property: on random queries and random texts, the engine agrees with the slow reference
evaluator (tests/support/query_reference.py), one topic at a time and many at once."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.engine import Engine
from alerts.query import parse
from alerts.topics import Topic
from tests.support.query_reference import evaluate

WORDS = ["ai", "AI", "ＡＩ", "said", "chip", "chips", "robot", "robots", "manufacturing",
         "人工智能", "智能", "芯片", "機器人", "机器人", "制造", "製造", "新质生产力", "5G",
         "+", "＋", "〔2024〕", "[2024]", "-", "."]
SEPARATORS = ["", " ", "  ", "\n", "，", ",", "+", " + ", "x", "a"]
QUERY_TERMS = ["ai", "AI", "said", "chip", "chips", "robot*", "manufacturing", "人工智能",
               "智能", "芯片", "机器人", "製造", '"ai + manufacturing"', '"AI+manufacturing"',
               '"人工智能+制造"', "5g", '"[2024]"', "/chips?/", "/机器.{0,2}/", "/\\d+/",
               "lang:zh", "lang:en", "source:alpha", "site:example.com"]
FIELDS = ["", "", "", "title:", "body:"]


@st.composite
def queries(draw, depth=0):
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        term = draw(st.sampled_from(QUERY_TERMS))
        if ":" in term:
            return term
        return draw(st.sampled_from(FIELDS)) + term
    op = draw(st.sampled_from(["AND", "OR", "", "NOT", "-"]))
    left = draw(queries(depth=depth + 1))
    if op == "NOT":
        return f"NOT ({left})"
    if op == "-":
        return f"-({left})"
    right = draw(queries(depth=depth + 1))
    return f"({left}) {op} ({right})" if op else f"({left}) ({right})"


texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                 max_size=12).map(lambda parts: "".join(w + s for w, s in parts))

articles = st.fixed_dictionaries({
    "title": texts, "body": texts,
    "doc_number": st.sampled_from(["", "国发〔2024〕5号", "AI-1"]),
    "lang": st.sampled_from(["zh", "en", "zh-CN", ""]),
    "source": st.sampled_from(["alpha", "beta"]),
    "site": st.sampled_from(["Example", "Other"]),
    "url": st.sampled_from(["https://www.example.com/a", "https://example.org/b", ""]),
})


def _topic(i: int, text: str) -> Topic:
    return Topic(name=f"t{i}", title=text, query=parse(text), query_text=text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries(), article=articles)
def test_one_topic_agrees_with_reference(query, article):
    topic = _topic(0, query)
    engine = Engine([topic])
    got = bool(engine.match(article))
    assert got == evaluate(topic.query, article), (query, article)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(qs=st.lists(queries(), min_size=2, max_size=25),
       batch=st.lists(articles, min_size=1, max_size=5))
def test_many_topics_in_one_automaton_agree_with_reference(qs, batch):
    topics = [_topic(i, text) for i, text in enumerate(qs)]
    engine = Engine(topics)
    for article in batch:
        got = {m.topic.name for m in engine.match(article)}
        want = {t.name for t in topics if evaluate(t.query, article)}
        assert got == want, article


@settings(max_examples=150, deadline=None)
@given(query=queries(), article=articles)
def test_every_recorded_hit_points_at_the_term_in_the_original_text(query, article):
    from alerts.normalize import normalize

    topic = _topic(0, query)
    for match in Engine([topic]).match(article):
        for hit in match.hits:
            if hit.field in ("title", "body", "doc_number"):
                original = article[hit.field][hit.start:hit.end]
                assert original.strip() == original and original
                if not hit.term.startswith("/"):
                    wanted = normalize(hit.term.rstrip("*"))
                    assert normalize(original).startswith(wanted)
