"""Search narrowing: the FTS5 expression built from a query must keep every article the
matcher accepts (it may keep more), on a real archive with its trigram index."""

from __future__ import annotations

import pytest
from alerts.engine import Engine
from alerts.fts_narrowing import fts_expression
from alerts.query import parse
from alerts.topics import Topic
from crawler import archive
from tests.support.archive_articles import add_article
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import BACKENDS, postgres_server  # noqa: F401

ARTICLES = [
    ("工信部推动人工智能+制造", "人工智能 ＋ 制造深度融合，芯片自主可控。"),
    ("工業和信息化部推動人工智能", "積體電路與機器人產業發展，人形機器人量產。"),
    ("China pushes AI + Manufacturing", "The MIIT said AI+manufacturing pilots and CHIPS."),
    ("Humanoid robots", "Robotics firms unveiled humanoid robots; no chips news."),
    ("新质生产力", "加快培育新质生产力，发展数字经济。"),
]
QUERIES = ['"AI + manufacturing"', "人形机器人", "机器人 AND 产业", "robot* -lithography",
           "芯片 OR 集成电路", "(新质生产力 OR 数字经济) lang:zh", 'title:"china pushes"',
           r"/国务院.{0,3}意见/ OR 人工智能", "manufacturing OR 制造"]


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    target = (tmp_path_factory.mktemp("fts") / "a.db" if request.param == "sqlite"
              else request.getfixturevalue("postgres_server").new_database())
    db = open_archive(target)
    for title, body in ARTICLES:
        add_article(db, title=title, body=body, lang="en" if title.isascii() else "zh")
    return db


@pytest.mark.parametrize("query", QUERIES)
def test_narrowing_keeps_every_match(db, query):
    node = parse(query)
    engine = Engine([Topic(name="q", title=query, query=node, query_text=query)])
    matched = {a["id"] for a in archive.articles_after(db, 0, limit=100) if engine.match(a)}
    assert matched, "the fixture should give every query something to find"
    expr = fts_expression(node)
    if expr is None:
        return  # no narrowing: search scans every article
    found = set(archive.full_text_ids(db, expr))
    assert matched <= found, expr


def test_what_cannot_narrow():
    assert fts_expression(parse("芯片")) is None  # two characters: below the trigram size
    assert fts_expression(parse("NOT 芯片产业")) is None
    assert fts_expression(parse("集成电路 OR 芯片")) is None  # one branch cannot narrow
    assert fts_expression(parse("集成电路 芯片")) == '("集成电路" OR "集成電路")'  # one side of an AND
    assert fts_expression(parse("lang:zh")) is None


def test_chinese_segments_also_look_for_the_traditional_form():
    assert fts_expression(parse("人形机器人")) == '("人形机器人" OR "人形機器人")'
    assert fts_expression(parse('"AI + manufacturing"')) == '"manufacturing"'
