"""The labelled evaluation set for story clustering, generated with a fixed seed.

Base stories are written by us (``tests/fixtures/stories/*.toml``), grouped by ministry,
topic and day. Every base story gets republications the way outlets make them (headline
changed, footer added, first paragraph dropped, paragraphs reordered, traditional script,
10–30 % of the text edited, all of these at once, and another page's furniture around
the text: breadcrumbs, related headlines, copyright lines); the labelled pairs are
(original, republication) and (republication, republication) as "same story", and
stories of the same group (same ministry, topic and day) as "different story".

Groups are split in two: ``tune`` (to choose thresholds) and ``test`` (held out).
"""

from __future__ import annotations

import difflib
import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stories"
SEED = 20261129

ZH_OUTLETS = ["www.gov.cn", "www.news.cn", "www.zqrb.cn", "www.cs.com.cn", "www.stcn.com",
              "www.thepaper.cn", "finance.sina.com.cn", "www.chinanews.com.cn"]
HANT_OUTLETS = ["www.hkcna.hk", "www.takungpao.com", "www.cna.com.tw"]
EN_OUTLETS = ["www.chinadaily.com.cn", "english.news.cn", "www.globaltimes.cn",
              "www.ecns.cn", "www.outlooknewera.com", "www.shine.cn"]

ZH_FOOTERS = ["责任编辑：{name}", "（来源：{source}）", "【纠错】", "扫一扫在手机打开当前页",
              "编辑：{name}", "本文来源：{source}", "原标题：{title}", "校对：{name}",
              "分享到：", "声明：本文仅代表原作者观点，不构成投资建议。"]
ZH_NAMES = ["王磊", "李娜", "张静", "刘洋", "陈晨", "杨帆", "赵敏", "周婷"]
ZH_SOURCES = ["新华社", "证券日报", "中国证券报", "人民日报", "经济日报", "中国政府网"]
ZH_DATELINES = ["新华社北京{md}电 ", "本报讯 ", "中新网{md}电 ", "证券日报讯 ",
                "人民网北京{md}电（记者 {name}）", "（记者 {name}）"]
EN_FOOTERS = ["Editor: {name}", "Source: {source}", "(Reporting by {name}; Editing by {name2})",
              "Copyright © 2026 {source}. All rights reserved.", "Share", "Print",
              "Related: {title}"]
EN_NAMES = ["Li Wei", "Zhang Min", "Chen Jia", "Wang Lu", "Liu Yang", "Zhou Xin"]
EN_SOURCES = ["Xinhua", "China Daily", "Securities Daily", "CGTN", "Global Times"]
EN_DATELINES = ["BEIJING, Nov. {d} (Xinhua) -- ", "BEIJING -- ", "", "SHANGHAI, Nov {d} -- "]

ZH_SYNONYMS = [("近日", "日前"), ("印发", "发布"), ("提出", "明确"), ("推动", "推进"),
               ("加强", "强化"), ("表示", "指出"), ("要求", "强调"), ("同比增长", "比上年同期增长"),
               ("下一步", "接下来"), ("有关负责人", "相关负责人"), ("进一步", "持续"),
               ("截至", "截止到"), ("重点", "主要"), ("发布", "公布"), ("数据显示", "统计显示"),
               ("召开", "举行"), ("会议", "会上"), ("部署", "安排"), ("支持", "扶持"),
               ("企业", "企业单位"), ("各地", "地方各级"), ("工作", "各项工作"), ("其中", "这当中"),
               ("明确", "清晰界定"), ("目前", "当前"), ("将", "会"), ("主要", "核心"),
               ("有关部门", "相关部门"), ("以上", "之上"), ("进展", "进度")]
ZH_INSERTS = ["业内人士认为，这一举措释放了积极信号。", "记者注意到，这是今年以来的又一重要部署。",
              "这也是有关部门近期密集出台的政策之一。", "多位专家在接受采访时给予积极评价。",
              "据了解，相关配套细则正在抓紧制定中。", "市场分析人士预计，后续还将有更多措施出台。"]
EN_SYNONYMS = [("said", "stated"), ("percent", "per cent"), ("year-on-year", "from a year earlier"),
               ("rose", "increased"), ("fell", "declined"), ("would", "will"), ("China's", "the country's"),
               ("on Thursday", "this week"), ("on Tuesday", "this week"), ("on Wednesday", "this week"),
               ("on Saturday", "at the weekend"), ("according to", "citing"), ("the ministry", "the department"),
               ("measures", "steps"), ("expand", "broaden"), ("support", "back"), ("grew", "climbed"),
               ("companies", "firms"), ("official", "officer"), ("up", "higher by"), ("total", "overall"),
               ("reached", "hit"), ("also", "additionally"), ("released", "published")]
