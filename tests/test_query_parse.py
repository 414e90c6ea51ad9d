"""The query language: what parses to what, and bad queries with their error positions."""

from __future__ import annotations

import pytest

from alerts.query import And, Meta, Not, Or, QueryError, Regex, Term, parse, to_text

ALIASES = {"miit": ("工信部", "工业和信息化部", "MIIT",
                    "Ministry of Industry and Information Technology")}


def test_juxtaposition_is_and_and_or_binds_looser():
    assert parse("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse("a AND (b OR c)") == And((Term("a"), Or((Term("b"), Term("c")))))


def test_not_and_minus_negate():
    assert parse("芯片 NOT 手机") == And((Term("芯片"), Not(Term("手机"))))
    assert parse("芯片 -手机") == And((Term("芯片"), Not(Term("手机"))))
    assert parse("-(a OR b)") == Not(Or((Term("a"), Term("b"))))


def test_a_hyphen_inside_a_word_is_part_of_it():
    assert parse("COVID-19") == Term("covid-19")
    assert parse("brain-computer") == Term("brain-computer")


def test_terms_are_normalised_when_parsed():
    assert parse("ＡＩ＋製造") == Term("ai+制造")
    assert parse('"AI  +  Manufacturing"') == Term("ai+manufacturing")
    assert parse('"New Quality\nProductive Forces"') == Term("new quality productive forces")
    assert parse("国发〔2024〕12号") == Term("国发[2024]12号")


def test_prefix_star_only_on_words():
    assert parse("robot*") == Term("robot", prefix=True)
    assert parse('"robot*"') == Term("robot*")


def test_fields_scope_terms_groups_and_aliases():
    assert parse("title:芯片") == Term("芯片", "title")
    assert parse('body:"large model"') == Term("large model", "body")
    assert parse("title:(a OR b)") == Or((Term("a", "title"), Term("b", "title")))
    assert parse("TITLE:a") == Term("a", "title")
    node = parse("title:@miit", ALIASES)
    assert isinstance(node, Or) and all(t.field == "title" for t in node.children)


def test_meta_fields():
    assert parse("source:ndrc-news") == Meta("source", "ndrc-news")
    assert parse("site:NDRC.gov.cn") == Meta("site", "ndrc.gov.cn")
    assert parse('lang:en AND "AI"') == And((Meta("lang", "en"), Term("ai")))


def test_alias_expands_to_an_or_of_its_phrases():
    node = parse("@miit", ALIASES)
    assert node == Or((Term("工信部"), Term("工业和信息化部"), Term("miit"),
                       Term("ministry of industry and information technology")))
    assert parse("@MIIT", ALIASES) == node


def test_regex_is_compiled_and_folded_like_text():
    node = parse(r"/国发〔\d+〕\d+号/")
    assert isinstance(node, Regex)
    assert node.compiled().search("国发[2024]12号")
    assert parse(r"/a\/b/").compiled().search("a/b")


def test_words_that_look_like_fields_but_are_not():
    assert parse("http://example.com") == Term("http://example.com")
    assert parse("ratio:2") == Term("ratio:2")


def test_lowercase_operators_are_terms():
    assert parse("a and b") == And((Term("a"), Term("and"), Term("b")))


@pytest.mark.parametrize("query,position,message", [
    ("", 0, "empty query"),
    ("   ", 0, "empty query"),
    ("a OR (b c", 5, "missing ')'"),
    ("a OR b)", 6, "unbalanced ')'"),
    ('芯片 "unterminated', 3, "unterminated quoted phrase"),
    ("a /b(c/", 4, "bad regex"),
    ("〔x〕 /〔(/", 6, "bad regex"),
    ("a /bc", 2, "unterminated /regex/"),
    ("x //", 2, "empty /regex/"),
    ("/a*/", 0, "matches the empty string"),
    ("a AND", 5, "expected a term"),
    ("OR a", 0, "expected a term"),
    ("title: 芯片", 0, "needs a value"),
    ("@nosuch", 0, "unknown alias @nosuch"),
    ("a @", 2, "expected an alias name"),
    ("title:(a OR body:b)", 7, "field body: inside title:"),
    ("title:source:x", 6, "field source: inside title:"),
    ("source:(a)", 7, "source: takes a word"),
    ("NOT", 3, "expected a term"),
    ('""', 0, "empty term"),
    ("芯片 - 手机", 3, "'-' must touch the term"),
])
def test_bad_queries_say_what_and_where(query, position, message):
    with pytest.raises(QueryError) as info:
        parse(query, ALIASES)
    assert info.value.position == position
    assert message in info.value.message
    assert f"column {position + 1}" in str(info.value)


def test_pointer_puts_a_caret_under_the_error():
    with pytest.raises(QueryError) as info:
        parse("芯片 OR (a")
    assert info.value.pointer("芯片 OR (a").splitlines()[1] == "        ^"  # 芯片: 4 columns


@pytest.mark.parametrize("query", [
    "a b OR c", "title:(芯片 OR chip*) -said", '"ai + manufacturing" lang:en',
    r"/国发\[\d+\]/ OR site:ndrc.gov.cn", "NOT (a OR b)", '"say \\"hi\\""',
])
def test_to_text_round_trips(query):
    node = parse(query)
    assert parse(to_text(node)) == node
