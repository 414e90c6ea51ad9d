"""The cross-language stretch: figures and names link an English version to its original."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts import story_links
from alerts.aliases import load_aliases

ROOT = Path(__file__).resolve().parent.parent

ZH = {"id": "zh", "published": "2026-11-21T03:00:00+00:00",
      "title": "1—10月电子信息制造业运行情况发布",
      "body": "工业和信息化部21日发布的数据显示，1—10月，规模以上电子信息制造业增加值同比增长11.8%。"
              "手机产量13.1亿台，同比增长4.2%；集成电路产量3,896亿块，同比增长18.0%。"}
ZH_OTHER = {"id": "zh2", "published": "2026-11-21T08:00:00+00:00",
            "title": "工业和信息化部就集成电路企业认定管理办法公开征求意见",
            "body": "工业和信息化部会同有关部门起草了办法，意见反馈截止时间为2026年12月20日，共五章三十条。"}
EN = {"id": "en", "published": "2026-11-21T10:00:00+00:00",
      "title": "China's IC output rises 18 pct in first ten months",
      "body": "China produced 389.6 billion integrated circuits in the first ten months, up 18.0 percent, "
              "the Ministry of Industry and Information Technology said on Nov 21. Value added grew "
              "11.8 percent; mobile phone output reached 1.31 billion units, up 4.2 percent."}


@pytest.fixture(scope="module")
def aliases():
    return load_aliases(ROOT / "seeds" / "aliases.toml")


def test_figures_read_units_in_both_languages():
    assert story_links.figures("产量3,896亿块，增长18.0%，规模1.2万亿元，2028年，11月21日", "zh") == \
        {"3.9e+11", "18", "1.2e+12"}
    assert story_links.figures("389.6 billion, up 18.0 percent, 1.2 trillion by 2028, Nov 21", "en") == \
        {"3.9e+11", "18", "1.2e+12"}


def test_an_english_version_links_to_its_original_not_to_a_sibling(aliases):
    assert story_links.best_original(EN, [ZH_OTHER, ZH], aliases)["id"] == "zh"
    assert story_links.link_score(EN, ZH_OTHER, aliases)[0] == 0


def test_no_link_across_days_or_without_a_common_body(aliases):
    late = {**EN, "published": "2026-11-25T10:00:00+00:00"}
    assert story_links.best_original(late, [ZH], aliases) is None
    anonymous = {**EN, "title": "Output rises", "body": EN["body"].replace(
        "the Ministry of Industry and Information Technology said", "officials said").replace(
        "integrated circuits", "devices")}
    assert story_links.best_original(anonymous, [ZH], aliases) is None
