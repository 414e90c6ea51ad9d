"""The labelled evaluation set for story clustering: one story across outlets, rewrites
and languages, with hard negatives from the same institution, topic and week.

Written by hand (``tests/fixtures/stories/``, the events invented):

- base stories (``*_stories*.toml``): the first telling, as the ministry, Xinhua,
  Securities Daily or an English portal writes it, in groups of four from one
  institution on one topic in one week: the stories of a group are the hard negatives
  of one another;
- other outlets' tellings of them (``tellings.toml``, ``en_translations.toml``,
  ``zh_rewrites.toml``): translations into English or Chinese and rewrites in an outlet's
  own words, new headlines, other paragraph orders, credited sources;
- English base stories that are versions of a Chinese one (``[versions]``) belong to it.

Generated from that material with a fixed seed: mechanical republications the way portals
make them (a partial republication of a few paragraphs, or the whole text reordered,
under a headline taken from the story's own sentences, inside the republishing site's
furniture: its app banners, "previous/next" links naming the group's other stories,
comment widgets, credit lines). Each story has 2–6 articles. Every article is fetched a
random delay after publication, so the archive order is not the publication order.

Labelled pairs: every two articles of one story are "same" (``republication`` when one
text is a copy of the other, ``rewrite`` when two tellings in one language were written
apart, ``cross-language`` across languages); every two articles of two stories of one
group are "different" (``hard-negative``). Groups alternate between a ``tune`` half (for
choosing parameters) and a held-out ``test`` half.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import combinations
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stories"
SEED = 20261204
MAX_ARTICLES = 6

# Sites that republish (display names, as the seeds' `site` says).
ZH_REPUBLISHERS = ["gov.cn", "Sina Finance", "The Paper", "China News Service", "Yicai",
                   "Securities Times", "Economic Daily", "People's Daily Online"]
EN_REPUBLISHERS = ["Outlook New Era", "ecns.cn", "Global Times", "CGTN", "Shanghai Daily",
                   "english.gov.cn"]
# The furniture of those sites' article pages, as a generic extractor leaves it: none of
# it is what the shingle normaliser strips, and the "previous/next" lines name other
# stories of the same group.
ZH_TOP = ["{site} > 财经频道 > 宏观 > 正文", "{date}  {site}  字体：A+ A-", "听新闻",
          "原创 {site}记者 {who} {date}", "{site}客户端 {date}", "阅读量：{n}"]
ZH_BOTTOM = ["上一篇：{other}", "下一篇：{other}", "热门推荐：{other}", "点击进入专题：{topic}",
             "下载{site}APP，随时随地看新闻", "网友评论 登录后发表评论", "我要评论 举报",
             "（本文不构成投资建议，据此操作风险自担）", "更多报道请关注{site}微信公众号",
             "{who} 审读：{who2}", "返回顶部"]
EN_TOP = ["{site} | Updated: {date}", "By {who_en} | {site} | {date}", "Listen to this story",
          "Business > Economy", "{date} {site} staff"]
EN_BOTTOM = ["Previous article: {other}", "Next: {other}", "Read more: {other}",
             "Subscribe to our daily newsletter", "Follow {site} on social media",
             "Most viewed", "Comments are closed for this story", "{site} {year} All rights reserved"]
ZH_WHO = ["王雪", "刘菁", "陈子安", "赵一鸣", "孙婷", "黄博"]
EN_WHO = ["Zhao Yimeng", "Ma Si", "Li Xiang", "Ouyang Shijia", "Chen Yingqun"]
ZH_CREDIT = ["来源：{src}", "本文来源：{src}", "（来源：{src}）", "转自：{src}", "稿件来源：{src}"]
EN_CREDIT = ["Source: {src}", "(Source: {src})", "This article was first published by {src}."]
# What an outlet is called in a credit line, in either language.
CREDIT_NAME = {
    "zh": {"MIIT": "工业和信息化部网站", "NDRC": "国家发展改革委网站", "CAC": "中国网信网",
           "MOHRSS": "人力资源社会保障部网站", "Xinhua": "新华社", "Securities Daily": "证券日报",
           "China Securities Journal": "中国证券报", "China Daily": "中国日报网",
           "gov.cn": "中国政府网"},
    "en": {"MIIT": "MIIT", "NDRC": "NDRC", "Xinhua": "Xinhua", "Securities Daily":
           "Securities Daily", "China Daily": "China Daily", "China Securities Journal":
           "China Securities Journal", "english.www.gov.cn": "english.gov.cn"},
}


@dataclass
class Doc:
    id: str
    story: str
    group: str
    lang: str
    site: str
    title: str
    body: str
    published: str
    fetched: str
    kind: str  # original, republication, rewrite, translation
    lineage: str  # the hand-written text this one is a copy of
    doc_number: str | None = None
    original_source: str | None = None


@dataclass
class Pair:
    a: str
    b: str
    same: bool
    kind: str  # republication, rewrite, cross-language, hard-negative
    split: str  # tune, test


@dataclass
class EvalSet:
    docs: list[Doc]
    pairs: list[Pair]
    splits: dict[str, str]  # group → split
    _index: dict[str, Doc] = field(default_factory=dict, repr=False)

    def doc(self, doc_id: str) -> Doc:
        if not self._index:
            self._index = {d.id: d for d in self.docs}
        return self._index[doc_id]

    def stories(self) -> dict[str, list[Doc]]:
        out: dict[str, list[Doc]] = {}
        for d in self.docs:
            out.setdefault(d.story, []).append(d)
        return out


@lru_cache(maxsize=1)
def _material() -> tuple[list[dict], list[dict], dict[str, str]]:
    """(base stories, tellings with `of` and `kind`, English base story → Chinese one)."""
    base: list[dict] = []
    for path in sorted(FIXTURES.glob("*_stories*.toml")):
        base += tomllib.loads(path.read_text(encoding="utf-8"))["story"]
    tellings = list(tomllib.loads((FIXTURES / "tellings.toml").read_text("utf-8"))["telling"])
    tr = tomllib.loads((FIXTURES / "en_translations.toml").read_text("utf-8"))
    for t in tr["translation"]:
        tellings.append({**t, "kind": "translation", "lang": "en"})
    for t in tomllib.loads((FIXTURES / "zh_rewrites.toml").read_text("utf-8"))["rewrite"]:
        tellings.append({**t, "kind": "rewrite", "lang": "zh"})
    return base, tellings, dict(tr.get("versions", {}))


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def _iso(t: datetime) -> str:
    return t.replace(microsecond=0).isoformat()


def _sentences(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [s for s in re.split(r"(?<=[。；！？])", text) if s.strip()]
    return [s for s in re.split(r"(?<=[.;!?])\s+", text) if s.strip()]


_DANGLING = {"on", "the", "a", "an", "of", "and", "to", "in", "said", "for", "by", "with",
             "from", "at", "as", "its", "their", "was", "were", "is", "are", "that", "than"}


def _headline(rng: random.Random, paragraphs: list[str], lang: str, old: str) -> str:
    """A new headline from the story's own sentences: a clause carrying a figure if
    there is one, as portals retitle a reprint."""
    body = [p for p in paragraphs if len(p) > 30] or paragraphs
    clauses = []
    for p in body:
        for s in _sentences(p, lang):
            parts = re.split(r"[，,：:]", s) if lang == "zh" else re.split(r",\s+|\s+--\s+", s)
            clauses += [c.strip(" 。.;；") for c in parts if len(c.strip()) >= (8 if lang == "zh" else 25)]
    with_figure = [c for c in clauses if re.search(r"\d", c)]
    pool = with_figure or clauses or [old]
    pick = rng.choice(pool)
    if lang == "zh":
        pick = re.sub(r"^(新华社\S*电|本报记者\s*\S+|记者\s*\S+)\s*", "", pick)
        if len(pick) > 30:
            pick = pick[:30]
        return pick
    words = re.sub(r"^[A-Z ,.]+\(Xinhua\) -- ", "", pick).split()
    words = words[:rng.randint(8, 13)]
    while len(words) > 4 and words[-1].lower().strip(",.") in _DANGLING:
        words.pop()
    pick = " ".join(words).rstrip(",.")
    return pick[:1].upper() + pick[1:]


def _furniture(rng: random.Random, lang: str, site: str, when: datetime,
               others: list[str], topic: str) -> tuple[list[str], list[str]]:
    top_pool, bottom_pool = (ZH_TOP, ZH_BOTTOM) if lang == "zh" else (EN_TOP, EN_BOTTOM)
    fill = {"site": site, "date": when.strftime("%Y-%m-%d %H:%M"), "n": rng.randint(200, 99999),
            "who": rng.choice(ZH_WHO), "who2": rng.choice(ZH_WHO), "who_en": rng.choice(EN_WHO),
            "topic": topic, "year": when.year,
            "other": rng.choice(others) if others else topic}

    def one(t: str) -> str:
        if "{other}" in t and others:
            fill["other"] = rng.choice(others)
        return t.format(**fill)

    top = [one(t) for t in rng.sample(top_pool, rng.randint(0, 2))]
    bottom = [one(t) for t in rng.sample(bottom_pool, rng.randint(1, 4))]
    return top, bottom


def _credit(rng: random.Random, lang: str, site: str) -> str | None:
    name = CREDIT_NAME[lang].get(site)
    if not name:
        return None
    return rng.choice(ZH_CREDIT if lang == "zh" else EN_CREDIT).format(src=name)


def _republish(rng: random.Random, src: Doc, paragraphs: list[str], site: str, n: int,
               others: list[str], topic: str) -> Doc:
    """A portal's republication of ``src``: partial (the lead and one or two more
    paragraphs) or whole with its middle reordered, a new headline, the portal's
    furniture and (usually) a credit line naming where it came from."""
    lang = src.lang
    content = [p for p in paragraphs if not re.match(r"^(本报记者|中国证券报记者)", p)]
    if len(content) >= 3 and rng.random() < 0.55:
        kept = [content[0]] + sorted(rng.sample(content[1:], rng.randint(1, min(2, len(content) - 1))),
                                     key=content.index)
        how = "partial"
    else:
        middle = content[1:]
        rng.shuffle(middle)
        kept = [content[0]] + middle
        how = "reordered"
    when = _parse(src.published) + timedelta(minutes=rng.randint(40, 20 * 60))
    top, bottom = _furniture(rng, lang, site, when, others, topic)
    credit = _credit(rng, lang, src.site) if rng.random() < 0.75 else None
    lines = top + kept + ([credit] if credit else []) + bottom
    return Doc(id=f"{src.id}~{how}{n}", story=src.story, group=src.group, lang=lang, site=site,
               title=_headline(rng, kept, lang, src.title), body="\n".join(lines),
               published=_iso(when), fetched="", kind="republication", lineage=src.lineage,
               doc_number=None, original_source=None)


def make_evalset(seed: int = SEED) -> EvalSet:
    rng = random.Random(seed)
    base, tellings, versions = _material()
    by_id = {s["id"]: s for s in base}
    story_of = {s["id"]: versions.get(s["id"], s["id"]) for s in base}
    docs: list[Doc] = []
    paragraphs: dict[str, list[str]] = {}
    titles_by_group: dict[str, list[str]] = {}
    for s in base:
        group = by_id[story_of[s["id"]]]["group"]
        titles_by_group.setdefault(f"{group}/{s['lang']}", []).append(s["title"])

    def add(d: Doc, paras: list[str]) -> None:
        docs.append(d)
        paragraphs[d.id] = paras

    for s in base:
        story = story_of[s["id"]]
        kind = "original" if story == s["id"] else "translation"
        add(Doc(id=s["id"], story=story, group=by_id[story]["group"], lang=s["lang"],
                site=s["site"], title=s["title"], body="\n".join(s["paragraphs"]),
                published=s["published"], fetched="", kind=kind, lineage=s["id"],
                doc_number=s.get("doc_number")), s["paragraphs"])
    for n, t in enumerate(tellings):
        root = by_id[t["of"]]
        story = story_of[t["of"]]
        lang = t.get("lang") or (root["lang"] if t["kind"] == "rewrite"
                                 else ("en" if root["lang"] == "zh" else "zh"))
        tid = f"{t['of']}@{t['kind']}{n}"
        add(Doc(id=tid, story=story, group=by_id[story]["group"], lang=lang, site=t["site"],
                title=t["title"], body="\n".join(t["paragraphs"]), published=t["published"],
                fetched="", kind=t["kind"], lineage=tid,
                original_source=t.get("original_source")), t["paragraphs"])
    # Mechanical republications, within the story's limit of MAX_ARTICLES.
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.story] = counts.get(d.story, 0) + 1
    written = list(docs)
    for d in written:
        room = MAX_ARTICLES - counts[d.story]
        alone = counts[d.story] == 1
        if room <= 0 or not (alone or rng.random() < (0.6 if d.kind == "original" else 0.4)):
            continue
        pool = ZH_REPUBLISHERS if d.lang == "zh" else EN_REPUBLISHERS
        site = rng.choice([p for p in pool if p != d.site])
        others = [t for t in titles_by_group.get(f"{d.group}/{d.lang}", []) if t != d.title]
        topic = d.group.replace("-", " ")
        rep = _republish(rng, d, paragraphs[d.id], site, counts[d.story], others, topic)
        add(rep, [])
        counts[d.story] += 1
    for d in docs:
        # Crawls come minutes to hours after publication: archive order ≠ publication order.
        d.fetched = _iso(_parse(d.published) + timedelta(minutes=rng.randint(5, 9 * 60)))
    groups = sorted({d.group for d in docs})
    splits = {g: ("tune" if i % 2 == 0 else "test") for i, g in enumerate(groups)}
    pairs: list[Pair] = []
    by_group: dict[str, list[Doc]] = {}
    for d in docs:
        by_group.setdefault(d.group, []).append(d)
    for group, members in by_group.items():
        for a, b in combinations(members, 2):
            if a.story == b.story:
                kind = ("cross-language" if a.lang != b.lang else
                        "republication" if a.lineage == b.lineage else "rewrite")
                pairs.append(Pair(a.id, b.id, True, kind, splits[group]))
            else:
                pairs.append(Pair(a.id, b.id, False, "hard-negative", splits[group]))
    return EvalSet(docs, pairs, splits)


if __name__ == "__main__":  # pragma: no cover - a look at the set
    es = make_evalset()
    sizes = [len(v) for v in es.stories().values()]
    print(len(es.docs), "docs,", len(sizes), "stories, sizes", min(sizes), "-", max(sizes))
    from collections import Counter
    print(Counter((p.kind, p.split) for p in es.pairs))
    for d in es.docs[-3:]:
        print(d.id, d.site, d.title, "\n", d.body, "\n")
