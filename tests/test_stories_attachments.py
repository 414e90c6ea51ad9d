"""Stories read what a notice attaches: a three-line notice whose policy is its PDF is one
story with an outlet that publishes the policy's text; a form many notices attach alike
joins nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


from alerts import stories, story_index
from crawler import archive
from newswatch.storage import open_archive
from tests.support.archive_articles import add_article, story_db  # noqa: F401 (fixture db)
from tests.support.backends import archive_target, postgres_server  # noqa: F401

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)

NOTICE = ("各省、自治区、直辖市及计划单列市工业和信息化主管部门：\n"
          "现将《人形机器人产业创新发展实施方案》印发给你们，请结合实际认真贯彻执行。\n"
          "附件：人形机器人产业创新发展实施方案.pdf")
OTHER_NOTICE = ("各有关单位：\n现将《工业互联网标识解析体系建设指南》印发给你们，请认真组织实施。\n"
                "附件：1.工业互联网标识解析体系建设指南.pdf 2.项目申报表.docx")

POLICY = """人形机器人产业创新发展实施方案

一、总体要求
以整机带动关键部组件突破为主线，到2027年，人形机器人创新体系初步建立，培育3至5家具有全球影响力的整机企业，打造4个产业发展集聚区，关键部组件国产化率达到70%以上。

二、主要任务
（一）突破关键技术。围绕灵巧手、高功率密度关节、轻量化骨骼和高能量密度电池，组织实施20项攻关任务，支持企业联合高校建设8个联合实验室。
（二）培育优质企业。遴选一批专精特新中小企业，对首台套整机给予不超过30%的保险补偿，引导社会资本设立总规模100亿元的产业基金。
（三）拓展应用场景。在汽车制造、3C电子、仓储物流、养老服务等领域开展示范应用，建设15个典型应用场景，推动2000台以上整机进入生产线。
（四）完善标准体系。制定整机安全、关节性能、数据接口等12项行业标准，建设国家级检验检测平台。

三、保障措施
加强部门协同，建立由工业和信息化部牵头、科技部等部门参与的工作机制；加大财政金融支持；加强人才培养，在25所高校设置相关专业方向；营造良好发展环境。"""

REPORT = ("记者11月4日获悉，工业和信息化部印发《人形机器人产业创新发展实施方案》。方案全文如下：\n"
          + POLICY.split("\n", 1)[1])

OTHER_POLICY = """工业互联网标识解析体系建设指南

到2028年，建成覆盖31个省份的二级节点体系，标识注册量突破8000亿个，日均解析量达到150亿次，培育40家以上标识解析服务商。
重点任务包括：完善国家顶级节点功能，新建60个行业二级节点，推动标识在重点行业规模应用，建设6个安全监测平台，研制18项标识解析标准。"""

FORM = "\n".join(f"{n}、{field}：＿＿＿＿＿＿＿＿" for n, field in enumerate(
    ["单位名称", "统一社会信用代码", "注册地址", "法定代表人", "联系人及电话", "上年度营业收入（万元）",
     "研发投入（万元）", "研发人员数量", "项目名称", "项目实施地点", "项目总投资（万元）",
     "申请支持资金（万元）", "项目建设内容及目标", "项目实施进度安排", "预期经济社会效益",
     "单位承诺：本单位对所提交材料的真实性负责", "推荐单位意见（盖章）", "日期"] * 6, 1))


def pdf(name: str, text: str) -> dict:
    return {"url": f"https://www.miit.example/{name}", "name": name, "type": "pdf",
            "outcome": "ok", "text": text, "page_count": 3, "pages": [[0, 1]],
            "sha256": name, "bytes": len(text.encode())}


def form(name: str) -> dict:
    return {**pdf(name, FORM), "type": "docx", "unit": "page", "page_count": None}


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def notice_and_report(db, *, with_files: bool) -> tuple[int, int]:
    notice = add_article(db, title="关于印发《人形机器人产业创新发展实施方案》的通知", body=NOTICE,
                         site="MIIT", source="miit-notices", published=at(0))
    if with_files:
        archive.store_attachments(db, notice, [pdf("人形机器人产业创新发展实施方案.pdf", POLICY),
                                               form("企业申报表.docx")])
    report = add_article(db, title="工信部印发方案：到2027年培育3至5家人形机器人整机企业",
                         body=REPORT, site="Securities Daily", source="zqrb", published=at(20))
    return notice, report


def test_a_notice_whose_policy_is_its_attachment_joins_the_report_of_that_policy(db, tmp_path):
    notice, report = notice_and_report(db, with_files=True)
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    assert stories.story_of(db, report) == stories.story_of(db, notice)
    joined = {m["id"]: m for m in stories.members(db, stories.story_of(db, notice))}
    assert joined[report]["link"] in ("shingles", "fingerprints")
    # The same two articles without the notice's attachment stay apart: it is the
    # attachment's text that tells them apart from two different stories.
    story_index._indexes.clear()
    bare = open_archive(tmp_path / "bare.db")
    notice, report = notice_and_report(bare, with_files=False)
    stories.cluster_new(bare, window_days=3, now=T0 + timedelta(days=2))
    assert stories.story_of(bare, report) != stories.story_of(bare, notice)
    bare.close()


def test_a_form_two_notices_attach_alike_does_not_join_them(db):
    first = add_article(db, title="关于组织申报2026年度人形机器人创新任务的通知",
                        body="各有关单位：\n现组织申报2026年度人形机器人创新任务，请于12月20日前报送。",
                        site="MIIT", published=at(0))
    archive.store_attachments(db, first, [form("项目申报表.docx")])
    second = add_article(db, title="关于征集工业互联网典型案例的通知",
                         body="各有关单位：\n现征集工业互联网典型应用案例，请于12月25日前报送材料。",
                         site="MIIT", published=at(3))
    archive.store_attachments(db, second, [form("项目申报表.docx")])
    third = add_article(db, title="关于印发《工业互联网标识解析体系建设指南》的通知",
                        body=OTHER_NOTICE, site="MIIT", published=at(5))
    archive.store_attachments(db, third, [pdf("工业互联网标识解析体系建设指南.pdf", OTHER_POLICY),
                                          form("项目申报表.docx")])
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=2))
    assert len({stories.story_of(db, a) for a in (first, second, third)}) == 3


def test_story_body_takes_policy_files_only_and_is_bounded():
    files = [pdf("实施方案.pdf", "方案" * 10), form("申报表.docx"), form("申请书（模板）.doc"),
             {**pdf("清单.xlsx", "表格"), "type": "xlsx"},
             {**pdf("扫描件.pdf", ""), "outcome": "scanned"},
             {**pdf("加密.pdf", "x"), "outcome": "encrypted"},
             pdf("附件2：配套政策.pdf", "政" * (stories.ATTACHMENT_CHARS + 10))]
    text = stories.story_body({"body": "通知正文", "files": files})
    assert text.startswith("通知正文\n\n" + "方案" * 10 + "\n\n政")
    assert "＿" not in text and "表格" not in text and "x" not in text
    assert len(text) == len("通知正文\n\n") + stories.ATTACHMENT_CHARS + 2
    assert stories.story_body({"body": "正文"}) == "正文"
