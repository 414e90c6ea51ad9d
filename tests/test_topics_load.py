"""Topic files and alias files: what loads, and errors that name file, topic and column."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts.aliases import AliasError, load_alias_groups, load_aliases
from alerts.query import Or, Term
from alerts.topics import TopicError, fingerprint, load_topics, parse_age

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_topics_load_with_bundled_aliases():
    topics = load_topics([SEEDS / "topics.toml"], SEEDS / "aliases.toml")
    names = {t.name for t in topics}
    assert {"ai-manufacturing", "computing-power", "humanoid-robots", "large-models",
            "brain-computer-interfaces", "intelligent-connected-vehicles", "little-giants",
            "high-end-chips"} <= names
    assert all(t.mode == "immediate" and t.max_age == timedelta(days=7) for t in topics)


def test_bundled_aliases_have_40_bilingual_groups():
    groups = load_alias_groups(SEEDS / "aliases.toml")
    assert len(groups) >= 40
    bilingual = [g for g in groups.values()
                 if any(CJK.search(t) for t in g.terms)
                 and any(t.isascii() for t in g.terms)]
    assert len(bilingual) >= 40
    for name in ("miit", "ndrc", "ai-plus", "new-quality-productive-forces"):
        assert name in groups
    assert "新质生产力" in groups["new-quality-productive-forces"].terms


def test_a_full_topic(tmp_path):
    path = write(tmp_path, "t.toml", '''
[[topic]]
name = "chips"
title = "芯片 / chips"
query = "@chips -手机"
sources = ["miit-news"]
languages = ["ZH"]
channels = ["team-hook", "mail"]
mode = "hourly"
max_age = "36h"
''')
    aliases = write(tmp_path, "a.toml", '[chips]\nterms = ["芯片", "chip"]\n')
    (topic,) = load_topics([path], aliases)
    assert topic.title == "芯片 / chips" and topic.query_text == "@chips -手机"
    assert topic.query.children[0] == Or((Term("芯片"), Term("chip")))
    assert topic.sources == ("miit-news",) and topic.languages == ("zh",)
    assert topic.channels == ("team-hook", "mail") and topic.mode == "hourly"
    assert topic.max_age == timedelta(hours=36) and topic.file == str(path)


def test_defaults(tmp_path):
    (topic,) = load_topics(write(tmp_path, "t.toml", '[[topic]]\nname = "x"\nquery = "芯片"\n'))
    assert (topic.title, topic.sources, topic.languages, topic.channels, topic.mode,
            topic.max_age) == ("x", (), (), (), "immediate", None)


def test_query_error_names_file_topic_and_column(tmp_path):
    path = write(tmp_path, "mine.toml", '[[topic]]\nname = "bad"\nquery = "芯片 OR (a"\n')
    with pytest.raises(TopicError) as info:
        load_topics([path])
    message = str(info.value)
    assert str(path) in message and "'bad'" in message and "column 7" in message
    assert info.value.position == 6 and info.value.topic == "bad"


@pytest.mark.parametrize("body,fragment", [
    ('name = "x"\nquery = "a"\nmode = "weekly"', "'mode' must be one of immediate, hourly, daily"),
    ('name = "x"\nquery = "a"\nmax_age = "soon"', "max_age must look like"),
    ('name = "x"', "'query' is required"),
    ('query = "a"', "'name' is required"),
    ('name = "has space"\nquery = "a"', "'name' is required"),
    ('name = "x"\nquery = "a"\ncolour = "red"', "unknown key(s) colour"),
    ('name = "x"\nquery = "a"\nchannels = [1]', "'channels' must be a list of strings"),
    ('name = "x"\nquery = "@nope"', "unknown alias @nope"),
    ('name = "x"\nquery = "/a(/"', "bad regex"),
])
def test_validation_errors(tmp_path, body, fragment):
    path = write(tmp_path, "t.toml", "[[topic]]\n" + body + "\n")
    with pytest.raises(TopicError) as info:
        load_topics([path])
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_duplicate_names_across_files_name_both(tmp_path):
    a = write(tmp_path, "a.toml", '[[topic]]\nname = "x"\nquery = "a"\n')
    b = write(tmp_path, "b.toml", '[[topic]]\nname = "x"\nquery = "b"\n')
    with pytest.raises(TopicError, match="already used in .*a.toml") as info:
        load_topics([a, b])
    assert str(b) in str(info.value)


def test_file_errors(tmp_path):
    with pytest.raises(TopicError, match="topic file not found"):
        load_topics([tmp_path / "missing.toml"])
    with pytest.raises(TopicError, match="not valid TOML"):
        load_topics([write(tmp_path, "bad.toml", "[[topic]\n")])
    with pytest.raises(TopicError, match=r"\[\[topic\]\] tables"):
        load_topics([write(tmp_path, "old.toml", '[topics.x]\nquery = "a"\n')])


def test_alias_file_errors(tmp_path):
    with pytest.raises(AliasError, match="'terms' must be a non-empty list"):
        load_aliases(write(tmp_path, "a.toml", "[x]\nterms = []\n"))
    with pytest.raises(AliasError, match=r"alias \[x\]: unknown key"):
        load_aliases(write(tmp_path, "b.toml", '[x]\nterms = ["a"]\nextra = 1\n'))
    with pytest.raises(AliasError, match="alias file not found"):
        load_aliases(tmp_path / "none.toml")
    assert load_aliases(None) == {} and load_aliases("") == {}


def test_parse_age():
    assert parse_age("90m") == timedelta(minutes=90)
    assert parse_age("2w") == timedelta(weeks=2)
    assert parse_age("1.5d") == timedelta(hours=36)
    with pytest.raises(ValueError):
        parse_age("3 days")


def test_fingerprint_changes_with_the_query_only(tmp_path):
    one = load_topics(write(tmp_path, "1.toml", '[[topic]]\nname = "x"\nquery = "a"\n'))
    two = load_topics(write(tmp_path, "2.toml", '[[topic]]\nname = "x"\nquery = "a"\n'
                                                'title = "renamed"\n'))
    three = load_topics(write(tmp_path, "3.toml", '[[topic]]\nname = "x"\nquery = "b"\n'))
    assert fingerprint(one) == fingerprint(two) != fingerprint(three)