EN_INSERTS = ["Analysts said the move sent a positive signal to the market.",
              "The announcement came amid efforts to stabilise growth.",
              "Further details are expected to be released in the coming weeks.",
              "Several economists welcomed the decision in interviews."]

VARIANTS = ("headline", "footer", "lead_dropped", "reordered", "script", "edited", "combined",
            "boilerplate")
# Page furniture a generic extractor may leave around the text of another outlet's page.
ZH_PAGE_TOP = ["首页 > 新闻中心 > 正文", "当前位置：首页 > 要闻 > 财经", "字号：大 中 小",
               "【字体：大 中 小】 打印本页", "发布时间：{date}  浏览次数：{n}"]
ZH_PAGE_BOTTOM = ["相关新闻：", "版权所有：{site}  京ICP备0{n}号", "联系我们 | 网站地图 | 法律声明",
                  "网站标识码bm0{n}0001  京公网安备110{n}号"]
EN_PAGE_TOP = ["Home > News > China", "Font size: A A A", "Updated: {date}",
               "You are here: Home / Business / Economy"]
EN_PAGE_BOTTOM = ["Related stories:", "Copyright 1995-2026 {site}. All rights reserved.",
                  "About us | Contact us | Privacy policy", "License for publishing multimedia "
                  "online 0{n}"]


@dataclass
class Doc:
    id: str
    base: str  # the base story this text tells
    group: str
    lang: str
    site: str
    published: str
    title: str
    body: str
    variant: str = "original"
    edit_share: float = 0.0  # share of the text changed (1 - difflib ratio)


@dataclass
class Pair:
    a: str
    b: str
    same: bool
    kind: str  # "variant:<v>", "variant~variant", "same-group", "cross-group"
    split: str  # "tune" or "test"; "extra" for the rewrites, outside the headline figures
    lang: str


@dataclass
class EvalSet:
    docs: list[Doc]
    pairs: list[Pair]
    splits: dict[str, str] = field(default_factory=dict)  # group → split

    def doc(self, doc_id: str) -> Doc:
        return self._by_id()[doc_id]

    def _by_id(self) -> dict[str, Doc]:
        if not hasattr(self, "_index"):
            self._index = {d.id: d for d in self.docs}
        return self._index


def load_base_stories() -> list[dict]:
    stories = []
    for path in sorted(FIXTURES.glob("*_stories*.toml")):
        stories.extend(tomllib.loads(path.read_text(encoding="utf-8"))["story"])
    return stories


def load_rewrites() -> list[dict]:
    """The same stories retold in an outlet's own words (not copies)."""
    return tomllib.loads((FIXTURES / "zh_rewrites.toml").read_text(encoding="utf-8"))["rewrite"]


def load_translations() -> tuple[list[dict], dict[str, str]]:
    data = tomllib.loads((FIXTURES / "en_translations.toml").read_text(encoding="utf-8"))
    return data["translation"], data.get("versions", {})


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def edit_share(a: str, b: str) -> float:
    """The share of the longer text that the two do not have in common (difflib blocks)."""
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return 1 - sum(b.size for b in blocks) / max(len(a), len(b), 1)


def _sentences(paragraph: str, lang: str) -> list[str]:
    if lang == "zh":
        return [s for s in re.split(r"(?<=[。！？；])", paragraph) if s]
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]


