"""A ministry's notice list whose notices carry attachments, good and bad, for crawl tests.

``www.ministry-x.example``: a list page, a baseline notice, and (added by
:func:`publish_policy`) the notice "关于印发《人形机器人创新发展实施方案》的通知", three
lines long, whose attachments are the policy (a 5-page PDF, the topic on page 3), a
.docx with a table, an .xlsx, and the bad ones: scanned, encrypted, corrupt, a zip bomb,
a Word file named .pdf, a junk .doc, a missing file and one robots.txt forbids. A second
notice links the same plan again, by the same URL and by a copy under another URL.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.support import attachment_files as af

HOST = "www.ministry-x.example"
BASE = f"https://{HOST}"
LIST = f"{BASE}/zwgk/tzgg/"
BASELINE = f"{BASE}/zwgk/tzgg/202611/t20261120_100.html"
POLICY = f"{BASE}/zwgk/tzgg/202612/t20261201_101.html"
AGAIN = f"{BASE}/zwgk/tzgg/202612/t20261202_102.html"
PLAN_NAME = "人形机器人创新发展实施方案.pdf"
TOPIC = "人形机器人"

SEED = f"""
    name = "ministry-x"
    title = "Ministry X 通知公告"
    site = "MINISTRY-X"
    kind = "html"
    language = "zh"
    start_urls = ["{LIST}"]
    download_delay = 0
    site_id_pattern = 't(\\d{{8}}_\\d+)\\.html'
    attachments = ["pdf", "docx", "doc", "xlsx"]
    [list]
    items = "ul.list li"
    link = "a::attr(href)"
    title = "a::attr(title)"
    date = "span::text"
    [article]
    body = "div.TRS_Editor"
    """

# (file, link text, bytes-maker): the attachments of the policy notice, in page order.
POLICY_FILES = [
    ("P020261201_plan.pdf", f"附件1：{PLAN_NAME[:-4]}", lambda: af.pdf(af.policy_pages(5))),
    ("P020261201_tasks.docx", "附件2：重点任务分工表", lambda: af.docx(
        ["重点任务分工表", "各牵头单位按分工抓好落实。"],
        [["序号", "重点任务", "牵头单位"], ["1", "具身智能操作系统攻关", "科技司"],
         ["2", "灵巧手与关节模组", "装备司"]])),
    ("P020261201_budget.xlsx", "附件3：资金安排表", lambda: af.xlsx(
        {"资金安排": [["项目", "金额（万元）"], ["伺服电机产线改造", 1200]],
         "说明": [["按季度拨付"]]})),
    ("P020261201_scan.pdf", "附件4：盖章扫描件", lambda: af.image_only_pdf(2)),
    ("P020261201_locked.pdf", "附件5：加密文件", lambda: af.pdf(["密件 人形机器人"],
                                                             password="secret")),
    ("P020261201_broken.pdf", "附件6：损坏文件", af.corrupt_pdf),
    ("P020261201_bomb.docx", "附件7：异常文档", lambda: af.docx_bomb(120)),
    ("P020261201_liar.pdf", "附件8：名不副实", lambda: af.docx(["其实这是一个 Word 文件：算力券"])),
    ("P020261201_old.doc", "附件9：旧版文档", lambda: af.OLE_JUNK),
    ("P020261201_missing.pdf", "附件10：已删除", None),
    ("private/P020261201_secret.pdf", "附件11：内部文件", lambda: af.pdf(["内部"])),
]
# Outcomes, in the order above.
POLICY_OUTCOMES = ["ok", "ok", "ok", "scanned", "encrypted", "corrupt", "too_large", "ok",
                   "corrupt", "failed", "failed"]


def _notice(title: str, date: str, body: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
    return textwrap.dedent(f"""\
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
        <meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date}">
        </head><body><div class="header">首页 | 通知公告</div><h1>{title}</h1>
        <div class="TRS_Editor"><p>{body}</p>{items}</div>
        <div class="footer">版权所有 <a href="/zwgk/guide.pdf">网站使用指南.pdf</a></div>
        </body></html>""")


def _list(entries: list[tuple[str, str, str]]) -> str:
    lis = "".join(f'<li><a href="{url}" title="{title}">{title}</a><span>{date}</span></li>'
                  for url, title, date in entries)
    return (f'<html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<ul class="list">{lis}</ul></body></html>')


def _file(root: Path, url: str) -> Path:
    path = root / HOST / url.split(HOST + "/", 1)[1]
    if url.endswith("/"):
        path = path / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_site(root: Path) -> Path:
    """The list with the baseline notice only (a source's first crawl alerts nothing)."""
    _file(root, f"{BASE}/robots.txt").write_text("User-agent: *\nDisallow: /zwgk/tzgg/202612/private/\n")
    _file(root, BASELINE).write_text(_notice(
        "关于开展2026年度统计调查的通知", "2026-11-20 10:00",
        "各有关单位：现将有关事项通知如下，请认真组织实施。", []), encoding="utf-8")
    _file(root, LIST).write_text(_list([(BASELINE, "关于开展2026年度统计调查的通知",
                                         "2026-11-20")]), encoding="utf-8")
    return root


def publish_policy(root: Path) -> None:
    """Add the policy notice (and the notice that links its plan again) to the list."""
    folder = POLICY.rsplit("/", 1)[0]
    links = []
    for name, text, make in POLICY_FILES:
        if make is not None:
            _file(root, f"{folder}/{name}").write_bytes(make())
        links.append((name, text))
    links.append(("P020261201_all.zip", "附件12：打包下载"))  # a kind the seed did not opt into
    _file(root, POLICY).write_text(_notice(
        "关于印发《人形机器人创新发展实施方案》的通知", "2026-12-01 09:00",
        "各省、自治区、直辖市工业和信息化主管部门：现将《创新发展实施方案》印发给你们，"
        "请结合实际认真贯彻执行。", links), encoding="utf-8")
    plan = _file(root, f"{folder}/P020261201_plan.pdf").read_bytes()
    _file(root, f"{folder}/copy/plan-copy.pdf").write_bytes(plan)
    _file(root, AGAIN).write_text(_notice(
        "关于转发实施方案的通知", "2026-12-02 09:00",
        "各单位：现转发有关文件，请遵照执行。",
        [("P020261201_plan.pdf", f"附件：{PLAN_NAME[:-4]}"),
         ("copy/plan-copy.pdf", "附件：实施方案（副本）")]), encoding="utf-8")
    _file(root, LIST).write_text(_list([
        (AGAIN, "关于转发实施方案的通知", "2026-12-02"),
        (POLICY, "关于印发《人形机器人创新发展实施方案》的通知", "2026-12-01"),
        (BASELINE, "关于开展2026年度统计调查的通知", "2026-11-20")]), encoding="utf-8")


def write_seed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ministry-x.toml").write_text(textwrap.dedent(SEED), encoding="utf-8")
    return folder
