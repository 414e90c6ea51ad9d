"""A /regex/ topic cannot stall the matcher: catastrophic backtracking gives up within
its time bound, counts as no match, and the other topics still match."""

from __future__ import annotations

import time

from alerts import query
from alerts.engine import Engine
from alerts.query import parse
from alerts.topics import Topic


def _topic(name, text):
    return Topic(name=name, title=name, query=parse(text, {}), query_text=text)


def test_catastrophic_backtracking_is_bounded_and_the_rest_still_match():
    evil = _topic("evil", "/(a+)+$/")
    good = _topic("chips", "芯片")
    engine = Engine([evil, good])
    article = {"id": 1, "title": "芯片 news", "body": "a" * 5000 + "!", "source": "s",
               "site": "s", "lang": "zh"}
    t0 = time.monotonic()
    names = [m.topic.name for m in engine.match(article)]
    took = time.monotonic() - t0
    assert names == ["chips"]
    # Unbounded, this pattern on 5,000 a's would run for longer than the universe has.
    assert took < 5 * query.REGEX_TIMEOUT_S + 2


def test_a_bounded_regex_still_matches_normally():
    rx = query.BoundedRegex(r"第\d+号")
    assert rx.search("工信部公告2026年第27号").group(0) == "第27号"
    assert [m.group(0) for m in rx.finditer("第1号 第2号 第3号", limit=2)] == ["第1号", "第2号"]
