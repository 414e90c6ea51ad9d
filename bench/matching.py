"""Benchmark: topic matching throughput against the number of topics.

Generates 10,000 articles of mixed Chinese/English news-like text (policy vocabulary,
ministries, company and product names) and topic sets of 10, 100, 1,000 and 10,000
queries of realistic shapes (terms, phrases, OR lists, AND, NOT, title:, @aliases), then
measures articles per second on one core for each set with the engine (one Aho-Corasick
automaton, explain and snippets included), next to a naive loop of one compiled regex per
topic over the same normalised text, measured in the same run.

    python bench/matching.py [--articles N] [--repeat R]

Then an investor's holdings list: 5,000 topics, one per company, each its Chinese and
English names and its tickers ORed (宁德时代 OR "Contemporary Amperex" OR 300750), with
many distinct first characters, as a real list of names looks: the automaton's walk
slows with every distinct first character, which the policy vocabulary above hides.

Every engine is built the way production builds it (``alerts.engine.engine_for``, which
also freezes the garbage collector's view once): the bench adds no GC tuning of its own.

The last line is one JSON object: articles_per_s per topic count,
naive_articles_per_s_1000, cost_ratio_10000_vs_10 and articles_per_s_company_list
(targets: >= 5,000 articles/s at 1,000 topics and at the 5,000-company list; 10,000
topics cost at most 2x what 10 cost).
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
from alerts.engine import Engine, engine_for  # noqa: E402
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


# Characters Chinese company names start and go on with: a few hundred distinct first
# characters, as in a real list of listed companies (not the 28 syllables above).
NAME_CHARS = ("中华国新金银海天长东南西北上广深杭苏浙江湖山河京津沪渝川云贵闽赣皖鲁豫晋冀辽吉黑"
              "蒙宁青甘陕藏琼港澳台大小高明光华宏恒兴隆盛昌发达通泰安康健福禄寿喜和平正信德"
              "仁义礼智勇美丽雅润泽瑞祥嘉庆永久远志诚实力创科技电子网络数据云端芯微纳光源能"
              "环保绿色生态水利交运航空铁路港口物流仓储冷链医药生物基因疫苗器械康复养老教育"
              "文化传媒影视游戏体育旅游酒店餐饮食品饮料乳业农牧渔林纸业印刷包装家居建材钢铁"
              "有色稀土锂钴镍铜铝锌黄钼钨钛化工塑料橡胶纺织服装鞋帽珠宝钟表汽车摩托船舶重工"
              "机械装备仪器仪表工具模具电气电缆电池储能风电光伏核电燃气石油煤炭焦化天然气万"
              "亿百千众合联盟协同达成卓越超凡先锋领航启明朝阳旭日星辰宇宙乾坤鼎鑫淼森焱垚犇"
              "骉麒麟凤凰龙虎豹狮鹰鹏燕雀鸿鹄翔飞腾跃奔驰骏骐骥")
ZH_SUFFIXES = ("科技", "股份", "集团", "电子", "药业", "银行", "证券", "控股", "实业", "能源",
               "新材", "智能", "半导体", "汽车", "重工", "光电", "生物", "软件", "通信", "精密")
EN_WORDS = ("Ace Apex Astra Bright Cathay Crest Delta Dragon Eagle East Ever Fortune Golden "
            "Grand Great Harbor Harmony Jade Kunlun Lotus Meridian Nova Orient Pacific Pearl "
            "Phoenix Pinnacle Prime Rising Sino Star Summit Sun Titan Unity Vista Zenith").split()
PLACES = ("", "Anhui", "Beijing", "Chengdu", "Chongqing", "Dalian", "Fujian", "Guangdong",
          "Guangzhou", "Hangzhou", "Hefei", "Henan", "Hubei", "Hunan", "Jiangsu", "Jiangxi",
          "Jinan", "Nanjing", "Ningbo", "Qingdao", "Shaanxi", "Shandong", "Shanghai",
          "Shenzhen", "Sichuan", "Suzhou", "Tianjin", "Wuhan", "Xiamen", "Xi'an", "Zhejiang")
EN_SUFFIXES = ("Technology", "Holdings", "Semiconductor", "Pharma", "Motors", "Energy",
               "Robotics", "Electronics", "Materials", "Bank", "Securities", "Software")
EXCHANGES = (".SH", ".SZ", ".HK", "", ".BJ")


def company_list(rng: random.Random, n: int) -> list[dict]:
    """``n`` listed companies: Chinese name, English name, ticker(s)."""
    if n > 0.5 * len(PLACES) * len(EN_WORDS) ** 2 * len(EN_SUFFIXES):
        raise ValueError(f"{n} companies: more than the English names can tell apart")
    seen, out = set(), []
    while len(out) < n:
        zh = ("".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(2, 3)))
              + rng.choice(ZH_SUFFIXES))
        en = " ".join(w for w in (rng.choice(PLACES), rng.choice(EN_WORDS), rng.choice(EN_WORDS),
                                  rng.choice(EN_SUFFIXES)) if w)
        code = rng.choice(["6", "0", "3", "68", "8"]) + "".join(
            rng.choice("0123456789") for _ in range(5))
        tickers = [code[:6] + rng.choice(EXCHANGES)]
        if rng.random() < 0.15:  # some are listed twice, or have a US symbol
            tickers.append("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                                   for _ in range(rng.randint(3, 4))))
        if zh in seen or en in seen:
            continue
        seen.update((zh, en))
        out.append({"zh": zh, "en": en, "tickers": tickers})
    return out


def company_queries(companies: list[dict]) -> list[str]:
    return [" OR ".join([c["zh"], f'"{c["en"]}"', *(f'"{t}"' if "." in t else t
                                                    for t in c["tickers"])])
            for c in companies]


def company_articles(rng: random.Random, articles: list[dict], companies: list[dict],
                     others: list[dict]) -> list[dict]:
    """The same articles, each naming a few companies (watched or not) by any name."""
    out = []
    for a in articles:
        zh = a["lang"] == "zh"
        names = []
        for _ in range(rng.randint(2, 8)):
            c = rng.choice(companies if rng.random() < 0.3 else others)
            names.append(rng.choice([c["zh"] if zh else c["en"], rng.choice(c["tickers"])]))
        body = a["body"]
        step = max(1, len(body) // (len(names) + 1))
        for i, name in enumerate(names):  # spread the names through the text
            at = step * (i + 1)
            if not zh:  # between words
                space = body.find(" ", at)
                at = space if space >= 0 else len(body)
            body = body[:at] + (f"（{name}）" if zh else f" ({name}) ") + body[at:]
        out.append({**a, "body": body})
    return out


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
    engine_for(topic_sets[COUNTS[-1]])  # as production does: build, then freeze the GC once
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
    companies = company_list(rng, 5000 + 20000)
    watched, others = companies[:5000], companies[5000:]
    firsts = len({c["zh"][0] for c in watched} | {c["en"][0] for c in watched})
    holdings = [make_topic({"name": f"c{i}", "query": q}, aliases)
                for i, q in enumerate(company_queries(watched))]
    t0 = time.perf_counter()
    company_engine = engine_for(holdings)  # the production path, GC freeze included
    print(f"company list: 5000 topics ({firsts} distinct first characters), engine built in "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    named = company_articles(rng, articles, watched, others)
    company_runs = []
    for _ in range(args.repeat):
        rate, hits = engine_rate(company_engine, named)
        company_runs.append(rate)
    company_rate = statistics.median(company_runs)
    print(f"company list: {company_rate:8.0f} articles/s (median of {len(company_runs)}), "
          f"{hits / len(named):.2f} matches per article (target >= 5,000)")
    print(json.dumps({"articles_per_s": {str(c): round(rates[c]) for c in COUNTS},
                      "naive_articles_per_s_1000": round(naive),
                      "cost_ratio_10000_vs_10": round(ratio, 2),
                      "articles_per_s_company_list": round(company_rate)}))


if __name__ == "__main__":
    main()
