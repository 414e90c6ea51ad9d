"""Benchmark: topic matching throughput against the number of topics.

Generates 10,000 articles of mixed Chinese/English news-like text (policy vocabulary,
ministries, company and product names) and topic sets of 10, 100, 1,000 and 10,000
queries of realistic shapes (terms, phrases, OR lists, AND, NOT, title:, @aliases), then
measures articles per second on one core for each set with the engine (one Aho-Corasick
automaton, explain and snippets included), next to a naive loop of one compiled regex per
topic over the same normalised text, measured in the same run.

    python bench/matching.py [--articles N] [--repeat R]

The last line is one JSON object: articles_per_s per topic count,
naive_articles_per_s_1000 and cost_ratio_10000_vs_10 (targets: >= 5,000 articles/s at
1,000 topics; 10,000 topics cost at most 2x what 10 cost).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts.aliases import load_aliases  # noqa: E402
from alerts.engine import Engine, settle_gc  # noqa: E402
from alerts.normalize import normalize  # noqa: E402
from alerts.query import Term, positive_atoms  # noqa: E402
from alerts.topics import make_topic  # noqa: E402

ALIASES = Path(__file__).resolve().parent.parent / "seeds" / "aliases.toml"
COUNTS = (10, 100, 1000, 10000)
# Names articles mention and topics watch: companies, products, programmes. Each article
# names ~10 of them; 10,000 topics watch ~15,000, so a typical article matches a topic or two.
ENTITIES = 60_000

ZH_COMMON = ("发展 推进 加快 建设 工作 企业 创新 产业 经济 改革 政策 部署 会议 国家 地方 支持 "
             "推动 实施 开展 提升 服务 市场 管理 重点 项目 领域 数字 技术 应用 研究 指导 意见 "
             "通知 要求 落实 完善 体系 机制 保障 能力 水平 质量 安全 合作 交流 培训 试点 示范 "
             "部门 单位 地区 城市 农村 投资 消费 贸易 金融 财政 税收 就业 民生 环境 能源").split()
ZH_POLICY = ("人工智能 人工智能+ 新质生产力 算力 大模型 人形机器人 脑机接口 智能网联汽车 专精特新 "
             "小巨人 高端芯片 集成电路 半导体 数据要素 数字经济 工业互联网 低空经济 具身智能 "
             "自动驾驶 新能源汽车 量子计算 商业航天 生物制造 智能制造 工信部 国家发展改革委 科技部 "
             "财政部 商务部 国务院 国家数据局 中国人民银行 证监会 国资委").split()
EN_COMMON = ("the of and to in a is that for on with as by at from said will has have be "
             "this are its new year more also government ministry officials plan policy "
             "development growth market industry companies support local national report "
             "week percent billion million first data system public services work").split()
EN_POLICY = ("artificial intelligence|AI|large language models|computing power|humanoid robots|"
             "brain-computer interface|semiconductors|chips|new quality productive forces|"
             "manufacturing|MIIT|NDRC|State Council|electric vehicles|quantum computing|"
             "low-altitude economy|data centers|export controls").split("|")
SYLLABLES_ZH = "华 信 达 科 创 智 联 云 数 芯 微 光 电 新 航 博 源 鑫 泰 安 瑞 恒 宏 卓 汇 腾 讯 盛".split()
SYLLABLES_EN = "ka ri to ne mo la vi xo ze pa ru si de na te lo".split()


def entity_pool(rng: random.Random, n: int) -> list[str]:
    """Company, product and programme names: the specific terms people watch."""
    out = set()
    while len(out) < n:
        if rng.random() < 0.6:
            name = "".join(rng.choice(SYLLABLES_ZH) for _ in range(rng.randint(2, 3)))
            out.add(name + rng.choice(["科技", "集团", "股份", "智能", "半导体", "机器人", "计划"]))
        else:
            name = "".join(rng.choice(SYLLABLES_EN) for _ in range(rng.randint(2, 3)))
            out.add(name.capitalize() + rng.choice(["", " Labs", " Robotics", " Semi", "tech"]))
    return sorted(out)


def make_articles(rng: random.Random, n: int, entities: list[str]) -> list[dict]:
    articles = []
    for i in range(n):
        zh = rng.random() < 0.65
        words = []
        length = rng.randint(250, 700) if zh else rng.randint(150, 400)
        for _ in range(length):
            r = rng.random()
            if r < 0.02:
                words.append(rng.choice(entities))
            elif r < 0.05:
                words.append(rng.choice(ZH_POLICY if zh else EN_POLICY))
            elif zh:
                words.append(rng.choice(ZH_COMMON) + ("，" if rng.random() < 0.1 else "")
                             + ("。" if rng.random() < 0.05 else ""))
            else:
                words.append(rng.choice(EN_COMMON) + ("." if rng.random() < 0.06 else ""))
        sep = "" if zh else " "
        body = sep.join(words)
        title = sep.join(rng.choice(words) for _ in range(8 if zh else 10))
        articles.append({"id": i + 1, "title": title, "body": body, "lang": "zh" if zh else "en",
                         "source": rng.choice(["miit-news", "ndrc-news", "xinhua-en", "gov-cn"]),
                         "site": "site", "url": f"https://www.example.gov.cn/{i}.html"})
    return articles


def make_queries(rng: random.Random, n: int, entities: list[str], aliases: dict) -> list[str]:
    alias_names = sorted(aliases)
    policy = ZH_POLICY + [f'"{t}"' if " " in t else t for t in EN_POLICY]
    queries = []
    for _ in range(n):
        e1, e2 = (f'"{e}"' if " " in e else e for e in rng.sample(entities, 2))
        shape = rng.random()
        if shape < 0.35:
            queries.append(e1)
        elif shape < 0.55:
            queries.append(f"{e1} OR {e2}")
        elif shape < 0.70:
            queries.append(f"{e1} AND ({rng.choice(policy)} OR {rng.choice(policy)})")
        elif shape < 0.80:
            queries.append(f"title:{e1} -{rng.choice(policy)}")
        elif shape < 0.90:
            queries.append(f"@{rng.choice(alias_names)} AND {e1}")
        else:
            queries.append(f"({e1} OR {e2}) AND lang:{rng.choice(['zh', 'en'])}")
    return queries


# CPU time of this process: "per core", and far steadier than wall time on a shared box.
clock = time.process_time


def engine_rate(engine: Engine, articles: list[dict]) -> tuple[float, int]:
    t0 = clock()
    matched = 0
    for a in articles:
        matched += len(engine.match(a))
    return len(articles) / (clock() - t0), matched


def naive_rate(topics, articles: list[dict]) -> float:
    """One compiled regex per topic (its positive terms), searched in every article."""
    regexes = []
    for t in topics:
        terms = sorted({a.text for a in positive_atoms(t.query) if isinstance(a, Term)})
        regexes.append(re.compile("|".join(
            (r"(?<![0-9a-z])" if x[0].isascii() else "") + re.escape(x)
            + (r"(?![0-9a-z])" if x[-1].isascii() else "") for x in terms)))
    t0 = clock()
    for a in articles:
        text = normalize(a["title"]) + "\x00" + normalize(a["body"])
        for rx in regexes:
            rx.search(text)
    return len(articles) / (clock() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per topic count (median)")
    args = parser.parse_args()
    rng = random.Random(5)
    aliases = load_aliases(ALIASES)
    entities = entity_pool(rng, ENTITIES)
    articles = make_articles(rng, args.articles, entities)
    chars = sum(len(a["title"]) + len(a["body"]) for a in articles) / len(articles)
    print(f"{len(articles)} articles, {chars:.0f} characters on average, "
          f"{sum(a['lang'] == 'zh' for a in articles)} Chinese")
    all_queries = make_queries(rng, max(COUNTS), entities, aliases)
    engines, topic_sets = {}, {}
    for count in COUNTS:
        topics = [make_topic({"name": f"t{i}", "query": q}, aliases)
                  for i, q in enumerate(all_queries[:count])]
        topic_sets[count] = topics
        t0 = time.perf_counter()
        engines[count] = Engine(topics)
        print(f"{count:>6} topics: engine built in {(time.perf_counter() - t0) * 1000:.0f} ms")
    settle_gc()  # what engine_for() does for the matcher after building an engine
    # Round-robin over the topic counts, so that a busy spell on a shared machine slows
    # every count alike; medians per count, and the ratio from each round's own pair.
    runs: dict[int, list[float]] = {c: [] for c in COUNTS}
    matched: dict[int, int] = {}
    for round_ in range(args.repeat):
        for count in (COUNTS if round_ % 2 == 0 else COUNTS[::-1]):
            rate, matched[count] = engine_rate(engines[count], articles)
            runs[count].append(rate)
    rates = {c: statistics.median(runs[c]) for c in COUNTS}
    ratio = statistics.median(a / b for a, b in zip(runs[10], runs[10000]))
    for count in COUNTS:
        print(f"{count:>6} topics: {rates[count]:8.0f} articles/s (median of "
              f"{len(runs[count])}), {matched[count] / len(articles):.2f} matches per article")
    sample = articles[:300]  # the naive loop is slow: a sample is enough for its rate
    naive = statistics.median(naive_rate(topic_sets[1000], sample) for _ in range(args.repeat))
    print(f"naive (one regex per topic), 1000 topics: {naive:8.0f} articles/s")
    print(f"cost of 10,000 topics vs 10: {ratio:.2f}x (median of per-round ratios)")
    print(json.dumps({"articles_per_s": {str(c): round(rates[c]) for c in COUNTS},
                      "naive_articles_per_s_1000": round(naive),
                      "cost_ratio_10000_vs_10": round(ratio, 2)}))


if __name__ == "__main__":
    main()