def _join(sentences: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(sentences)


def edit_text(rng: random.Random, paragraphs: list[str], lang: str, target: float) -> list[str]:
    """Edit until about ``target`` of the text has changed: swap synonyms, drop or add
    a sentence, the way a desk editor rewrites a wire story. The share is counted as the
    characters each edit touches (difflib on every step would take minutes)."""
    synonyms = ZH_SYNONYMS if lang == "zh" else EN_SYNONYMS
    inserts = ZH_INSERTS if lang == "zh" else EN_INSERTS
    total = max(1, sum(len(p) for p in paragraphs))
    changed = 0
    paras = [_sentences(p, lang) for p in paragraphs]
    for _ in range(400):
        if changed / total >= target:
            break
        op = rng.random()
        pi = rng.randrange(len(paras))
        if op < 0.6:
            old, new = rng.choice(synonyms)
            si = [i for i, s in enumerate(paras[pi]) if old in s]
            if si:
                i = rng.choice(si)
                paras[pi][i] = paras[pi][i].replace(old, new, 1)
                changed += max(len(old), len(new))
        elif op < 0.8 and len(paras[pi]) > 1:
            # Only the story's own sentences: dropping an added one would undo an edit.
            own = [i for i, s in enumerate(paras[pi]) if s not in inserts]
            if own:
                changed += len(paras[pi].pop(rng.choice(own)))
        else:
            added = rng.choice(inserts)
            paras[pi].insert(rng.randrange(len(paras[pi]) + 1), added)
            changed += len(added)
    return [_join(p, lang) for p in paras if p]


def _footer(rng: random.Random, lang: str, title: str, n: int) -> list[str]:
    lines = ZH_FOOTERS if lang == "zh" else EN_FOOTERS
    names = ZH_NAMES if lang == "zh" else EN_NAMES
    sources = ZH_SOURCES if lang == "zh" else EN_SOURCES
    return [line.format(name=rng.choice(names), name2=rng.choice(names),
                        source=rng.choice(sources), title=title)
            for line in rng.sample(lines, n)]


def _dateline(rng: random.Random, lang: str, published: str) -> str:
    t = datetime.fromisoformat(published)
    if lang == "zh":
        return rng.choice(ZH_DATELINES).format(md=f"{t.month}月{t.day}日", name=rng.choice(ZH_NAMES))
    return rng.choice(EN_DATELINES).format(d=t.day)


def _new_title(rng: random.Random, title: str, lang: str) -> str:
    if lang == "zh":
        prefix = rng.choice(["", "权威发布｜", "【关注】", "重磅！", "最新！"])
        suffix = rng.choice(["", "（附全文）", "——专家解读", " 一文读懂"])
        core = re.sub(r"^(工业和信息化部|国家发展改革委|中国人民银行|生态环境部|农业农村部|科技部|财政部|"
                      r"证监会|中国证监会|商务部)", lambda m: {"工业和信息化部": "工信部",
                      "国家发展改革委": "发改委", "中国人民银行": "央行"}.get(m.group(1), m.group(1)) + "：",
                      title)
        return prefix + core + suffix
    return rng.choice(["", "UPDATE: ", "China: "]) + title.replace(" pct", " percent") + \
        rng.choice(["", " - report", " | Economy"])


def republish(rng: random.Random, base: Doc, variant: str, n: int,
              related: list[str] = ()) -> Doc:
    """One republication of ``base`` made the ``variant`` way (``related``: headlines a
    page lists under its text)."""
    lang = base.lang
    paras = base.body.split("\n")
    title = base.title
    outlets = HANT_OUTLETS if variant == "script" and lang == "zh" else (
        ZH_OUTLETS if lang == "zh" else EN_OUTLETS)
    site = rng.choice(outlets)
    published = (datetime.fromisoformat(base.published)
                 + timedelta(minutes=rng.randrange(20, 36 * 60))).isoformat()
    if variant in ("headline", "combined"):
        title = _new_title(rng, title, lang)
        paras = [_dateline(rng, lang, base.published) + paras[0], *paras[1:]]
    if variant in ("lead_dropped", "combined") and len(paras) > 2:
        paras = paras[1:]
    if variant == "reordered" and len(paras) > 2:
        middle = paras[1:]
        while middle == paras[1:]:
            rng.shuffle(middle)
        paras = [paras[0], *middle]
    if variant == "edited":
        # Keep the measured share (difflib) in 10–30 %: the edit counter only estimates it.
        for _ in range(8):
            edited = edit_text(rng, paras, lang, rng.uniform(0.10, 0.28))
            if 0.10 <= edit_share("\n".join(paras), "\n".join(edited)) <= 0.30:
                break
        paras = edited
    if variant == "combined":
        paras = edit_text(rng, paras, lang, rng.uniform(0.05, 0.12))
    if variant in ("footer", "combined"):
        paras = paras + _footer(rng, lang, base.title, rng.randint(2, 4))
    if variant == "boilerplate":
        top, bottom = (ZH_PAGE_TOP, ZH_PAGE_BOTTOM) if lang == "zh" else (EN_PAGE_TOP, EN_PAGE_BOTTOM)
        fill = {"date": published[:16].replace("T", " "), "n": rng.randrange(10000, 99999),
                "site": site}
        links = [f"· {t}" for t in rng.sample(list(related), min(4, len(related)))]
        paras = ([line.format(**fill) for line in rng.sample(top, 2)] + paras
                 + [bottom[0]] + links + [line.format(**fill) for line in bottom[1:]])
    if variant == "script":
        if lang == "zh":
            title, paras = _s2t().convert(title), [_s2t().convert(p) for p in paras]
        else:  # no script to change in English: a wire rewrite of the last paragraph instead
            paras = paras[:-1] + edit_text(rng, paras[-1:], lang, 0.3)
    body = "\n".join(paras)
    return Doc(id=f"{base.id}~{variant}{n}", base=base.id, group=base.group, lang=lang,
               site=site, published=published, title=title, body=body, variant=variant,
               edit_share=round(edit_share(base.body, body), 3)
               if variant in ("edited", "combined") else 0.0)


def base_docs() -> list[Doc]:
    return [Doc(id=s["id"], base=s["id"], group=s["group"], lang=s["lang"], site=s["site"],
                published=s["published"], title=s["title"], body="\n".join(s["paragraphs"]))
            for s in load_base_stories()]


def make_evalset(seed: int = SEED) -> EvalSet:
    """Documents and labelled pairs, the same for the same seed."""
    rng = random.Random(seed)
    bases = base_docs()
    groups = sorted({d.group for d in bases})
    # Alternate groups of each language between tune and test.
    splits: dict[str, str] = {}
    for lang in ("zh", "en"):
        for i, g in enumerate(sorted({d.group for d in bases if d.lang == lang})):
            splits[g] = "tune" if i % 2 == 0 else "test"
    docs: list[Doc] = list(bases)
    pairs: list[Pair] = []
    by_group = {g: [d for d in bases if d.group == g] for g in groups}
    for base in bases:
        related = [d.title for d in bases if d.lang == base.lang and d.id != base.id]
        variants = [republish(rng, base, v, 1, related) for v in VARIANTS]
        docs.extend(variants)
        split = splits[base.group]
        for v in variants:
            pairs.append(Pair(base.id, v.id, True, f"variant:{v.variant}", split, base.lang))
        for a, b in rng.sample([(a, b) for i, a in enumerate(variants) for b in variants[i + 1:]], 2):
            pairs.append(Pair(a.id, b.id, True, "variant~variant", split, base.lang))
        others = [d for d in by_group[base.group] if d.id != base.id]
        for other in others:
            if base.id < other.id:
                pairs.append(Pair(base.id, other.id, False, "same-group", split, base.lang))
            # A republication against a sibling story: the footers and datelines now match.
            v = rng.choice(variants)
            pairs.append(Pair(v.id, other.id, False, "same-group", split, base.lang))
    # A republication that adds a sibling story's paragraph as background: the same story
    # as its own base, a different story from the sibling it quotes.
    for base in bases:
        sibling = rng.choice([d for d in by_group[base.group] if d.id != base.id])
        doc = with_background(rng, base, sibling)
        docs.append(doc)
        split = splits[base.group]
        pairs.append(Pair(base.id, doc.id, True, "variant:background", split, base.lang))
        pairs.append(Pair(sibling.id, doc.id, False, "background-of-sibling", split, base.lang))
    # Morning digests that string together the leads of several stories of one language.
    for lang in ("zh", "en"):
        pool = [d for d in bases if d.lang == lang]
        for n in range(8 if lang == "zh" else 4):
            picked = rng.sample(pool, 5)
            doc = digest(rng, picked, lang, n)
            docs.append(doc)
            for d in picked:
                pairs.append(Pair(d.id, doc.id, False, "digest", splits[d.group], lang))
    # Rewrites: the same story in other words. Labelled "same", scored apart.
    for r in load_rewrites():
        base = next(d for d in bases if d.id == r["of"])
        docs.append(Doc(id=r["id"], base=base.id, group=base.group, lang="zh", site=r["site"],
                        published=r["published"], title=r["title"],
                        body="\n".join(r["paragraphs"]), variant="rewrite"))
        pairs.append(Pair(base.id, r["id"], True, "rewrite", "extra", "zh"))
    return EvalSet(docs=docs, pairs=pairs, splits=splits)


def with_background(rng: random.Random, base: Doc, sibling: Doc) -> Doc:
    paras = base.body.split("\n")
    quoted = sibling.body.split("\n")[0]
    lead = "另据了解，" if base.lang == "zh" else "Separately, "
    paras = [*paras, lead + quoted]
    published = (datetime.fromisoformat(base.published) + timedelta(hours=rng.randrange(1, 30)))
    site = rng.choice(ZH_OUTLETS if base.lang == "zh" else EN_OUTLETS)
    body = "\n".join(paras)
    return Doc(id=f"{base.id}~background", base=base.id, group=base.group, lang=base.lang,
               site=site, published=published.isoformat(), title=_new_title(rng, base.title, base.lang),
               body=body, variant="background")


def digest(rng: random.Random, stories: list[Doc], lang: str, n: int) -> Doc:
    """A news roundup: each story's lead paragraph under a numbered heading."""
    lines = []
    for i, d in enumerate(stories, 1):
        lines.append(f"{i}. {d.title}" if lang == "en" else f"【{d.title}】")
        lines.append(d.body.split("\n")[0])
    latest = max(datetime.fromisoformat(d.published) for d in stories) + timedelta(hours=2)
    title = "要闻速览" if lang == "zh" else "Morning briefing: what you need to know"
    site = rng.choice(ZH_OUTLETS if lang == "zh" else EN_OUTLETS)
    return Doc(id=f"digest-{lang}-{n}", base=f"digest-{lang}-{n}", group=f"digest-{lang}",
               lang=lang, site=site, published=latest.isoformat(), title=title,
               body="\n".join(lines), variant="digest")
